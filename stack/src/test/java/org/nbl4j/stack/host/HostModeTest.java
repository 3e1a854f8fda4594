package org.nbl4j.stack.host;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.tcp;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.SocketOwner;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.AleAuthConnectField;
import org.nbl4j.stack.wfp.AleFlowEstablishedField;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * The host role (docs/wfp.md, "Host mode"; wfp-callouts-and-injection §4.9, §5.2): a host whose applications send on
 * interface 1 ("apps") and whose network is interface 2 ("net", address 198.51.100.2/24, default route via .1). Each
 * test drives one host's traffic through it and checks what the host layers show: which layer, how often, at which
 * data offset, with which metadata, and the flows' lifetimes.
 */
class HostModeTest {
    private static final int APPS = 1;
    private static final int NET = 2;
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private MemoryMiniport apps;
    private MemoryMiniport net;
    private final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full());
        apps = MemoryMiniport.builder()
                .name("apps")
                .receiveBuffers(64)
                .lowWaterMark(0)
                .transmitSink(nbl -> toApps.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        net = MemoryMiniport.builder()
                .name("net")
                .receiveBuffers(64)
                .lowWaterMark(0)
                .transmitSink(nbl -> toNet.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        router = Router.create(ndis);
        engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(APPS, "apps", apps, List.of(), Router.InterfaceOptions.forwarding(false));
        router.addInterface(NET, "net", net, List.of(), Router.InterfaceOptions.forwarding(false));
        router.address(NET, ip(HOST), 24).route(ip("0.0.0.0"), 0, ip("198.51.100.1"), NET);
        router.ip().setApplicationInterface(APPS);
    }

    @AfterEach
    void close() {
        router.close();
        ndis.close();
    }

    private void fromApps(byte[] packet) {
        assertTrue(apps.receive(packet));
        router.drain();
    }

    private void fromNet(byte[] packet) {
        assertTrue(net.receive(packet));
        router.drain();
    }

    private static byte[] out(int protocol, byte[] transport) {
        return ipv4(HOST, REMOTE, protocol, 64, transport);
    }

    private static byte[] in(int protocol, byte[] transport) {
        return ipv4(REMOTE, HOST, protocol, 64, transport);
    }

    private static byte[] echo(int type) {
        return TestPackets.icmpEcho(type, 0x77, 1, new byte[8]);
    }

    /** One TCP connection out, one UDP exchange out, one ping, one UDP flow in: the documented counts. */
    private void mixedTraffic() {
        fromApps(out(TCP, tcp(40000, 80, 1, 0, SYN, new byte[0])));
        fromNet(in(TCP, tcp(80, 40000, 100, 2, SYN | ACK, new byte[0])));
        fromApps(out(TCP, tcp(40000, 80, 2, 101, ACK, new byte[0])));
        fromApps(out(TCP, tcp(40000, 80, 2, 101, PSH | ACK, new byte[10])));
        fromNet(in(TCP, tcp(80, 40000, 101, 12, PSH | ACK, new byte[20])));
        fromApps(out(TCP, tcp(40000, 80, 12, 121, FIN | ACK, new byte[0])));
        fromNet(in(TCP, tcp(80, 40000, 121, 13, FIN | ACK, new byte[0])));
        fromApps(out(TCP, tcp(40000, 80, 13, 122, ACK, new byte[0])));
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        fromNet(in(UDP, udp(53, 5000, new byte[30])));
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        fromNet(in(UDP, udp(53, 5000, new byte[30])));
        fromApps(TestPackets.withChecksum(out(ICMP, echo(8))));
        fromNet(TestPackets.withChecksum(in(ICMP, echo(0))));
        fromNet(in(UDP, udp(6000, 7, new byte[4])));
    }

    @Test
    @DisplayName(
            "each flow is authorized once at ALE and established once; transport sees every packet, datagram data every UDP/ICMP echo")
    void classifyCountsFollowTheRule() {
        mixedTraffic();
        assertEquals(3, engine.indications(Layer.ALE_AUTH_CONNECT_V4), "one connect per outbound flow");
        assertEquals(1, engine.indications(Layer.ALE_AUTH_RECV_ACCEPT_V4), "one recv-accept per inbound flow");
        assertEquals(4, engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4), "one per permitted flow");
        assertEquals(8, engine.indications(Layer.OUTBOUND_TRANSPORT_V4), "every TCP, UDP and ICMP packet out");
        assertEquals(7, engine.indications(Layer.INBOUND_TRANSPORT_V4), "every TCP, UDP and ICMP packet in");
        assertEquals(7, engine.indications(Layer.DATAGRAM_DATA_V4), "UDP and ICMP echo, both directions");
        assertEquals(8, toNet.size(), "every outbound packet left on the network interface");
        assertEquals(7, toApps.size(), "every inbound packet reached the applications");
        assertEquals(4, router.ip().flows().size());
        router.ip().endFlows();
        assertEquals(0, router.ip().flows().size());
    }

    @Test
    @DisplayName("the TCP flow is established with the initiator's ACK after SYN+ACK, not before")
    void tcpIsEstablishedAfterTheHandshake() {
        fromApps(out(TCP, tcp(40000, 80, 1, 0, SYN, new byte[0])));
        fromNet(in(TCP, tcp(80, 40000, 100, 2, SYN | ACK, new byte[0])));
        assertEquals(0, engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4));
        fromApps(out(TCP, tcp(40000, 80, 2, 101, ACK, new byte[0])));
        assertEquals(1, engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4));
    }

    /** Records, per layer, the first bytes of layerData at classify (null for no packet) and the metadata. */
    private final Map<Layer, byte @Nullable []> seenData = new EnumMap<>(Layer.class);

    private final Map<Layer, int[]> seenMetadata = new EnumMap<>(Layer.class);

    private void watch(Layer layer) {
        UUID key = UUID.randomUUID();
        ClassifyFn classify = (values, metadata, layerData, context, filter, flowContext, classifyOut) -> {
            byte[] first = null;
            if (layerData != null) {
                var nb = layerData.firstNetBuffer();
                first = new byte[Math.min(4, nb.dataLength())];
                nb.copyTo(0, java.lang.foreign.MemorySegment.ofArray(first), 0, first.length);
            }
            seenData.put(layer, first);
            seenMetadata.put(layer, new int[] {
                metadata.currentMetadataValues(),
                metadata.ipHeaderSize(),
                metadata.transportHeaderSize(),
                metadata.packetDirection(),
                (int) metadata.flowHandle()
            });
        };
        engine.registerCallout(Callout.of(key, classify));
        engine.addFilter(FilterSpec.callout(layer, ActionType.CALLOUT_INSPECTION, key));
    }

    @Test
    @DisplayName(
            "outbound layers start at the transport header, inbound transport after it with the header sizes in metadata (§5.2)")
    void dataOffsetsAndMetadata() {
        for (Layer layer : List.of(
                Layer.ALE_AUTH_CONNECT_V4,
                Layer.OUTBOUND_TRANSPORT_V4,
                Layer.INBOUND_TRANSPORT_V4,
                Layer.DATAGRAM_DATA_V4,
                Layer.ALE_FLOW_ESTABLISHED_V4)) {
            watch(layer);
        }
        fromApps(out(TCP, tcp(40000, 80, 1, 0, SYN, new byte[0])));
        assertNull(seenData.get(Layer.ALE_AUTH_CONNECT_V4), "TCP at ALE_AUTH_CONNECT carries no packet");
        assertArrayEquals(new byte[] {(byte) 0x9c, 0x40, 0, 80}, seenData.get(Layer.OUTBOUND_TRANSPORT_V4));
        int[] out = seenMetadata.get(Layer.OUTBOUND_TRANSPORT_V4);
        assertEquals(20, out[2], "transport header size");
        assertEquals(IncomingMetadata.FWP_DIRECTION_OUTBOUND, out[3]);
        assertTrue((out[0] & IncomingMetadata.FWPS_METADATA_FIELD_FLOW_HANDLE) != 0);
        assertTrue((out[0] & IncomingMetadata.FWPS_METADATA_FIELD_REMOTE_SCOPE_ID) != 0, "outbound: the scope id");
        assertTrue((out[0] & IncomingMetadata.FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE) == 0, "not for TCP");

        byte[] payload = {1, 2, 3, 4, 5};
        fromNet(in(UDP, udp(53, 5000, payload)));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, seenData.get(Layer.INBOUND_TRANSPORT_V4), "offset after UDP");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, seenData.get(Layer.DATAGRAM_DATA_V4), "inbound: payload");
        int[] in = seenMetadata.get(Layer.INBOUND_TRANSPORT_V4);
        assertEquals(20, in[1], "IP header size");
        assertEquals(8, in[2], "transport header size");
        assertEquals(IncomingMetadata.FWP_DIRECTION_INBOUND, in[3]);
        assertTrue((in[0] & IncomingMetadata.FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED) != 0, "a new inbound flow");

        fromApps(out(UDP, udp(5001, 53, payload)));
        assertArrayEquals(
                new byte[] {0x13, (byte) 0x89, 0, 53}, seenData.get(Layer.DATAGRAM_DATA_V4), "outbound: header");
        assertArrayEquals(new byte[] {0x13, (byte) 0x89, 0, 53}, seenData.get(Layer.ALE_FLOW_ESTABLISHED_V4));

        fromApps(TestPackets.withChecksum(out(ICMP, echo(8))));
        assertTrue(
                (seenMetadata.get(Layer.OUTBOUND_TRANSPORT_V4)[0]
                                & IncomingMetadata.FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE)
                        != 0,
                "an echo request carries its identifier and sequence");
    }

    /**
     * FWPS_METADATA_FIELD_PROCESS_ID and PROCESS_PATH, and the ALE_APP_ID field, exist at the ALE layers only (WDK,
     * "Metadata Fields at Each Filtering Layer"); nbl4j asks the host who owns a flow's socket once per flow.
     */
    @Test
    @DisplayName(
            "the ALE layers name the process that owns the flow's socket, asked once per flow; other layers do not")
    void aleLayersNameTheOwningProcess() {
        List<Integer> asked = new ArrayList<>();
        router.ip().setSocketOwners((protocol, localAddress, localPort, remoteAddress, remotePort) -> {
            asked.add(localPort);
            return localPort == 40000 ? new SocketOwner(4242, "/usr/bin/curl") : null;
        });
        Map<Layer, List<List<Object>>> seen = new EnumMap<>(Layer.class);
        for (Layer layer :
                List.of(Layer.ALE_AUTH_CONNECT_V4, Layer.ALE_FLOW_ESTABLISHED_V4, Layer.OUTBOUND_TRANSPORT_V4)) {
            UUID key = UUID.randomUUID();
            engine.registerCallout(Callout.of(key, (values, metadata, data, context, filter, flow, out) -> {
                var appId = switch (layer) {
                    case ALE_AUTH_CONNECT_V4 -> values.get(AleAuthConnectField.ALE_APP_ID);
                    case ALE_FLOW_ESTABLISHED_V4 -> values.get(AleFlowEstablishedField.ALE_APP_ID);
                    default -> null;
                };
                seen.computeIfAbsent(layer, _ -> new ArrayList<>())
                        .add(List.of(
                                metadata.isPresent(IncomingMetadata.FWPS_METADATA_FIELD_PROCESS_ID),
                                metadata.isPresent(IncomingMetadata.FWPS_METADATA_FIELD_PROCESS_PATH),
                                metadata.processId(),
                                new String(metadata.processPath(), StandardCharsets.UTF_16LE),
                                appId == null ? "" : appId.type() + " " + new String(appId.blob(), UTF_16LE)));
            }));
            engine.addFilter(FilterSpec.callout(layer, ActionType.CALLOUT_INSPECTION, key));
        }

        fromApps(out(TCP, tcp(40000, 80, 1, 0, SYN, new byte[0])));
        fromNet(in(TCP, tcp(80, 40000, 100, 2, SYN | ACK, new byte[0])));
        fromApps(out(TCP, tcp(40000, 80, 2, 101, ACK, new byte[0])));
        List<Object> curl = List.of(true, true, 4242L, "/usr/bin/curl\0", "BYTE_BLOB /usr/bin/curl\0");
        assertEquals(List.of(curl), seen.get(Layer.ALE_AUTH_CONNECT_V4));
        assertEquals(List.of(curl), seen.get(Layer.ALE_FLOW_ESTABLISHED_V4));
        assertEquals(false, seen.get(Layer.OUTBOUND_TRANSPORT_V4).getFirst().getFirst(), "not at the transport layer");

        seen.clear();
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        List<Object> unknown = seen.get(Layer.ALE_AUTH_CONNECT_V4).getFirst();
        assertEquals(List.of(false, false), unknown.subList(0, 2), "an owner the host cannot tell is left out");
        assertEquals("EMPTY ", unknown.get(4));
        assertEquals(List.of(40000, 5000), asked, "once per flow, though the TCP flow was shown at two ALE layers");
    }

    @Test
    @DisplayName("a flow blocked at ALE_AUTH_CONNECT never reaches the network, and is not authorized again")
    void blockedConnect() {
        engine.addFilter(FilterSpec.of(Layer.ALE_AUTH_CONNECT_V4, ActionType.BLOCK));
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        assertEquals(0, toNet.size());
        assertEquals(1, engine.indications(Layer.ALE_AUTH_CONNECT_V4));
        assertEquals(0, engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4));
        assertEquals(0, engine.indications(Layer.DATAGRAM_DATA_V4));
    }

    @Test
    @DisplayName("flowDeleteFn runs exactly once for each context a callout associated, when the flow ends (§4.9)")
    void flowDeleteRunsOncePerContext() {
        List<Long> deleted = Collections.synchronizedList(new ArrayList<>());
        UUID key = UUID.randomUUID();
        int[] calloutId = new int[1];
        ClassifyFn associate = (values, metadata, layerData, context, filter, flowContext, classifyOut) -> {
            long flow = metadata.flowHandle();
            assertEquals(0, engine.flowAssociateContext(flow, values.layerId(), calloutId[0], 1000 + flow));
            assertEquals(
                    org.nbl4j.core.status.NtStatus.STATUS_OBJECT_NAME_EXISTS,
                    engine.flowAssociateContext(flow, values.layerId(), calloutId[0], 1));
        };
        calloutId[0] = engine.registerCallout(new Callout(key, 0, associate, null, (layerId, id, context) -> {
            assertEquals(Layer.ALE_FLOW_ESTABLISHED_V4.id(), layerId);
            deleted.add(context);
        }));
        engine.addFilter(FilterSpec.callout(Layer.ALE_FLOW_ESTABLISHED_V4, ActionType.CALLOUT_INSPECTION, key));
        mixedTraffic();
        assertEquals(List.of(), deleted, "no flow has ended yet");
        router.ip().endFlows();
        router.ip().endFlows();
        assertEquals(4, deleted.size(), "one delete per context: " + deleted);
        assertEquals(4, deleted.stream().distinct().count());
    }

    @Test
    @DisplayName("a conditional-on-flow callout sees only flows it associated a context with, and gets that context")
    void conditionalOnFlow() {
        List<Long> contexts = new ArrayList<>();
        UUID establishedKey = UUID.randomUUID();
        UUID datagramKey = UUID.randomUUID();
        int[] datagramCallout = new int[1];
        engine.registerCallout(Callout.of(establishedKey, (values, metadata, layerData, c, f, fc, out) -> {
            if (values.get(org.nbl4j.stack.wfp.AleFlowEstablishedField.IP_REMOTE_PORT)
                            .integer()
                    == 53) {
                engine.flowAssociateContext(
                        metadata.flowHandle(), Layer.DATAGRAM_DATA_V4.id(), datagramCallout[0], 4242);
            }
        }));
        datagramCallout[0] = engine.registerCallout(new Callout(
                datagramKey,
                Callout.FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW,
                (values, metadata, layerData, c, f, flowContext, out) -> contexts.add(flowContext),
                null,
                (layerId, id, context) -> {}));
        engine.addFilter(
                FilterSpec.callout(Layer.ALE_FLOW_ESTABLISHED_V4, ActionType.CALLOUT_INSPECTION, establishedKey));
        engine.addFilter(FilterSpec.callout(Layer.DATAGRAM_DATA_V4, ActionType.CALLOUT_INSPECTION, datagramKey));
        mixedTraffic();
        assertEquals(List.of(4242L, 4242L, 4242L, 4242L), contexts, "the 53 flow's four datagrams, not the others");
    }

    @Test
    @DisplayName("a UDP flow ends after its idle time and a new datagram starts a new flow, authorized again")
    void idleFlowEnds() {
        router.ip()
                .setFlowTimeouts(
                        java.time.Duration.ofSeconds(5),
                        java.time.Duration.ofHours(2),
                        java.time.Duration.ofSeconds(4));
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        router.ip()
                .expireFlows(System.nanoTime() + java.time.Duration.ofSeconds(6).toNanos());
        assertEquals(0, router.ip().flows().size());
        fromApps(out(UDP, udp(5000, 53, new byte[12])));
        assertEquals(2, engine.indications(Layer.ALE_AUTH_CONNECT_V4));
    }
}
