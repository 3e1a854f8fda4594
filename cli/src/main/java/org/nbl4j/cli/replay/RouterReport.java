package org.nbl4j.cli.replay;

import java.util.List;
import java.util.Map;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.verify.LeakReport;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.stack.ip.IpStatistics;

/**
 * What a router built from a {@link RouterConfig} did, replayed or live: per-interface and IP-layer counts, WFP
 * counts, the pool usage once it was closed, and the verifier's verdict.
 *
 * @param config the router
 * @param interfaces per interface, in configuration order
 * @param ip the IP layer's counters at the end
 * @param wfp what the WFP filter engine saw
 * @param poolUsage pool usage by tag once the router was closed: every Diff is 0 unless something leaked
 * @param leaks tracked buffers still allocated once the router was closed
 * @param tracked per tag, how many buffers the verifier tracked with sites over the run (all of them at full)
 * @param violations rules the run broke
 * @param elapsedNanos wall-clock time of the run
 */
public record RouterReport(
        RouterConfig config,
        List<InterfaceResult> interfaces,
        IpStatistics ip,
        WfpCounts wfp,
        PoolUsageSnapshot poolUsage,
        LeakReport leaks,
        Map<PoolTag, Long> tracked,
        List<Violation> violations,
        long elapsedNanos) {

    public RouterReport {
        interfaces = List.copyOf(interfaces);
        tracked = Map.copyOf(tracked);
        violations = List.copyOf(violations);
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
