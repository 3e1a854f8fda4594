package org.nbl4j.samples.lwfreuse;

import java.io.PrintStream;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Report;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * {@code nbl4j demo lwf-reuse}: the seed-001 filter as posted on Windows 10 (poolmon before and after, the first
 * stale-send report, the recycled NBL's {@code -info -log} dump, the leak at shutdown), then the same driver on
 * Windows 7 and the corrected driver on Windows 10 for comparison.
 */
public final class LwfReuseDemo {
    /** Packets each run sends. */
    public static final int SENDS = 1000;
    /** NBLs the filter preallocates. */
    public static final int PREALLOCATED = 32;

    private LwfReuseDemo() {}

    /**
     * Runs the demo, printing to {@code out}.
     *
     * @return 0 when every run behaved as the seed thread and §1.4 describe, 1 otherwise
     */
    public static int run(PrintStream out) {
        Report posted = LwfReuseRun.run(Variant.RECYCLING, PlatformProfile.WINDOWS_10, PREALLOCATED, SENDS);
        out.printf(
                "Seed 001 LWF as posted (recycles its send NBLs), WINDOWS_10 profile: %d NBLs preallocated, %d sent%n%n",
                PREALLOCATED, posted.sent());
        PoolmonTable poolmon = PoolmonTable.create();
        out.println("poolmon before the first send:");
        out.println(poolmon.render(posted.poolsBefore()));
        out.println("poolmon after every send completed (changes since before):");
        out.println(poolmon.render(posted.poolsAfterDrain(), posted.poolsBefore()));
        long stale = posted.violations().stream()
                .filter(violation -> violation.rule() == WfpRule.WFP_INFO_STALE_ON_SEND)
                .count();
        out.printf(
                "verifier: %d violation(s), %d of them WFP_INFO_STALE_ON_SEND; the first:%n",
                posted.violations().size(), stale);
        Violation first = LwfReuseRun.first(posted.violations(), WfpRule.WFP_INFO_STALE_ON_SEND);
        out.println(first == null ? "  (none)" : first.describe());
        out.println("!ndiskd.nbl -info -log of the NBL the next send would reuse:");
        out.println(posted.nextNblDump());
        out.printf(
                "Wfpn still allocated after the filter freed its NBLs at detach: %d%n", posted.wfpnLeakedAtShutdown());
        Violation leak = LwfReuseRun.first(posted.shutdownNotes(), BufferRule.LEAKED_AT_SHUTDOWN);
        out.println(leak == null ? "  (no leak noted at shutdown)" : leak.describe());

        Report windows7 = LwfReuseRun.run(Variant.RECYCLING, PlatformProfile.WINDOWS_7, PREALLOCATED, SENDS);
        Report corrected = LwfReuseRun.run(Variant.CORRECTED, PlatformProfile.WINDOWS_10, PREALLOCATED, SENDS);
        out.println("Summary                                 Wfpn growth  leaked at shutdown  violations");
        for (Report report : new Report[] {posted, windows7, corrected}) {
            out.printf(
                    "%-10s on %-26s %11d  %18d  %10d%n",
                    report.variant(),
                    report.profile(),
                    report.wfpnGrowth(),
                    report.wfpnLeakedAtShutdown(),
                    report.violations().size());
        }
        boolean asDescribed = posted.wfpnGrowth() == SENDS
                && stale == SENDS - PREALLOCATED
                && windows7.wfpnGrowth() == 0
                && windows7.violations().isEmpty()
                && corrected.wfpnGrowth() == 0
                && corrected.violations().isEmpty()
                && corrected.poolsAtShutdown().outstanding().isEmpty();
        return asDescribed ? 0 : 1;
    }
}
