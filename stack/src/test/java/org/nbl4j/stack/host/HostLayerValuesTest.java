package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * A host layer's incoming values are refilled per packet in the same per-thread objects without being cleared first
 * (docs/benchmarks.md, "The host role"): each packet must still show only its own fields, and the fields nbl4j cannot
 * tell stay FWP_EMPTY whatever packet came before (§4.3, §5.4).
 */
class HostLayerValuesTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    /** The DATAGRAM_DATA fields nbl4j fills; the others (interface LUID and type) are EMPTY (docs/wfp.md). */
    private static final Set<String> FILLED = Set.of(
            "IP_PROTOCOL",
            "IP_LOCAL_ADDRESS",
            "IP_REMOTE_ADDRESS",
            "IP_LOCAL_ADDRESS_TYPE",
            "IP_LOCAL_PORT",
            "IP_REMOTE_PORT",
            "INTERFACE_INDEX",
            "SUB_INTERFACE_INDEX",
            "DIRECTION",
            "FLAGS",
            "TUNNEL_TYPE",
            "COMPARTMENT_ID");

    @Test
    void aPacketAfterAnotherOfTheOtherDirectionAndProtocolShowsOnlyItsOwnFields() {
        List<Map<String, String>> views = new ArrayList<>();
        Ndis ndis = Ndis.create(VerifierSettings.off());
        MemoryMiniport apps = MemoryMiniport.builder()
                .name("apps")
                .receiveBuffers(8)
                .lowWaterMark(0)
                .transmitSink(nbl -> {})
                .build();
        MemoryMiniport net = MemoryMiniport.builder()
                .name("net")
                .receiveBuffers(8)
                .lowWaterMark(0)
                .transmitSink(nbl -> {})
                .build();
        Router router = Router.create(ndis);
        try {
            FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
            router.addInterface(1, "apps", apps, List.of(), Router.InterfaceOptions.forwarding(false));
            router.addInterface(2, "net", net, List.of(), Router.InterfaceOptions.forwarding(false));
            router.address(2, ip(HOST), 24).route(ip("0.0.0.0"), 0, ip("198.51.100.1"), 2);
            router.ip().setApplicationInterface(1);
            UUID key = UUID.randomUUID();
            engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
                Map<String, String> view = new LinkedHashMap<>();
                for (int i = 0; i < values.valueCount(); i++) {
                    view.put(
                            values.layer().fields().get(i).name(), values.get(i).toString());
                }
                views.add(view);
            }));
            engine.addFilter(FilterSpec.callout(Layer.DATAGRAM_DATA_V4, ActionType.CALLOUT_INSPECTION, key));

            assertTrue(net.receive(ipv4(REMOTE, HOST, 17, 64, udp(53, 5000, new byte[4]))));
            router.drain();
            byte[] echo = TestPackets.icmpEcho(8, 0x77, 1, new byte[8]);
            assertTrue(apps.receive(TestPackets.withChecksum(ipv4(HOST, REMOTE, 1, 64, echo))));
            router.drain();
        } finally {
            router.close();
            ndis.close();
        }

        assertEquals(2, views.size(), "the inbound datagram, then the outbound echo");
        Map<String, String> inbound = views.get(0);
        assertEquals("UINT32 0x1", inbound.get("DIRECTION"));
        assertEquals("UINT16 0x1388", inbound.get("IP_LOCAL_PORT"), "5000");
        Map<String, String> echo = views.get(1);
        assertEquals("UINT8 0x1", echo.get("IP_PROTOCOL"));
        assertEquals("UINT32 0xc6336402", echo.get("IP_LOCAL_ADDRESS"), "this host, not the datagram's remote");
        assertEquals("UINT32 0xcb007109", echo.get("IP_REMOTE_ADDRESS"));
        assertEquals("UINT16 0x8", echo.get("IP_LOCAL_PORT"), "the ICMP type, not the datagram's port");
        assertEquals("UINT16 0x0", echo.get("IP_REMOTE_PORT"), "the ICMP code");
        assertEquals("UINT32 0x0", echo.get("DIRECTION"), "outbound");
        for (Map<String, String> view : views) {
            view.forEach((field, value) ->
                    assertEquals(FILLED.contains(field), !value.equals("FWP_EMPTY"), field + "=" + value));
        }
    }
}
