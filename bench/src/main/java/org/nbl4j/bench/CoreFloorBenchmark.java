package org.nbl4j.bench;

import java.util.concurrent.TimeUnit;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.TaggedMemory;
import org.nbl4j.core.memory.internal.Recycler;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floors under a pooled allocate + free, measured in the same run as the NBL benchmarks: what taking one object
 * out of a pool and putting it back costs before any NDIS state is set up.
 *
 * <ul>
 *   <li>{@link #arrayStackPopPush}: pop and push of a plain {@code Object[]} stack held by the benchmark thread: no
 *       thread check, no counting; the least any object pool can cost.
 *   <li>{@link #recyclerTakeGive}: {@link Recycler#take()} + {@link Recycler#give} on a recycler only this thread uses
 *       and that counts its elements under a tag, as every NBL, NB and MDL pool does.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            BenchConfig.NO_LEAK_DETECTION,
            BenchConfig.UNSAFE_ALLOW,
            BenchConfig.NATIVE_ACCESS,
            BenchConfig.XMS,
            BenchConfig.XMX
        })
@State(Scope.Thread)
public class CoreFloorBenchmark {
    private final Object[] stack = new Object[64];
    private int depth;
    private TaggedMemory memory;
    private Recycler<Object> recycler;

    @Setup(Level.Trial)
    public void setUp() {
        stack[depth++] = new Object();
        memory = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch());
        recycler = new Recycler<>(memory.account(PoolTag.of("BnFl")).elementCounter(64));
        recycler.give(new Object());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        memory.close();
    }

    @Benchmark
    public Object arrayStackPopPush() {
        int top = --depth;
        Object item = stack[top];
        stack[top] = null;
        stack[depth++] = item;
        return item;
    }

    @Benchmark
    public Object recyclerTakeGive() {
        Object item = recycler.take();
        recycler.give(item);
        return item;
    }
}
