package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * The held-clone watchdog's timer: nobody calls {@link Verifier#checkHeldClones()} here. The holding time is measured
 * on an injected clock the test moves; the timer itself ticks in real time, every few milliseconds.
 */
class HeldCloneWatchdogTimerTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfWt");
    private static final Duration PERIOD = Duration.ofMillis(5);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AtomicLong clock = new AtomicLong();

    /**
     * The standard level and policy (THROW: the timer has nobody to throw at, so it keeps the violation and prints its
     * report). The test plays the driver: its class is driver code, although it lives in nbl4j's own package.
     */
    private Ndis ndis() {
        return verification.create(VerifierSettings.standard()
                .withDriverCode(HeldCloneWatchdogTimerTest.class.getName())
                .withHeldCloneCheckPeriod(PERIOD)
                .withNanoClock(clock::get));
    }

    @Test
    @ViolatesOnPurpose // the timer's findings are thrown at nobody: the extension would fail the test for them
    @DisplayName("a clone held past the budget is reported by the timer alone, once per holding, with its sites")
    void timerReportsHeldClone() throws InterruptedException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream standardError = System.err;
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try (Ndis ndis = ndis()) {
            NetBufferListPool pool = dataPool(ndis, TAG);
            NetBufferList original = withData(pool.allocateNetBufferList(0, 0));
            int line = line() + 1;
            NetBufferList clone = original.allocateClone(null, null, 0);
            assertNotNull(clone);
            clone.handOff(OwnerState.OWNED, "my-callout");
            clock.addAndGet(Duration.ofSeconds(2).toNanos());

            List<Violation> reported = awaitViolations(ndis.verifier(), 1);

            Violation violation = reported.getFirst();
            assertEquals(BufferRule.CLONE_HELD_TOO_LONG, violation.rule());
            assertSame(clone.track(), violation.buffer());
            assertFalse(violation.thrown(), "nobody was there to throw it at");
            assertEquals(
                    "NET_BUFFER_LIST[CLONE, pool NDnl] held by my-callout for 2000 ms (budget 1000 ms)",
                    violation.detail());
            // The report names the holder, the thread that found it, and the driver's allocating line.
            List<String> report = violation.describe().lines().toList();
            assertEquals(
                    "  object:    NET_BUFFER_LIST[CLONE, pool NDnl] held by my-callout for 2000 ms (budget 1000 ms)",
                    report.get(1));
            assertEquals("  found by:  thread nbl4j held-clone watchdog", report.get(2));
            assertEquals(
                    "  allocated: " + frame(HeldCloneWatchdogTimerTest.class, "timerReportsHeldClone", line)
                            + ", calling NetBufferList.allocateClone",
                    report.get(3));
            Thread.sleep(PERIOD.multipliedBy(10));
            assertEquals(1, ndis.verifier().violations().size(), "the same holding is not reported at every tick");

            clone.handOff(OwnerState.INJECTED, "FwpsInjectForwardAsync0");
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            Violation second = awaitViolations(ndis.verifier(), 2).get(1);
            assertTrue(second.detail().contains("held by FwpsInjectForwardAsync0"), second::detail);

            clone.handOff(OwnerState.OWNED, null);
            clone.freeClone(0);
            original.free();
            pool.close();
            // Under THROW nobody caught them: each report was printed as the violation described itself then, with no
            // logging header in front of it.
            String text = printed.toString(StandardCharsets.UTF_8);
            String headOfFirst = String.join("\n", report.subList(0, 4)) + "\n";
            assertTrue(text.startsWith(headOfFirst), text);
            assertEquals(2, text.lines().filter(report.getFirst()::equals).count(), "one report per holding: " + text);
            assertTrue(text.contains("held by FwpsInjectForwardAsync0"), text);
        } finally {
            System.setErr(standardError);
        }
    }

    @Test
    @DisplayName("the timer runs on a daemon thread, and not after the Ndis closed")
    void timerIsADaemonStoppedByClose() throws InterruptedException {
        Ndis ndis = ndis();
        NetBufferListPool pool = dataPool(ndis, TAG);
        NetBufferList original = withData(pool.allocateNetBufferList(0, 0));
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        Thread timer = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("nbl4j held-clone watchdog"))
                .findFirst()
                .orElseThrow();
        assertTrue(timer.isDaemon());
        Verifier verifier = ndis.verifier();
        verifier.close(); // what Ndis.close() does first
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        Thread.sleep(PERIOD.multipliedBy(20));
        assertEquals(List.of(), verifier.violations());
        clone.freeClone(0);
        original.free();
        pool.close();
        ndis.close();
    }

    /** Waits, in real time, until the verifier holds {@code count} violations. */
    private static List<Violation> awaitViolations(Verifier verifier, int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (verifier.violations().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(PERIOD.toMillis());
        }
        List<Violation> violations = verifier.violations();
        assertEquals(count, violations.size(), violations::toString);
        return violations;
    }
}
