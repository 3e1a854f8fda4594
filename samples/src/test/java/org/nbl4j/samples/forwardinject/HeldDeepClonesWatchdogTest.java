package org.nbl4j.samples.forwardinject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.samples.forwardinject.ForwardInjectRun.Report;
import org.nbl4j.samples.testing.SampleSource;

/**
 * Issue 13, must-show 3: through a real router, at the default verifier level (sampling one NBL in 128), a callout that
 * holds deep clones past the budget is reported by the watchdog's own timer (nobody calls {@code checkHeldClones}),
 * each report naming the callout's cloning line. The holding time runs on the run's injected clock.
 */
class HeldDeepClonesWatchdogTest {
    private static final int PACKETS = 6;

    @Test
    @DisplayName("deep clones held past the budget at the standard level: one report each, with the callout's line")
    void heldDeepClonesAreReportedByTheTimer() throws IOException {
        Report report = ForwardInjectRun.run(
                HoldingForwardCallout.deepCloning(), ForwardInjectRun.mixedPackets(PACKETS), VerifierLevel.STANDARD);

        List<Violation> held = report.heldClones();
        assertEquals(PACKETS, held.size(), () -> "every deep clone, not 1 in 128: " + report.violations());
        String cloningLine =
                SampleSource.line("forwardinject/HoldingForwardCallout.java", "FwpsAllocateDeepCloneNetBufferList0(");
        for (Violation violation : held) {
            assertEquals(BufferRule.CLONE_HELD_TOO_LONG, violation.rule());
            assertTrue(violation.detail().contains("held by its allocator"), violation::detail);
            BufferTrack clone = violation.buffer();
            assertNotNull(clone);
            // The report's allocated line is the callout's cloning line, calling the DDI: no frame of nbl4j's.
            List<String> lines = violation.describe().lines().toList();
            assertTrue(
                    lines.get(3).startsWith("  allocated: " + HoldingForwardCallout.class.getName())
                            && lines.get(3).contains("(" + cloningLine + "), calling "),
                    violation::describe);
        }
        assertEquals(held, report.violations(), "nothing else was reported");
        // The late verdict injected the clones; they and the originals are all back.
        assertEquals(PACKETS, report.completed());
        assertEquals(report.receiveBuffers(), report.receiveBuffersFree());
        assertEquals(List.of(), report.poolsAtShutdown().outstanding());
    }
}
