package org.nbl4j.junit;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleKind;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationReport;

/**
 * What one NDIS instance left behind when a test ended: the shutdown's leak note ({@link BufferRule#LEAKED_AT_SHUTDOWN},
 * Driver Verifier's 0xC4/0x62 at unload), whose report lists the tags still allocated and the tracked buffers among
 * them, and the violations the test was not told about.
 *
 * @param shutdownLeak the leak noted when the instance shut down, or {@code null} if every tag was back to 0
 * @param silentViolations the violations that did not reach the code under test: every one recorded but not {@link
 *     Violation#thrown() thrown} (under {@code COLLECT} or {@code LOG}, or found by the held-clone watchdog's timer with
 *     nobody to throw at), except the shutdown's leak note above. A thrown violation reached the code that broke the
 *     rule as a {@code RuleViolation} at its line, and is not repeated.
 */
record NdisFindings(@Nullable Violation shutdownLeak, List<Violation> silentViolations) {

    /** Shuts {@code ndis} down (again, harmlessly, if the test already did) and reads what it left behind. */
    static NdisFindings shutDown(Ndis ndis) {
        ndis.close();
        List<Violation> violations = ndis.verifier().violations();
        Violation shutdownLeak = violations.stream()
                .filter(violation -> violation.rule() == BufferRule.LEAKED_AT_SHUTDOWN)
                .findFirst()
                .orElse(null);
        List<Violation> silentViolations = violations.stream()
                .filter(violation -> violation.rule().kind() != RuleKind.SHUTDOWN && !violation.thrown())
                .toList();
        return new NdisFindings(shutdownLeak, silentViolations);
    }

    boolean leaked() {
        return shutdownLeak != null;
    }

    /**
     * The findings as a driver writer reads them, top-down, in the verifier's own report format: each broken rule once
     * per driver line with its count ({@link ViolationReport}, as poolmon groups by tag), naming the driver's line
     * that broke it and the one that allocated the buffer; then the shutdown's leak note, with the tags still
     * allocated and the driver's allocating line of each tracked buffer among them.
     */
    String describe() {
        StringBuilder text = new StringBuilder();
        if (!silentViolations.isEmpty()) {
            text.append(ViolationReport.of(silentViolations).describe());
        }
        Violation leak = shutdownLeak;
        if (leak != null) {
            text.append(leak.describe());
        }
        return text.toString();
    }
}
