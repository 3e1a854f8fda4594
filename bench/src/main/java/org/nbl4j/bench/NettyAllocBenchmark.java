package org.nbl4j.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Netty 4.2 direct-buffer allocate + release, the peer of {@link NblAllocFreeBenchmark}.
 *
 * <p>{@code threadCache}: the JMH thread is not a {@code FastThreadLocalThread}, so by Netty 4.2's defaults neither
 * allocator gives it a thread-local cache ({@code useCacheForAllThreads=false},
 * {@code useCacheForNonEventLoopThreads=false}); {@code true} turns the cache on, which is what an event loop gets.
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
public class NettyAllocBenchmark {
    @Param({"64", "1500", "2048", "9000"})
    public int size;

    @Param({"true", "false"})
    public boolean threadCache;

    private ByteBufAllocator pooled;
    private ByteBufAllocator adaptive;

    @Setup(Level.Trial)
    public void setUp() {
        pooled = NettyAllocators.pooled(threadCache);
        adaptive = new AdaptiveByteBufAllocator(true, threadCache);
        for (ByteBufAllocator allocator : new ByteBufAllocator[] {pooled, adaptive}) {
            ByteBuf buf = allocator.directBuffer(size);
            if (!buf.isDirect() || buf.capacity() != size) {
                throw new IllegalStateException(allocator + " gave " + buf);
            }
            buf.release();
        }
    }

    @Benchmark
    public ByteBuf pooledDirect() {
        ByteBuf buf = pooled.directBuffer(size);
        buf.release();
        return buf;
    }

    @Benchmark
    public ByteBuf adaptiveDirect() {
        ByteBuf buf = adaptive.directBuffer(size);
        buf.release();
        return buf;
    }
}
