package org.nbl4j.stack.wfp;

import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HostModel;
import org.nbl4j.stack.ip.PacketFacts;

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

    private PacketView() {}

    static void fill(Layer layer, PacketFacts facts, IncomingValues values, IncomingMetadata metadata) {
        AddressFamily family = layer.family();
        metadata.clear();
        metadata.setCompartmentId(facts.compartmentId());
        switch (layer.hookPoint()) {
            case INBOUND_IPPACKET -> {
                address(values.at(InboundIpPacketField.IP_LOCAL_ADDRESS), facts.destinationAddress(), family);
                address(values.at(InboundIpPacketField.IP_REMOTE_ADDRESS), facts.sourceAddress(), family);
                addressType(values.at(InboundIpPacketField.IP_LOCAL_ADDRESS_TYPE), facts.destinationAddress(), family);
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
                address(values.at(OutboundIpPacketField.IP_LOCAL_ADDRESS), facts.sourceAddress(), family);
                addressType(values.at(OutboundIpPacketField.IP_LOCAL_ADDRESS_TYPE), facts.sourceAddress(), family);
                address(values.at(OutboundIpPacketField.IP_REMOTE_ADDRESS), facts.destinationAddress(), family);
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
                address(values.at(IpForwardField.IP_SOURCE_ADDRESS), facts.sourceAddress(), family);
                address(values.at(IpForwardField.IP_DESTINATION_ADDRESS), facts.destinationAddress(), family);
                addressType(values.at(IpForwardField.IP_DESTINATION_ADDRESS_TYPE), facts.destinationAddress(), family);
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
        }
    }

    private static void fragment(PacketFacts facts, IncomingMetadata metadata) {
        if (facts.hasFragmentData()) {
            metadata.setFragment(facts.fragmentIdentification(), facts.fragmentOffset(), facts.fragmentLength());
        }
    }

    /** IPv4 as a UINT32 in host byte order (the callouts byte-swap it, §4.3); IPv6 as BYTE_ARRAY16. */
    private static void address(FwpValue value, byte[] address, AddressFamily family) {
        if (family == AddressFamily.INET) {
            value.setInteger(FwpDataType.UINT32, Integer.toUnsignedLong(ipv4(address)));
        } else {
            value.setBytes16(address);
        }
    }

    private static void addressType(FwpValue value, byte[] address, AddressFamily family) {
        int type;
        if (family == AddressFamily.INET) {
            int v4 = ipv4(address);
            if (v4 == 0) {
                type = NLAT_UNSPECIFIED;
            } else if (v4 == -1) {
                type = NLAT_BROADCAST;
            } else if ((v4 >>> 28) == 0xE) {
                type = NLAT_MULTICAST;
            } else {
                type = NLAT_UNICAST;
            }
        } else if ((address[0] & 0xFF) == 0xFF) {
            type = NLAT_MULTICAST;
        } else {
            boolean zero = true;
            for (int i = 0; i < 16 && zero; i++) {
                zero = address[i] == 0;
            }
            type = zero ? NLAT_UNSPECIFIED : NLAT_UNICAST;
        }
        value.setInteger(FwpDataType.UINT8, type);
    }

    private static void uint32(FwpValue value, int number) {
        value.setInteger(FwpDataType.UINT32, Integer.toUnsignedLong(number));
    }

    private static int ipv4(byte[] address) {
        return ((address[0] & 0xFF) << 24)
                | ((address[1] & 0xFF) << 16)
                | ((address[2] & 0xFF) << 8)
                | (address[3] & 0xFF);
    }
}
