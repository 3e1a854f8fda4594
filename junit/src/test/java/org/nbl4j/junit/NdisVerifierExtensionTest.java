package org.nbl4j.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;

/**
 * The extension's verdicts, each on a small test class run through the JUnit platform's test kit: the classes nested
 * here are fixtures, not run by the build itself.
 */
class NdisVerifierExtensionTest {
    private static final PoolTag TAG = PoolTag.of("JuXt");

    @ExtendWith(NdisVerifierExtension.class)
    static class Leaking {
        @Test
        void leaksOneNbl(Ndis ndis) {
            NetBufferListPool pool = pool(ndis);
            pool.allocateNetBufferList(0, 0); // leaked here
        }
    }

    @ExtendWith(NdisVerifierExtension.class)
    static class Clean {
        @Test
        void freesWhatItAllocates(Ndis ndis) {
            NetBufferListPool pool = pool(ndis);
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            Objects.requireNonNull(nbl).free();
            pool.close();
        }
    }

    @ExtendWith(NdisVerifierExtension.class)
    static class LeakingOnPurpose {
        @Test
        @LeaksOnPurpose
        void leaks(Ndis ndis) {
            pool(ndis).allocateNetBufferList(0, 0);
        }

        @Test
        @LeaksOnPurpose
        void saysItLeaksButDoesNot(Ndis ndis) {
            pool(ndis).close();
        }
    }

    @ExtendWith(NdisVerifierExtension.class)
    static class ViolatingSilently {
        @Test
        void freesTwice(Ndis ndis) {
            NetBufferListPool pool = pool(ndis);
            NetBufferList nbl = Objects.requireNonNull(pool.allocateNetBufferList(0, 0));
            nbl.free();
            nbl.free(); // freed twice here
            pool.close();
        }

        @Test
        @ViolatesOnPurpose
        void freesTwiceOnPurpose(Ndis ndis) {
            freesTwice(ndis);
        }
    }

    static class RegisteredThrowing {
        @RegisterExtension
        final NdisVerifierExtension verifier = new NdisVerifierExtension();

        private final Ndis ndis = verifier.create(VerifierSettings.full());

        @Test
        void doubleFreeIsThrownToTheTest() {
            NetBufferListPool pool = pool(ndis);
            NetBufferList nbl = Objects.requireNonNull(pool.allocateNetBufferList(0, 0));
            nbl.free();
            try {
                nbl.free();
            } catch (RuntimeException expected) {
                // Under THROW the test saw the violation at its line: the extension does not report it again.
            }
            pool.close();
        }

        @Test
        void leakOfARegisteredInstance() {
            pool(ndis).allocateNetBufferList(0, 0); // leaked by a registered instance here
        }
    }

    /**
     * Under THROW, a clone held past its budget while the test sleeps: the watchdog's timer finds it with nobody to throw
     * at, so the test itself never sees it, though it frees everything. The holding time runs on a clock the test
     * moves; the timer ticks in real time.
     */
    static class HoldingACloneUnderThrow {
        @RegisterExtension
        final NdisVerifierExtension verifier = new NdisVerifierExtension();

        private final AtomicLong clock = new AtomicLong();
        private final Ndis ndis = verifier.create(VerifierSettings.standard()
                .withDriverCode(NdisVerifierExtensionTest.class.getName())
                .withHeldCloneCheckPeriod(Duration.ofMillis(5))
                .withNanoClock(clock::get));

        @Test
        void holdsACloneTooLong() throws InterruptedException {
            NetBufferListPool pool = Objects.requireNonNull(
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 64)));
            NetBufferList original = Objects.requireNonNull(pool.allocateNetBufferList(0, 0));
            NetBuffer nb = Objects.requireNonNull(original.firstNetBuffer());
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(16, 0, null));
            NetBufferList clone = Objects.requireNonNull(original.allocateClone(null, null, 0)); // cloned here
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ndis.verifier().violations().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            clone.freeClone(0);
            original.free();
            pool.close();
        }
    }

    static class HoldingACloneOnPurpose extends HoldingACloneUnderThrow {
        @Test
        @ViolatesOnPurpose
        @Override
        void holdsACloneTooLong() throws InterruptedException {
            super.holdsACloneTooLong();
        }
    }

    static NetBufferListPool pool(Ndis ndis) {
        return Objects.requireNonNull(
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, TAG, 0)));
    }

    /** {@code NdisVerifierExtensionTest.java:<n>} for the line of this file that ends with {@code marker}. */
    private static String line(String marker) {
        try {
            List<String> lines =
                    Files.readAllLines(Path.of("src/test/java/org/nbl4j/junit/NdisVerifierExtensionTest.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).endsWith(marker)) {
                    return "NdisVerifierExtensionTest.java:" + (i + 1) + ")";
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no line ends with " + marker);
    }

    private static Events run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute()
                .testEvents();
    }

    private static List<String> failures(Events events) {
        return events.failed().stream()
                .map(event -> event.getRequiredPayload(TestExecutionResult.class)
                        .getThrowable()
                        .orElseThrow()
                        .getMessage())
                .toList();
    }

    @Test
    void aLeakFailsTheTestNamingTheAllocatingLine() {
        List<String> failures = failures(run(Leaking.class));

        assertEquals(1, failures.size());
        String message = failures.getFirst();
        // The verifier's own report: the rule first, then the tracked buffer's allocating line.
        assertTrue(message.startsWith("LEAKED_AT_SHUTDOWN ("), message);
        assertTrue(
                message.contains("  allocated:  " + Leaking.class.getName() + ".leaksOneNbl(" + line("// leaked here")),
                message);
        assertTrue(message.strip().endsWith("or mark it @LeaksOnPurpose."), message);
    }

    @Test
    void aTestThatFreesEverythingPasses() {
        run(Clean.class).assertStatistics(stats -> stats.succeeded(1).failed(0));
    }

    @Test
    void leaksOnPurposeRequiresALeak() {
        Events events = run(LeakingOnPurpose.class);

        events.assertStatistics(stats -> stats.succeeded(1).failed(1));
        assertEquals(
                List.of("The test is marked @LeaksOnPurpose but every NDIS instance it used shut down with nothing"
                        + " allocated."),
                failures(events));
    }

    @Test
    void aSilentViolationFailsTheTestNamingRuleAndLine() {
        Events events = run(ViolatingSilently.class);

        events.assertStatistics(stats -> stats.succeeded(1).failed(1));
        String message = failures(events).getFirst();
        List<String> lines = message.lines().toList();
        assertTrue(lines.getFirst().startsWith("NBL_DOUBLE_FREE ("), message);
        assertEquals(
                "  broken at: " + ViolatingSilently.class.getName() + ".freesTwice(" + line("// freed twice here"),
                lines.get(2),
                message);
    }

    @Test
    void aViolationNobodyWasThrownFailsTheTestUnderThrow() {
        PrintStream standardError = System.err;
        // The timer prints what it could not throw; keep it out of the build's output.
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Events unmarked;
        Events marked;
        try {
            unmarked = run(HoldingACloneUnderThrow.class);
            marked = run(HoldingACloneOnPurpose.class);
        } finally {
            System.setErr(standardError);
        }

        unmarked.assertStatistics(stats -> stats.succeeded(0).failed(1));
        String message = failures(unmarked).getFirst();
        assertTrue(message.startsWith("CLONE_HELD_TOO_LONG ("), message);
        assertTrue(message.contains("  found by:  thread nbl4j held-clone watchdog"), message);
        assertTrue(message.contains(".holdsACloneTooLong(" + line("// cloned here")), message);
        assertTrue(message.strip().endsWith("or mark it @ViolatesOnPurpose."), message);
        marked.assertStatistics(stats -> stats.succeeded(1).failed(0));
    }

    @Test
    void registeredInstancesAreCheckedAndThrownViolationsAreNotRepeated() {
        Events events = run(RegisteredThrowing.class);

        events.assertStatistics(stats -> stats.succeeded(1).failed(1));
        assertTrue(
                failures(events).getFirst().contains(line("// leaked by a registered instance here")),
                failures(events)::toString);
    }
}
