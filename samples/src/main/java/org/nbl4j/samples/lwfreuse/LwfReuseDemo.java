package org.nbl4j.samples.lwfreuse;

import java.io.PrintStream;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.verify.ViolationReport;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Report;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * {@code nbl4j demo lwf-reuse}: the seed-001 filter as posted on Windows 10 (the stale-send reports grouped by the
 * driver's line, the leak at shutdown, poolmon before and after, the recycled NBL's {@code -info -log} dump), then the
 * same driver on Windows 7 and the corrected driver on Windows 10 for comparison, and the verdict.
 */
public final class LwfReuseDemo {
    /** Packets each run sends. */
    public static final int SENDS = 1000;
    /** NBLs the filter preallocates. */
    public static final int PREALLOCATED = 32;

    private LwfReuseDemo() {}

    /**
     * Runs the demo, printing to {@code out}: first what the verifier found in the posted driver (each rule once, with
     * its count, the driver's lines and the fix), then the poolmon views and the dump that explain it, the comparison
     * with Windows 7 and the corrected driver, and the verdict last.
     *
     * @return 0 when every run behaved as the seed thread and §1.4 describe, 1 otherwise
     */
    public static int run(PrintStream out) {
        Report posted = LwfReuseRun.run(Variant.RECYCLING, PlatformProfile.WINDOWS_10, PREALLOCATED, SENDS);
        out.print(ViolationReport.of(posted.violations()).describe());
        out.print(ViolationReport.of(posted.shutdownNotes()).describe());
        out.println();
        out.printf(
                "Seed 001 LWF as posted (recycles its send NBLs), WINDOWS_10 profile: %d NBLs preallocated, %d sent%n%n",
                PREALLOCATED, posted.sent());
        PoolmonTable poolmon = PoolmonTable.create();
        out.println("poolmon before the first send:");
        out.println(poolmon.render(posted.poolsBefore()));
        out.println("poolmon after every send completed (changes since before):");
        out.println(poolmon.render(posted.poolsAfterDrain(), posted.poolsBefore()));
        out.println("!ndiskd.nbl -info -log of the NBL the next send would reuse:");
        out.println(posted.nextNblDump());
        out.printf(
                "Wfpn still allocated after the filter freed its NBLs at detach: %d%n%n",
                posted.wfpnLeakedAtShutdown());

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
        long stale = posted.violations().stream()
                .filter(violation -> violation.rule() == WfpRule.WFP_INFO_STALE_ON_SEND)
                .count();
        boolean asDescribed = posted.wfpnGrowth() == SENDS
                && stale == SENDS - PREALLOCATED
                && windows7.wfpnGrowth() == 0
                && windows7.violations().isEmpty()
                && corrected.wfpnGrowth() == 0
                && corrected.violations().isEmpty()
                && corrected.poolsAtShutdown().outstanding().isEmpty();
        out.println(
                asDescribed
                        ? "verdict: as the seed describes: the posted driver leaks one Wfpn per re-send on Windows 10,"
                                + " nothing on Windows 7; the corrected driver is clean"
                        : "verdict: NOT as the seed describes (see the summary above)");
        return asDescribed ? 0 : 1;
    }
}
