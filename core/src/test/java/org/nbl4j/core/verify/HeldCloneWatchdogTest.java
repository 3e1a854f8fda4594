package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;
import static org.nbl4j.core.verify.VerifierFixture.withData;

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
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * The held-clone watchdog's look, driven by a fake clock and called explicitly (the timer is off here: its own test is
 * {@code HeldCloneWatchdogTimerTest}): no sleeps.
 */
class HeldCloneWatchdogTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfWd");
    private static final Duration BUDGET = Duration.ofMillis(100);

    private final FakeClock clock = new FakeClock();
    private final Ndis ndis = verification.create(VerifierSettings.full()
            .withDriverCode(HeldCloneWatchdogTest.class.getName())
            .withPolicy(ViolationPolicy.COLLECT)
            .withHeldCloneBudget(BUDGET)
            .withHeldCloneCheckPeriod(Duration.ZERO)
            .withNanoClock(clock));
    private final Verifier verifier = ndis.verifier();
    private final NetBufferList original = original();

    private NetBufferList original() {
        NetBufferList nbl = dataPool(ndis, TAG).allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return withData(nbl);
    }

    @Test
    @DisplayName("a clone held past the budget is CLONE_HELD_TOO_LONG, with its allocation site and holder")
    @ViolatesOnPurpose
    void cloneHeldTooLong() {
        int line = line() + 1;
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        BufferTrack track = clone.track();
        assertNotNull(track);
        assertTrue(track.isClone());
        clone.handOff(OwnerState.OWNED, "my-callout");
        clock.advance(Duration.ofMillis(150));

        List<PendingBuffer> late = verifier.checkHeldClones();

        assertEquals(1, late.size(), "only the clone: the original is held as long but is no clone");
        PendingBuffer pending = late.getFirst();
        assertSame(track, pending.buffer());
        assertEquals("my-callout", pending.holder());
        assertEquals(Duration.ofMillis(150), pending.held());
        List<Violation> violations = verifier.violations();
        assertEquals(1, violations.size());
        Violation violation = violations.getFirst();
        assertEquals(BufferRule.CLONE_HELD_TOO_LONG, violation.rule());
        assertSame(track, violation.buffer());
        assertEquals(
                frame(HeldCloneWatchdogTest.class, "cloneHeldTooLong", line),
                track.allocation().where());
        assertEquals(
                "NET_BUFFER_LIST[CLONE, pool NDnl] held by my-callout for 150 ms (budget 100 ms)", violation.detail());
        assertTrue(
                violation.describe().contains(frame(HeldCloneWatchdogTest.class, "cloneHeldTooLong", line)),
                violation.describe());
        clone.freeClone(0);
        original.free();
    }

    @Test
    @DisplayName("an NBL made a clone after allocation, as a WFP deep clone is (seed 000), is watched like any clone")
    @ViolatesOnPurpose
    void trackedNblMadeAClone() {
        NetBufferList deepClone = original();
        assertNotNull(deepClone.track(), "FULL tracks every NBL");

        deepClone.trackAsClone();
        deepClone.handOff(OwnerState.OWNED, "my-callout");
        clock.advance(Duration.ofMillis(150));

        List<PendingBuffer> late = verifier.checkHeldClones();
        assertEquals(1, late.size(), late::toString);
        assertSame(deepClone.track(), late.getFirst().buffer());
        assertTrue(deepClone.track().isClone());
        assertEquals(
                BufferRule.CLONE_HELD_TOO_LONG, verifier.violations().getFirst().rule());
        deepClone.free();
        original.free();
    }

    @Test
    @DisplayName("an NBL the sampling skipped is tracked once it is made a clone, and then watched")
    @ViolatesOnPurpose
    void sampledOutNblMadeAClone() {
        Ndis sampling = verification.create(VerifierSettings.standard()
                .withSamplingInterval(Integer.MAX_VALUE)
                .withPolicy(ViolationPolicy.COLLECT)
                .withHeldCloneBudget(BUDGET)
                .withHeldCloneCheckPeriod(Duration.ZERO)
                .withNanoClock(clock));
        NetBufferListPool pool = dataPool(sampling, TAG);
        NetBufferList deepClone = pool.allocateNetBufferList(0, 0);
        assertNotNull(deepClone);
        assertNull(deepClone.track(), "one NBL in Integer.MAX_VALUE is tracked: this one almost surely not");

        deepClone.trackAsClone();
        clock.advance(Duration.ofMillis(150));

        assertNotNull(deepClone.track());
        assertEquals(1, sampling.verifier().checkHeldClones().size());
        assertEquals(
                BufferRule.CLONE_HELD_TOO_LONG,
                sampling.verifier().violations().getFirst().rule());
        deepClone.free();
        original.free();
    }

    @Test
    @DisplayName("under (or exactly at) the budget nothing is reported")
    void cloneUnderBudget() {
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        clone.handOff(OwnerState.OWNED, "my-callout");
        clock.advance(BUDGET);

        assertEquals(List.of(), verifier.checkHeldClones());
        assertEquals(List.of(), verifier.violations());
        clone.freeClone(0);
        original.free();
    }

    @Test
    @DisplayName("a freed clone is not reported, however long ago it was made")
    void freedCloneNotReported() {
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        clone.freeClone(0);
        clock.advance(Duration.ofSeconds(10));

        assertEquals(List.of(), verifier.checkHeldClones());
        assertEquals(List.of(), verifier.violations());
        original.free();
    }

    @Test
    @DisplayName("a hand-off restarts the holding time: the budget is per holder")
    void handOffRestartsTheClock() {
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        clock.advance(Duration.ofMillis(90));
        clone.handOff(OwnerState.INJECTED, "FwpsInjectNetworkSendAsync0");
        clock.advance(Duration.ofMillis(90));

        assertEquals(List.of(), verifier.checkHeldClones());
        clone.handOff(OwnerState.OWNED, null);
        clone.freeClone(0);
        original.free();
    }

    @Test
    @DisplayName("under THROW the watchdog throws CLONE_HELD_TOO_LONG")
    void watchdogThrows() {
        try (Ndis throwing = verification.create(VerifierSettings.full()
                .withDriverCode(HeldCloneWatchdogTest.class.getName())
                .withHeldCloneBudget(BUDGET)
                .withHeldCloneCheckPeriod(Duration.ZERO)
                .withNanoClock(clock))) {
            NetBufferList nbl = dataPool(throwing, TAG).allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            NetBufferList clone = withData(nbl).allocateClone(null, null, 0);
            assertNotNull(clone);
            clock.advance(Duration.ofMillis(101));

            RuleViolation thrown = assertThrows(RuleViolation.class, throwing.verifier()::checkHeldClones);

            assertEquals(BufferRule.CLONE_HELD_TOO_LONG, thrown.rule());
            assertTrue(thrown.getMessage().contains("held by its allocator for 101 ms"), thrown.getMessage());
            clone.freeClone(0);
            nbl.free();
        }
        original.free();
    }
}
