package org.nbl4j.cli.replay;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.verify.LeakReport;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.stack.ip.IpStatistics;

/**
 * The outcome of a replay: what was read and offered, and the {@link RouterReport} of the router it went through.
 *
 * @param source what was replayed
 * @param packetsRead frames read from the capture, IP or not
 * @param skipped packets not offered, by reason (every reason present)
 * @param coalesced packets offered as RSC indications: TCP packets longer than the MTU (docs/offloads.md, Replay)
 * @param router what the router did, its pools once closed and the verifier's verdict
 */
public record ReplayResult(
        CaptureSource source, long packetsRead, Map<SkipReason, Long> skipped, long coalesced, RouterReport router) {

    public ReplayResult {
        skipped = new EnumMap<>(skipped);
    }

    /** Packets not offered to the router, for every reason. */
    public long totalSkipped() {
        long total = 0;
        for (long count : skipped.values()) {
            total += count;
        }
        return total;
    }

    public RouterConfig config() {
        return router.config();
    }

    public List<InterfaceResult> interfaces() {
        return router.interfaces();
    }

    public IpStatistics ip() {
        return router.ip();
    }

    public WfpCounts wfp() {
        return router.wfp();
    }

    public PoolUsageSnapshot poolUsage() {
        return router.poolUsage();
    }

    public LeakReport leaks() {
        return router.leaks();
    }

    public List<Violation> violations() {
        return router.violations();
    }

    public long elapsedNanos() {
        return router.elapsedNanos();
    }

    /** See {@link RouterReport#leaked()}. */
    public boolean leaked() {
        return router.leaked();
    }

    /** See {@link RouterReport#clean()}. */
    public boolean clean() {
        return router.clean();
    }
}
