package org.nbl4j.samples.forwardinject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.forwardinject.ForwardInjectRun.Report;

/**
 * Issue 5, must-show 3: the forward-layer callout of seeds 000 and 002 on a router over two in-memory adapters, and
 * the variant that holds its clones too long.
 */
class ForwardInjectTest {
    private static final int PACKETS = 20;

    @Test
    @DisplayName("v4 and v6 leave on interface 2 with the new DSCP and a valid checksum; originals back; nothing left")
    void clonesAreModifiedAndForwardInjected() {
        List<byte[]> sent = ForwardInjectRun.mixedPackets(PACKETS);
        Report report = ForwardInjectRun.run(new ForwardInjectCallout(), sent);

        assertEquals(PACKETS, report.egress().size());
        for (int i = 0; i < PACKETS; i++) {
            assertArrayEquals(expected(sent.get(i)), report.egress().get(i), "packet " + i);
        }
        assertEquals(PACKETS, report.injected());
        assertEquals(report.injected(), report.completed(), "one completion per accepted injection");
        assertEquals(0, report.failedCompletions());
        // The stack counts the originals it forwarded up to the classify; the clones replace them on the wire.
        assertEquals(report.receiveBuffers(), report.receiveBuffersFree(), "every original went back to wire1");
        assertEquals(List.of(), report.violations());
        assertEquals(List.of(), report.heldClones());
        assertEquals(List.of(), report.poolsAtShutdown().outstanding());
    }

    @Test
    @DisplayName("seed 000: clones held past the budget are reported CLONE_HELD_TOO_LONG, then injected and freed")
    void heldClonesTripTheWatchdog() {
        List<byte[]> sent = ForwardInjectRun.mixedPackets(4);
        Report report = ForwardInjectRun.run(new HoldingForwardCallout(), sent);

        assertEquals(4, report.heldClones().size());
        List<Violation> held = report.violations().stream()
                .filter(violation -> violation.rule() == BufferRule.CLONE_HELD_TOO_LONG)
                .toList();
        assertEquals(4, held.size());
        assertEquals(held.size(), report.violations().size(), () -> "nothing else: " + report.violations());
        assertTrue(held.getFirst().detail().contains("budget " + ForwardInjectRun.CLONE_BUDGET.toMillis() + " ms"));
        assertTrue(report.heldCloneDump().contains("ChildRefCount"), report::heldCloneDump);

        // The late verdict injects the clones unmodified: the packets leave as the router forwards them.
        assertEquals(4, report.egress().size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(forwardedUnchanged(sent.get(i)), report.egress().get(i), "packet " + i);
        }
        assertEquals(4, report.completed());
        assertEquals(report.receiveBuffers(), report.receiveBuffersFree());
        assertEquals(List.of(), report.poolsAtShutdown().outstanding());
    }

    /** What the router forwards: TTL / hop limit one lower (IPv4 checksum updated). */
    private static byte[] forwardedUnchanged(byte[] packet) {
        byte[] out = packet.clone();
        if ((out[0] >> 4) == 4) {
            out[8]--;
            setChecksum(out);
        } else {
            out[7]--;
        }
        return out;
    }

    /** What the callout injects: the forwarded packet with DSCP EF and, for IPv4, a recomputed header checksum. */
    private static byte[] expected(byte[] packet) {
        byte[] out = forwardedUnchanged(packet);
        int dscp = ForwardInjectCallout.NEW_DSCP;
        if ((out[0] >> 4) == 4) {
            out[1] = (byte) (dscp << 2 | (out[1] & 0x03));
            setChecksum(out);
        } else {
            out[0] = (byte) (0x60 | dscp >>> 2);
            out[1] = (byte) ((dscp & 0x03) << 6 | (out[1] & 0x3F));
        }
        return out;
    }

    private static void setChecksum(byte[] ipv4) {
        int checksum = SamplePackets.ipv4HeaderChecksum(ipv4, 0);
        ipv4[10] = (byte) (checksum >>> 8);
        ipv4[11] = (byte) checksum;
    }
}
