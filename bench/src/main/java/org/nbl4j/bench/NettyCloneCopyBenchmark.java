package org.nbl4j.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Netty's shallow and deep clones of a direct buffer holding {@code size} written bytes: {@code retainedDuplicate()}
 * + {@code release()} (the peer of {@link NblCloneBenchmark}, run at 1500 B) and {@code copy()} + {@code release()}
 * (the peer of {@link DeepCopyBenchmark#nblDeepCopy}). {@code copy()} allocates from the source buffer's allocator.
 * Both allocators have thread caches on (Netty's best case for a non-event-loop thread).
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
public class NettyCloneCopyBenchmark {
    @Param({"64", "1500", "9000"})
    public int size;

    @Param({"pooled", "adaptive"})
    public String allocator;

    private ByteBuf source;

    @Setup(Level.Trial)
    public void setUp() {
        ByteBufAllocator alloc = NettyAllocators.named(allocator);
        source = NettyAllocators.filledSource(alloc, size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.release();
    }

    @Benchmark
    public ByteBuf retainedDuplicate() {
        ByteBuf duplicate = source.retainedDuplicate();
        duplicate.release();
        return duplicate;
    }

    @Benchmark
    public ByteBuf copy() {
        ByteBuf copy = source.copy();
        copy.release();
        return copy;
    }
}
