package org.nbl4j.junit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.LeakReport;
import org.nbl4j.core.verify.RuleKind;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;

/**
 * What one NDIS instance left behind when a test ended: the shutdown's leak note ({@link BufferRule#LEAKED_AT_SHUTDOWN},
 * Driver Verifier's 0xC4/0x62 at unload) with the tracked buffers still outstanding, and the violations the test was
 * not told about because its policy does not throw.
 *
 * @param shutdownLeak the leak noted when the instance shut down, or {@code null} if every tag was back to 0
 * @param leaks the tracked buffers still outstanding after the shutdown
 * @param silentViolations state violations recorded under {@code COLLECT} or {@code LOG}; under {@code THROW}, and
 *     for argument errors under any policy, each one already reached the test as a {@code RuleViolation} thrown at the
 *     line that broke the rule
 */
record NdisFindings(@Nullable Violation shutdownLeak, LeakReport leaks, List<Violation> silentViolations) {

    /** Shuts {@code ndis} down (again, harmlessly, if the test already did) and reads what it left behind. */
    static NdisFindings shutDown(Ndis ndis) {
        ndis.close();
        List<Violation> violations = ndis.verifier().violations();
        Violation shutdownLeak = violations.stream()
                .filter(violation -> violation.rule() == BufferRule.LEAKED_AT_SHUTDOWN)
                .findFirst()
                .orElse(null);
        LeakReport leaks = shutdownLeak == null
                ? new LeakReport(List.of())
                : ndis.verifier().leaks("test end");
        boolean silent = ndis.verifier().settings().policy() != ViolationPolicy.THROW;
        List<Violation> silentViolations = silent
                ? violations.stream()
                        // Argument errors were thrown at the test whatever the policy; shutdown notes are the leak
                        // above.
                        .filter(violation -> violation.rule().kind() == RuleKind.STATE)
                        .toList()
                : List.of();
        return new NdisFindings(shutdownLeak, leaks, silentViolations);
    }

    boolean leaked() {
        return shutdownLeak != null;
    }

    /**
     * The findings as a driver writer reads them, top-down: one line per broken rule (equal ones at the same line
     * counted once with the first one's detail, as poolmon groups by tag) and per leaking allocation site, each naming the line ({@code
     * Site.where()}); then the full reports.
     */
    String describe() {
        StringBuilder text = new StringBuilder();
        Map<String, List<Violation>> grouped = new LinkedHashMap<>();
        for (Violation violation : silentViolations) {
            String key = violation.rule().name() + " at " + violation.site().where();
            grouped.computeIfAbsent(key, _ -> new ArrayList<>()).add(violation);
        }
        grouped.forEach((key, group) -> text.append(group.size())
                .append(" x ")
                .append(key)
                .append(": ")
                .append(firstLine(group.getFirst()))
                .append('\n'));
        Violation leak = shutdownLeak;
        if (leak != null) {
            if (leaks.isEmpty()) {
                // The tags are exact; sites exist only for tracked buffers (below FULL, a sample of them).
                text.append("leaked, without a tracked allocation site: ")
                        .append(leak.detail()
                                .lines()
                                .skip(1)
                                .takeWhile(line -> line.startsWith("  "))
                                .map(String::strip)
                                .collect(Collectors.joining("; ")))
                        .append('\n');
            }
            for (Map.Entry<String, List<BufferTrack>> site : leaks.bySite().entrySet()) {
                BufferTrack first = site.getValue().getFirst();
                text.append(site.getValue().size())
                        .append(" x ")
                        .append(first.description())
                        .append(" leaked, allocated at ")
                        .append(site.getKey())
                        .append('\n');
            }
        }
        grouped.values()
                .forEach(group -> text.append('\n').append(group.getFirst().describe()));
        if (leak != null) {
            text.append('\n').append(leak.describe());
        }
        return text.toString();
    }

    private static String firstLine(Violation violation) {
        String detail = violation.detail().strip();
        int end = detail.indexOf('\n');
        return end < 0 ? detail : detail.substring(0, end);
    }
}
