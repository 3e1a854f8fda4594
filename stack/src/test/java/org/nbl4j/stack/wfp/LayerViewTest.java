package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.ip.HostModel;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.IpStack;
import org.nbl4j.stack.ip.PacketFacts;

/** Layers, incoming values and metadata as a callout sees them (§4.3, §4.4, §5.1 - §5.4). */
class LayerViewTest {
    @Test
    void hookPointsMapToTheRuntimeLayerIds() {
        assertEquals(
                0,
                Layer.of(HookPoint.INBOUND_IPPACKET, AddressFamily.INET, false).id());
        assertEquals(
                3,
                Layer.of(HookPoint.INBOUND_IPPACKET, AddressFamily.INET6, true).id());
        assertEquals(
                6,
                Layer.of(HookPoint.OUTBOUND_IPPACKET, AddressFamily.INET6, false)
                        .id());
        assertEquals(9, Layer.of(HookPoint.IPFORWARD, AddressFamily.INET, true).id());
        for (Layer layer : Layer.values()) {
            assertEquals(layer, Layer.ofId(layer.id()));
            assertEquals(layer, Layer.of(layer.hookPoint(), layer.family(), layer.isDiscard()));
            assertTrue(layer.discardTwin().isDiscard());
        }
        assertEquals(Layer.IPFORWARD_V6_DISCARD, Layer.IPFORWARD_V6.discardTwin());
        assertEquals(15, IpForwardField.MAX);
        assertEquals(10, InboundIpPacketField.MAX);
        assertEquals(1, OutboundIpPacketField.IP_LOCAL_ADDRESS_TYPE.index(), "the outbound order differs (§5.4)");
        assertEquals(2, InboundIpPacketField.IP_LOCAL_ADDRESS_TYPE.index());
    }

    /** Classifies once with an inspection callout and returns what it saw. */
    private static List<String> seen(HookPoint point, PacketFacts facts, boolean discard) {
        List<String> seen = new ArrayList<>();
        try (WfpTestStack stack = new WfpTestStack()) {
            UUID key = UUID.randomUUID();
            stack.engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
                seen.add(values.layer() + " " + values.valueCount());
                for (int i = 0; i < values.valueCount(); i++) {
                    seen.add(values.layer().fields().get(i).name() + "=" + values.get(i));
                }
                seen.add("metadata 0x" + Integer.toHexString(metadata.currentMetadataValues()));
                if (metadata.isPresent(IncomingMetadata.FWPS_METADATA_FIELD_FRAGMENT_DATA)) {
                    seen.add("fragment " + metadata.fragmentIdentification() + "/" + metadata.fragmentOffset() + "/"
                            + metadata.fragmentLength());
                }
                if (metadata.isPresent(IncomingMetadata.FWPS_METADATA_FIELD_DISCARD_REASON)) {
                    seen.add("discard " + metadata.discardModule() + "/" + metadata.discardReason());
                }
            }));
            Layer layer = Layer.of(point, facts.family(), discard);
            stack.engine.addFilter(FilterSpec.callout(layer, ActionType.CALLOUT_INSPECTION, key));
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            if (discard) {
                stack.engine.discarded(point, nbl, facts);
            } else {
                stack.engine.classify(point, nbl, facts);
            }
            stack.engine.containers().release(nbl);
            stack.free(nbl);
        }
        return seen;
    }

    @Test
    void inboundValuesAndMetadata() {
        PacketFacts facts = WfpTestStack.arrived(TestPackets.ipv4Fragment(17, 8, 9, 16, true, 17));
        List<String> seen = seen(HookPoint.INBOUND_IPPACKET, facts, false);
        assertEquals("INBOUND_IPPACKET_V4 10", seen.get(0));
        assertEquals("IP_LOCAL_ADDRESS=UINT32 0xc6336407", seen.get(1), "the destination, in host byte order");
        assertEquals("IP_REMOTE_ADDRESS=UINT32 0xc0000201", seen.get(2));
        assertEquals("IP_LOCAL_ADDRESS_TYPE=UINT8 0x1", seen.get(3));
        assertEquals("IP_LOCAL_INTERFACE=FWP_EMPTY", seen.get(4));
        assertEquals("INTERFACE_INDEX=UINT32 0x3", seen.get(5), "the arrival interface");
        assertEquals("FLAGS=UINT32 0x" + Integer.toHexString(IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT), seen.get(7));
        // IP_HEADER_SIZE | COMPARTMENT_ID | FRAGMENT_DATA, nothing else (§5.2)
        assertEquals("metadata 0x1804", seen.get(seen.size() - 2));
        assertEquals("fragment 9/16/8", seen.getLast(), "identification, offset in bytes, payload length");
    }

    @Test
    void outboundAndIpv6() {
        PacketFacts facts = WfpTestStack.v6Facts(17);
        facts.setPathMtu(1280);
        facts.setTransportHeaderSize(8);
        List<String> seen = seen(HookPoint.OUTBOUND_IPPACKET, facts, false);
        assertEquals("OUTBOUND_IPPACKET_V6 10", seen.get(0));
        assertTrue(seen.get(1).startsWith("IP_LOCAL_ADDRESS=BYTE_ARRAY16 [32, 1, 13, -72"), seen.get(1));
        assertEquals("INTERFACE_INDEX=UINT32 0x5", seen.get(5), "the egress interface");
        // IP_HEADER_SIZE | TRANSPORT_HEADER_SIZE | COMPARTMENT_ID | PATH_MTU
        assertEquals("metadata 0x2c04", seen.getLast());
    }

    @Test
    void forwardPassThroughFlagsAreMetadataBitsToo() {
        PacketFacts facts = WfpTestStack.v4Facts(17);
        facts.setConditionFlags(HostModel.FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU);
        List<String> seen = seen(HookPoint.IPFORWARD, facts, false);
        assertEquals("DESTINATION_INTERFACE_INDEX=UINT32 0x5", seen.get(8));
        assertEquals("metadata 0x200800", seen.getLast());
    }

    @Test
    void aPathDropCarriesItsIpDiscardReason() {
        PacketFacts facts = WfpTestStack.v4Facts(17);
        facts.setDiscardReason(IpDiscardReason.HOP_LIMIT_EXCEEDED);
        List<String> seen = seen(HookPoint.IPFORWARD, facts, true);
        assertEquals("IPFORWARD_V4_DISCARD 15", seen.getFirst());
        assertEquals("discard 0/128", seen.getLast());
    }

    @Test
    void aFieldOfAnotherLayerFailsLoudly() {
        IncomingValues values = new IncomingValues(Layer.INBOUND_IPPACKET_V4);
        assertThrows(IllegalArgumentException.class, () -> values.get(IpForwardField.FLAGS));
        assertFalse(Layer.INBOUND_IPPACKET_V4.has(OutboundIpPacketField.FLAGS));
    }
}
