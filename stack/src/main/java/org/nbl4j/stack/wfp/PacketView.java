package org.nbl4j.stack.wfp;

import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.Flow;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.ip.HostModel;
import org.nbl4j.stack.ip.PacketFacts;
import org.nbl4j.stack.ip.SocketOwner;

/**
 * Turns what the IP path knows about a packet, its {@link PacketFacts}, into a layer's incoming values
 * ({@link IncomingValues}) and metadata ({@link IncomingMetadata}) (§4.3, §4.4, §5.2, §5.4). It copies fields and
 * never reads the packet: the IP path parsed it once, into those facts.
 *
 * <p>nbl4j has no interface LUIDs, interface types or network profiles: those fields are {@link FwpDataType#EMPTY},
 * so conditions on them never match. The tunnel type is always TUNNEL_TYPE_NONE. The address type is derived from the
 * address alone, so a subnet-directed broadcast counts as unicast.
 */
final class PacketView {
    /** {@code NL_ADDRESS_TYPE}. */
    static final int NLAT_UNSPECIFIED = 0;

    static final int NLAT_UNICAST = 1;
    static final int NLAT_MULTICAST = 3;
    static final int NLAT_BROADCAST = 4;

    /** Which of the packet's addresses a field shows. */
    private static final boolean SOURCE = true;

    private static final boolean DESTINATION = false;

    /** The roles a host layer's fields play, looked up once per layer kind by the fields' names. */
    private enum Role {
        IP_PROTOCOL,
        IP_LOCAL_ADDRESS,
        IP_REMOTE_ADDRESS,
        IP_LOCAL_ADDRESS_TYPE,
        IP_DESTINATION_ADDRESS_TYPE,
        IP_LOCAL_PORT,
        IP_REMOTE_PORT,
        INTERFACE_INDEX,
        SUB_INTERFACE_INDEX,
        DIRECTION,
        FLAGS,
        TUNNEL_TYPE,
        COMPARTMENT_ID,
        ALE_APP_ID
    }

    private static final Role[] ROLES = Role.values();
    /** Per hook point: the index of each role's field, -1 where the layer has none. */
    private static final int[][] ROLE_INDEX = new int[HookPoint.values().length][];

    static {
        for (HookPoint point : HookPoint.values()) {
            Layer layer = Layer.of(point, AddressFamily.INET, false);
            if (!layer.isHostLayer()) {
                continue;
            }
            int[] indexes = new int[ROLES.length];
            java.util.Arrays.fill(indexes, -1);
            for (LayerField field : layer.fields()) {
                for (Role role : ROLES) {
                    if (role.name().equals(field.name())) {
                        indexes[role.ordinal()] = field.index();
                    }
                }
            }
            ROLE_INDEX[point.ordinal()] = indexes;
        }
    }

    private PacketView() {}

    static void fill(Layer layer, PacketFacts facts, IncomingValues values, IncomingMetadata metadata) {
        metadata.clear();
        metadata.setCompartmentId(facts.compartmentId());
        switch (layer.hookPoint()) {
            case INBOUND_IPPACKET -> {
                address(values.at(InboundIpPacketField.IP_LOCAL_ADDRESS), facts, DESTINATION);
                address(values.at(InboundIpPacketField.IP_REMOTE_ADDRESS), facts, SOURCE);
                addressType(values.at(InboundIpPacketField.IP_LOCAL_ADDRESS_TYPE), facts, DESTINATION);
                values.at(InboundIpPacketField.IP_LOCAL_INTERFACE).setEmpty();
                uint32(values.at(InboundIpPacketField.INTERFACE_INDEX), facts.arrivalInterfaceIndex());
                uint32(values.at(InboundIpPacketField.SUB_INTERFACE_INDEX), facts.arrivalSubInterfaceIndex());
                uint32(values.at(InboundIpPacketField.FLAGS), facts.conditionFlags());
                values.at(InboundIpPacketField.INTERFACE_TYPE).setEmpty();
                uint32(values.at(InboundIpPacketField.TUNNEL_TYPE), 0);
                uint32(values.at(InboundIpPacketField.COMPARTMENT_ID), facts.compartmentId());
                metadata.setIpHeaderSize(facts.ipHeaderSize());
                fragment(facts, metadata);
            }
            case OUTBOUND_IPPACKET -> {
                address(values.at(OutboundIpPacketField.IP_LOCAL_ADDRESS), facts, SOURCE);
                addressType(values.at(OutboundIpPacketField.IP_LOCAL_ADDRESS_TYPE), facts, SOURCE);
                address(values.at(OutboundIpPacketField.IP_REMOTE_ADDRESS), facts, DESTINATION);
                values.at(OutboundIpPacketField.IP_LOCAL_INTERFACE).setEmpty();
                uint32(values.at(OutboundIpPacketField.INTERFACE_INDEX), facts.destinationInterfaceIndex());
                uint32(values.at(OutboundIpPacketField.SUB_INTERFACE_INDEX), facts.destinationSubInterfaceIndex());
                uint32(values.at(OutboundIpPacketField.FLAGS), facts.conditionFlags());
                values.at(OutboundIpPacketField.INTERFACE_TYPE).setEmpty();
                uint32(values.at(OutboundIpPacketField.TUNNEL_TYPE), 0);
                uint32(values.at(OutboundIpPacketField.COMPARTMENT_ID), facts.compartmentId());
                metadata.setIpHeaderSize(facts.ipHeaderSize());
                if (facts.transportHeaderSize() > 0) {
                    metadata.setTransportHeaderSize(facts.transportHeaderSize());
                }
                fragment(facts, metadata);
                if (facts.pathMtu() > 0) {
                    metadata.setPathMtu(facts.pathMtu());
                }
            }
            case IPFORWARD -> {
                address(values.at(IpForwardField.IP_SOURCE_ADDRESS), facts, SOURCE);
                address(values.at(IpForwardField.IP_DESTINATION_ADDRESS), facts, DESTINATION);
                addressType(values.at(IpForwardField.IP_DESTINATION_ADDRESS_TYPE), facts, DESTINATION);
                values.at(IpForwardField.IP_LOCAL_INTERFACE).setEmpty();
                values.at(IpForwardField.IP_FORWARD_INTERFACE).setEmpty();
                uint32(values.at(IpForwardField.SOURCE_INTERFACE_INDEX), facts.arrivalInterfaceIndex());
                uint32(values.at(IpForwardField.SOURCE_SUB_INTERFACE_INDEX), facts.arrivalSubInterfaceIndex());
                uint32(values.at(IpForwardField.DESTINATION_INTERFACE_INDEX), facts.destinationInterfaceIndex());
                uint32(values.at(IpForwardField.DESTINATION_SUB_INTERFACE_INDEX), facts.destinationSubInterfaceIndex());
                uint32(values.at(IpForwardField.FLAGS), facts.conditionFlags());
                values.at(IpForwardField.IP_PHYSICAL_ARRIVAL_INTERFACE).setEmpty();
                values.at(IpForwardField.ARRIVAL_INTERFACE_PROFILE_ID).setEmpty();
                values.at(IpForwardField.IP_PHYSICAL_NEXTHOP_INTERFACE).setEmpty();
                values.at(IpForwardField.NEXTHOP_INTERFACE_PROFILE_ID).setEmpty();
                uint32(values.at(IpForwardField.COMPARTMENT_ID), facts.compartmentId());
                // The pass-through flags also surface as metadata bits at this layer (§5.2); the IP header size is
                // not in the layer's metadata list, so it is not offered (§9 item 9).
                if ((facts.conditionFlags() & HostModel.FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU) != 0) {
                    metadata.setFlag(IncomingMetadata.FWPS_METADATA_FIELD_FORWARD_LAYER_OUTBOUND_PASS_THRU);
                }
                if ((facts.conditionFlags() & HostModel.FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU) != 0) {
                    metadata.setFlag(IncomingMetadata.FWPS_METADATA_FIELD_FORWARD_LAYER_INBOUND_PASS_THRU);
                }
            }
            default -> host(layer, facts, values, metadata);
        }
    }

    /**
     * The host role's layers (§5.2): local and remote by direction, the interface the packet arrives on or leaves by,
     * and the metadata of the layer (flow handle, header sizes, direction, endpoint and scope outbound).
     */
    private static void host(Layer layer, PacketFacts facts, IncomingValues values, IncomingMetadata metadata) {
        // Every field without a role is EMPTY from the values' construction on, and only this method writes a host
        // layer's values, each role's field on every call: clearing them all first cost more than the rest of the view.
        int[] at = ROLE_INDEX[layer.hookPoint().ordinal()];
        boolean inbound = facts.isInbound();
        boolean local = inbound ? DESTINATION : SOURCE;
        integer(values, at, Role.IP_PROTOCOL, FwpDataType.UINT8, facts.protocol());
        address(values.get(at[Role.IP_LOCAL_ADDRESS.ordinal()]), facts, local);
        address(values.get(at[Role.IP_REMOTE_ADDRESS.ordinal()]), facts, !local);
        addressType(values.get(at[Role.IP_LOCAL_ADDRESS_TYPE.ordinal()]), facts, local);
        int destinationType = at[Role.IP_DESTINATION_ADDRESS_TYPE.ordinal()];
        if (destinationType >= 0) {
            addressType(values.get(destinationType), facts, DESTINATION);
        }
        integer(values, at, Role.IP_LOCAL_PORT, FwpDataType.UINT16, facts.localPort());
        integer(values, at, Role.IP_REMOTE_PORT, FwpDataType.UINT16, facts.remotePort());
        integer(
                values,
                at,
                Role.INTERFACE_INDEX,
                FwpDataType.UINT32,
                inbound ? facts.arrivalInterfaceIndex() : facts.destinationInterfaceIndex());
        integer(
                values,
                at,
                Role.SUB_INTERFACE_INDEX,
                FwpDataType.UINT32,
                inbound ? facts.arrivalSubInterfaceIndex() : facts.destinationSubInterfaceIndex());
        int direction = inbound ? IncomingMetadata.FWP_DIRECTION_INBOUND : IncomingMetadata.FWP_DIRECTION_OUTBOUND;
        integer(values, at, Role.DIRECTION, FwpDataType.UINT32, direction);
        integer(values, at, Role.FLAGS, FwpDataType.UINT32, facts.conditionFlags());
        integer(values, at, Role.TUNNEL_TYPE, FwpDataType.UINT32, 0);
        integer(values, at, Role.COMPARTMENT_ID, FwpDataType.UINT32, facts.compartmentId());
        Flow flow = facts.flow();
        if (flow != null) {
            metadata.setFlowHandle(flow.handle());
            HookPoint point = layer.hookPoint();
            if (point == HookPoint.ALE_AUTH_CONNECT || point == HookPoint.ALE_AUTH_RECV_ACCEPT) {
                // The flow's handle stands for the completion handle: FwpsPendOperation0 finds the flow by it.
                metadata.setCompletionHandle(flow.handle());
            }
        }
        int appId = at[Role.ALE_APP_ID.ordinal()];
        if (appId >= 0) {
            // The ALE layers, and only they, have the application's field and process metadata; the field is
            // written either way, since the values are not cleared between packets.
            SocketOwner owner = flow != null ? flow.owner() : null;
            if (owner != null) {
                byte[] path = owner.pathBlob();
                values.get(appId).setBlob(path);
                metadata.setProcess(owner.processId(), path);
            } else {
                values.get(appId).setEmpty();
            }
        }
        metadata.setPacketDirection(direction);
        if (facts.hasIcmpIdAndSequence()) {
            metadata.setIcmpIdAndSequence(facts.icmpIdAndSequence());
        }
        if (inbound) {
            metadata.setIpHeaderSize(facts.ipHeaderSize());
            metadata.setTransportHeaderSize(facts.transportHeaderSize());
            if (facts.aleClassifyRequired()) {
                metadata.setFlag(IncomingMetadata.FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED);
            }
        } else {
            metadata.setTransportHeaderSize(facts.transportHeaderSize());
            metadata.setRemoteScopeId(0);
            if (flow != null) {
                metadata.setTransportEndpointHandle(flow.handle());
            }
        }
    }

    /** Sets the field playing {@code role}, if the layer has one. */
    private static void integer(IncomingValues values, int[] at, Role role, FwpDataType type, int value) {
        int index = at[role.ordinal()];
        if (index >= 0) {
            values.get(index).setInteger(type, Integer.toUnsignedLong(value));
        }
    }

    private static void fragment(PacketFacts facts, IncomingMetadata metadata) {
        if (facts.hasFragmentData()) {
            metadata.setFragment(facts.fragmentIdentification(), facts.fragmentOffset(), facts.fragmentLength());
        }
    }

    /**
     * The packet's source or destination address: IPv4 as a UINT32 in host byte order (the callouts byte-swap it,
     * §4.3), read from the facts' number without writing its bytes; IPv6 as BYTE_ARRAY16.
     */
    private static void address(FwpValue value, PacketFacts facts, boolean source) {
        if (facts.family() == AddressFamily.INET) {
            value.setInteger(FwpDataType.UINT32, Integer.toUnsignedLong(ipv4(facts, source)));
        } else {
            value.setBytes16(source ? facts.sourceAddress() : facts.destinationAddress());
        }
    }

    private static void addressType(FwpValue value, PacketFacts facts, boolean source) {
        int type;
        if (facts.family() == AddressFamily.INET) {
            int v4 = ipv4(facts, source);
            if (v4 == 0) {
                type = NLAT_UNSPECIFIED;
            } else if (v4 == -1) {
                type = NLAT_BROADCAST;
            } else if ((v4 >>> 28) == 0xE) {
                type = NLAT_MULTICAST;
            } else {
                type = NLAT_UNICAST;
            }
        } else {
            byte[] address = source ? facts.sourceAddress() : facts.destinationAddress();
            if ((address[0] & 0xFF) == 0xFF) {
                type = NLAT_MULTICAST;
            } else {
                boolean zero = true;
                for (int i = 0; i < 16 && zero; i++) {
                    zero = address[i] == 0;
                }
                type = zero ? NLAT_UNSPECIFIED : NLAT_UNICAST;
            }
        }
        value.setInteger(FwpDataType.UINT8, type);
    }

    private static void uint32(FwpValue value, int number) {
        value.setInteger(FwpDataType.UINT32, Integer.toUnsignedLong(number));
    }

    private static int ipv4(PacketFacts facts, boolean source) {
        return source ? facts.sourceIpv4() : facts.destinationIpv4();
    }
}
