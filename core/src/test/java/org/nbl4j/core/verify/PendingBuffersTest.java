package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierFixture.FakeClock;
import org.nbl4j.junit.NdisVerifierExtension;

/** {@code !ndiskd.pendingnbls}: who holds each outstanding NBL, and for how long, on a fake clock. */
class PendingBuffersTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfPn");

    @Test
    @DisplayName("a SENT NBL is pending: state SENT, holder miniport, held for the clock's time")
    void sentNblIsPending() {
        FakeClock clock = new FakeClock();
        try (Ndis ndis = verification.create(VerifierSettings.standard()
                .withDriverCode(PendingBuffersTest.class.getName())
                .withSamplingInterval(1)
                .withNanoClock(clock))) {
            NetBufferListPool pool = dataPool(ndis, TAG);
            NetBufferList sent = pool.allocateNetBufferList(0, 0);
            NetBufferList kept = pool.allocateNetBufferList(0, 0);
            assertNotNull(sent);
            assertNotNull(kept);
            clock.advance(Duration.ofMillis(500));
            sent.handOff(OwnerState.SENT, "miniport");
            clock.advance(Duration.ofSeconds(2));

            List<PendingBuffer> pending = ndis.verifier().pending();

            assertEquals(2, pending.size());
            PendingBuffer first = pending.getFirst();
            assertSame(kept.track(), first.buffer(), "the longest held first");
            assertEquals(OwnerState.OWNED, first.state());
            assertNull(first.holder(), "held by its allocator");
            assertEquals(Duration.ofMillis(2500), first.held());
            PendingBuffer second = pending.get(1);
            assertSame(sent.track(), second.buffer());
            assertEquals(OwnerState.SENT, second.state());
            assertEquals("miniport", second.holder());
            assertEquals(Duration.ofSeconds(2), second.held());

            sent.handOff(OwnerState.OWNED, null);
            PendingBuffer back = ndis.verifier().pending().stream()
                    .filter(p -> p.buffer() == sent.track())
                    .findFirst()
                    .orElseThrow();
            assertEquals(OwnerState.OWNED, back.state());
            assertNull(back.holder());
            assertEquals(Duration.ZERO, back.held());

            sent.free();
            kept.free();
            assertEquals(List.of(), ndis.verifier().pending());
        }
    }
}
