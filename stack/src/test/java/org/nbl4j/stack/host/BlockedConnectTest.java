package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.tcp;
import static org.nbl4j.stack.ip.TestPackets.u16;
import static org.nbl4j.stack.ip.TestPackets.u32;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.Fwpsk;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PendedOperation;

/**
 * A blocked connect fails at once (docs/wfp.md, "A blocked connect fails at once"): when the ALE layers block an
 * outbound flow, or OUTBOUND_TRANSPORT blocks a TCP SYN or a flow's first datagram, the host answers the application
 * toward the applications' interface, from the remote: a reset for TCP (Linux: ECONNREFUSED), Destination
 * Unreachable port unreachable for UDP. A pended connect that its reauthorization blocks is answered at the
 * completion, from the SYN the flow remembers. An absorbed packet is not answered.
 */
class BlockedConnectTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport apps;
    private final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full());
        HostBed host = HostBed.create(ndis, 16, toApps, toNet);
        router = host.router();
        engine = host.engine();
        apps = host.apps();
        binding = SystemWfp.bind(engine);
    }

    @AfterEach
    void close() {
        binding.close();
        router.close();
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> ndis.verifier().violations().toString());
        ndis.close();
    }

    private void send(byte[] packet) {
        assertTrue(apps.receive(packet));
        router.drain();
    }

    private static byte[] syn() {
        return ipv4(HOST, REMOTE, TCP, 64, tcp(40000, 80, 1000, 0, SYN, new byte[0]));
    }

    /** The reset a refused SYN (sequence 1000) gets: from the remote's port 80, RST+ACK, acknowledging the SYN. */
    private void assertResetForSyn(byte[] reset) {
        assertArrayEquals(ip(REMOTE).getAddress(), Arrays.copyOfRange(reset, 12, 16), "from the remote");
        assertArrayEquals(ip(HOST).getAddress(), Arrays.copyOfRange(reset, 16, 20), "to the application");
        assertEquals(TCP, reset[9]);
        assertEquals(80, u16(reset, 20));
        assertEquals(40000, u16(reset, 22));
        assertEquals(RST | ACK, reset[33] & 0xFF);
        assertEquals(1001, u32(reset, 28), "acknowledges the SYN");
        assertEquals(0, TestPackets.checksum(reset, 0, 20), "IPv4 header checksum");
    }

    @Test
    @DisplayName("ALE_AUTH_CONNECT blocks a TCP connect: the application gets a reset at once, nothing leaves")
    void blockedSynIsReset() {
        engine.addFilter(FilterSpec.of(Layer.ALE_AUTH_CONNECT_V4, ActionType.BLOCK));
        send(syn());
        assertEquals(0, toNet.size());
        assertEquals(1, toApps.size());
        assertResetForSyn(toApps.getFirst());
        send(syn()); // the retransmission of a blocked flow is refused again
        assertEquals(2, toApps.size());
    }

    @Test
    @DisplayName("ALE_AUTH_CONNECT blocks a UDP flow: the application gets port unreachable quoting its datagram")
    void blockedDatagramIsUnreachable() {
        engine.addFilter(FilterSpec.of(Layer.ALE_AUTH_CONNECT_V4, ActionType.BLOCK));
        byte[] datagram = ipv4(HOST, REMOTE, UDP, 64, udp(5000, 53, new byte[] {1, 2, 3}));
        send(datagram);
        assertEquals(0, toNet.size());
        assertEquals(1, toApps.size());
        byte[] error = toApps.getFirst();
        assertArrayEquals(ip(REMOTE).getAddress(), Arrays.copyOfRange(error, 12, 16));
        assertEquals(1, error[9], "ICMP");
        assertEquals(3, error[20], "Destination Unreachable");
        assertEquals(3, error[21], "port unreachable");
        assertArrayEquals(datagram, Arrays.copyOfRange(error, 28, 28 + datagram.length), "quotes the datagram");
    }

    @Test
    @DisplayName("OUTBOUND_TRANSPORT blocks a SYN: reset; absorbs one: no answer")
    void transportBlockAndAbsorb() {
        UUID key = UUID.randomUUID();
        boolean[] absorb = {false};
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            out.setActionType(Fwpsk.FWP_ACTION_BLOCK);
            if (absorb[0]) {
                out.setFlags(out.flags() | ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB);
            }
        }));
        engine.addFilter(FilterSpec.callout(Layer.OUTBOUND_TRANSPORT_V4, ActionType.CALLOUT_TERMINATING, key));
        send(syn());
        assertEquals(1, toApps.size());
        assertResetForSyn(toApps.getFirst());
        absorb[0] = true;
        send(ipv4(HOST, REMOTE, TCP, 64, tcp(40001, 80, 1000, 0, SYN, new byte[0])));
        assertEquals(1, toApps.size(), "an absorbed packet was taken by the callout, not refused");
    }

    @Test
    @DisplayName("a pended connect blocked by its reauthorization is reset at the completion, with no packet in hand")
    void pendedConnectBlockedByReauthorization() {
        UUID key = UUID.randomUUID();
        List<PendedOperation> pended = new ArrayList<>();
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            boolean reauthorize =
                    (values.get(Fwpsk.FWPS_FIELD_ALE_AUTH_CONNECT_V4_FLAGS).integer()
                                    & Fwpsk.FWP_CONDITION_FLAG_IS_REAUTHORIZE)
                            != 0;
            if (!reauthorize) {
                Ref<PendedOperation> operation = new Ref<>();
                assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsPendOperation0(metadata.completionHandle(), operation));
                pended.add(operation.value());
                out.setFlags(out.flags() | ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB);
            }
            out.setActionType(Fwpsk.FWP_ACTION_BLOCK);
            out.clearWriteRight();
        }));
        engine.addFilter(FilterSpec.callout(Layer.ALE_AUTH_CONNECT_V4, ActionType.CALLOUT_TERMINATING, key));
        send(syn());
        assertEquals(0, toApps.size(), "pended: nothing yet");
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        router.drain();
        assertEquals(1, toApps.size());
        assertResetForSyn(toApps.getFirst());
        assertEquals(0, toNet.size());
    }
}
