package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.NdisVerifierExtension;

/** Which buffers the verifier tracks with sites: every one at FULL, a sample at STANDARD, and every clone. */
class TrackingLevelTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfTl");
    private static final int BUFFERS = 200;

    @Test
    @DisplayName(
            "FULL tracks every NBL, even when reached from the sampled defaults with withLevel (as --verifier=full)")
    void fullTracksEveryBuffer() {
        VerifierSettings full = VerifierSettings.standard()
                .withSamplingInterval(Integer.MAX_VALUE)
                .withLevel(VerifierLevel.FULL);
        assertEquals(1, full.samplingInterval());
        assertEquals(1, full.withSamplingInterval(128).samplingInterval(), "FULL keeps every buffer whatever is asked");
        try (Ndis ndis = verification.create(full)) {
            NetBufferListPool pool = dataPool(ndis, TAG);
            List<NetBufferList> allocated = new ArrayList<>();
            for (int i = 0; i < BUFFERS; i++) {
                NetBufferList nbl = pool.allocateNetBufferList(0, 0);
                assertNotNull(nbl);
                assertNotNull(nbl.track(), "NBL " + i + " is not tracked");
                allocated.add(nbl);
            }
            assertEquals(BUFFERS, ndis.verifier().pending().size());
            allocated.forEach(NetBufferList::free);
            pool.close();
        }
    }

    @Test
    @DisplayName("STANDARD tracks every clone, however rarely it samples the other buffers")
    void standardTracksEveryClone() {
        try (Ndis ndis = verification.create(VerifierSettings.standard().withSamplingInterval(Integer.MAX_VALUE))) {
            NetBufferListPool pool = dataPool(ndis, TAG);
            NetBufferList original = pool.allocateNetBufferList(0, 0);
            assertNotNull(original);
            withData(original);
            // Fails in the one case in 2^31 - 1 where the original is sampled.
            assertNull(original.track());
            List<NetBufferList> clones = new ArrayList<>();
            for (int i = 0; i < BUFFERS; i++) {
                NetBufferList clone = original.allocateClone(null, null, 0);
                assertNotNull(clone);
                BufferTrack track = clone.track();
                assertNotNull(track, "clone " + i + " is not tracked");
                assertTrue(track.isClone());
                clones.add(clone);
            }
            clones.forEach(clone -> clone.freeClone(0));
            original.free();
            pool.close();
        }
    }
}
