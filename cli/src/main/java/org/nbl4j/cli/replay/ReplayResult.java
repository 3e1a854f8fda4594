package org.nbl4j.cli.replay;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.verify.LeakReport;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.stack.ip.IpStatistics;

/**
 * The outcome of a replay: what was read and offered, what each interface and the IP layer did, the pool usage after
 * the router was closed, and the verifier's verdict.
 *
 * @param source what was replayed
 * @param config the router it was replayed through
 * @param packetsRead frames read from the capture, IP or not
 * @param skipped packets not offered, by reason (every reason present)
 * @param interfaces per interface, in configuration order
 * @param ip the IP layer's counters at the end
 * @param poolUsage pool usage by tag once the router was closed: every Diff is 0 unless something leaked
 * @param leaks tracked buffers still allocated once the router was closed
 * @param violations rules the run broke
 * @param elapsedNanos wall-clock time of the replay
 */
public record ReplayResult(
        CaptureSource source,
        RouterConfig config,
        long packetsRead,
        Map<SkipReason, Long> skipped,
        List<InterfaceResult> interfaces,
        IpStatistics ip,
        WfpCounts wfp,
        PoolUsageSnapshot poolUsage,
        LeakReport leaks,
        List<Violation> violations,
        long elapsedNanos) {

    public ReplayResult {
        skipped = new EnumMap<>(skipped);
        interfaces = List.copyOf(interfaces);
        violations = List.copyOf(violations);
    }

    /** Packets not offered to the router, for every reason. */
    public long totalSkipped() {
        long total = 0;
        for (long count : skipped.values()) {
            total += count;
        }
        return total;
    }

    /** Whether something leaked: a tracked buffer outstanding or a pool tag whose Diff is not 0. */
    public boolean leaked() {
        return !leaks.isEmpty() || !poolUsage.outstanding().isEmpty();
    }

    /** No leak and no violation: the command exits with 0. */
    public boolean clean() {
        return !leaked() && violations.isEmpty();
    }
}
