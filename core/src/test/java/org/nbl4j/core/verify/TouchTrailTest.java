package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * The touch trail of a tracked NBL that changes hands for every packet it carries (a miniport's receive buffer): at
 * STANDARD the trail backs off instead of walking the stack at every hand-off, yet still follows the buffer; at FULL
 * every hand-off is kept.
 */
class TouchTrailTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfTt");
    private static final int ROUND_TRIPS = 200_000;

    private static void sendAndComplete(NetBufferList nbl, int times) {
        for (int i = 0; i < times; i++) {
            nbl.handOff(OwnerState.SENT, "miniport");
            nbl.handOff(OwnerState.OWNED, null);
        }
    }

    private static void lateRoundTrips(NetBufferList nbl, int times) {
        sendAndComplete(nbl, times);
    }

    @Test
    @DisplayName("STANDARD: a buffer handed off 400,000 times keeps a few hundred touches, the latest among them")
    void standardBacksOff() {
        try (Ndis ndis = verification.create(VerifierSettings.standard()
                .withDriverCode(TouchTrailTest.class.getName())
                .withSamplingInterval(1)
                .withTouchRecords(4))) {
            NetBufferList nbl = dataPool(ndis, TAG).allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            BufferTrack track = nbl.track();
            assertNotNull(track);

            sendAndComplete(nbl, ROUND_TRIPS);
            lateRoundTrips(nbl, ROUND_TRIPS / 2);

            int kept = track.keptTouches();
            // Expected about 2 * 300,000 / 1024 + 14 (the trail, then the halving steps): about 600.
            assertTrue(kept >= 4 && kept < 3_000, () -> "kept " + kept + " of " + 3 * ROUND_TRIPS + " touches");
            List<Site> trail = track.touches();
            assertEquals(4, trail.size());
            assertTrue(
                    trail.getLast().describe().contains("lateRoundTrips"),
                    () -> "the trail still moves on: " + trail.getLast().describe());
            nbl.free();
        }
    }

    @Test
    @DisplayName("FULL: every hand-off is kept")
    void fullKeepsEveryHandOff() {
        try (Ndis ndis = verification.create(VerifierSettings.full()
                .withDriverCode(TouchTrailTest.class.getName())
                .withTouchRecords(4))) {
            NetBufferList nbl = dataPool(ndis, TAG).allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            BufferTrack track = nbl.track();
            assertNotNull(track);
            int before = track.keptTouches();

            sendAndComplete(nbl, 500);

            assertEquals(before + 1_000, track.keptTouches());
            nbl.free();
        }
    }
}
