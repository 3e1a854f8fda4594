package org.nbl4j.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the fork's CPU time per operation ({@code cpu.time.norm}, ns/op) next to JMH's wall-clock
 * score: {@code -prof org.nbl4j.bench.CoreCpuTimeProfiler}.
 *
 * <p>On a VM whose two cores other jobs share, the wall-clock time of an iteration includes every moment the
 * benchmark thread waited for a core; the process's CPU time does not. In steady state (no compilation, no GC: the
 * nbl4j benchmarks allocate nothing) nearly all of it is the benchmark thread's, so it is the better figure for an A/B
 * comparison run while the machine is loaded. It still includes what the other JVM threads do and what the cache loses
 * to the other jobs, so it is an upper bound, not a replacement for a quiet machine.
 */
public final class CoreCpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - startNanos;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.time.norm", (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }
}
