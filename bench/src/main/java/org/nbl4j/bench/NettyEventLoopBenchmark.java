package org.nbl4j.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
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
 * The Netty peers run the way Netty runs them: on {@code FastThreadLocalThread}s (see
 * {@link FastThreadLocalExecutor}), with thread caches on. Direct allocate + release of {@code size} bytes,
 * {@code copy()} + release of a buffer holding {@code size} bytes, and {@code retainedDuplicate()} + release (the
 * source's size does not matter to it; compare it at 1500 B).
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
            BenchConfig.XMX,
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=org.nbl4j.bench.FastThreadLocalExecutor"
        })
@State(Scope.Thread)
public class NettyEventLoopBenchmark {
    @Param({"64", "1500", "2048", "9000"})
    public int size;

    @Param({"pooled", "adaptive"})
    public String allocator;

    private ByteBufAllocator alloc;
    private ByteBuf source;

    @Setup(Level.Trial)
    public void setUp() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("not on a FastThreadLocalThread: " + Thread.currentThread());
        }
        alloc = NettyAllocators.named(allocator);
        source = NettyAllocators.filledSource(alloc, size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.release();
    }

    @Benchmark
    public ByteBuf allocateRelease() {
        ByteBuf buf = alloc.directBuffer(size);
        buf.release();
        return buf;
    }

    @Benchmark
    public ByteBuf copy() {
        ByteBuf copy = source.copy();
        copy.release();
        return copy;
    }

    @Benchmark
    public ByteBuf retainedDuplicate() {
        ByteBuf duplicate = source.retainedDuplicate();
        duplicate.release();
        return duplicate;
    }
}
