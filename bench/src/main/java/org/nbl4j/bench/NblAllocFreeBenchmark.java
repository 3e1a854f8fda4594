package org.nbl4j.bench;

import java.util.concurrent.TimeUnit;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierLevel;
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
 * {@code NdisAllocateNetBufferList} + {@code NdisFreeNetBufferList} on a pool with {@code fAllocateNetBuffer = TRUE}:
 * one NBL with its embedded NB, without data ({@code DataSize = 0}) and with a 2048-byte data buffer (a data pool).
 * Compare with {@link NettyAllocBenchmark}.
 *
 * <p>A pool's per-thread cache is found without a {@code ThreadLocal} lookup while only one thread has used the pool.
 * {@link #allocateFreeSharedPool} measures the other case: another thread has allocated from the pool once, so every
 * allocate and free looks its cache up in the {@code ThreadLocal}, as in a pool that several threads share.
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
public class NblAllocFreeBenchmark {
    /** The verifier level: OFF must cost nothing; STANDARD and FULL show what checking costs. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerifierLevel level;

    private Ndis ndis;
    private NetBufferListPool plainPool;
    private NetBufferListPool dataPool;
    private NetBufferListPool sharedPool;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        ndis = Ndis.create(BenchConfig.verifier(level));
        plainPool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnPl"), 0));
        dataPool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnDt"), 2048));
        sharedPool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnSh"), 0));
        Thread other = new Thread(() -> sharedPool.allocateNetBufferList(0, 0).free());
        other.start();
        other.join();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plainPool.close(); // throws if an NBL was not returned
        dataPool.close();
        sharedPool.close();
        ndis.close();
    }

    /** NBL + embedded NB, no data. */
    @Benchmark
    public NetBufferList allocateFree() {
        NetBufferList nbl = plainPool.allocateNetBufferList(0, 0);
        nbl.free();
        return nbl;
    }

    /** NBL + embedded NB, no data, from a pool another thread has used (the ThreadLocal path). */
    @Benchmark
    public NetBufferList allocateFreeSharedPool() {
        NetBufferList nbl = sharedPool.allocateNetBufferList(0, 0);
        nbl.free();
        return nbl;
    }

    /** NBL + embedded NB + MDL + 2048 data bytes. */
    @Benchmark
    public NetBufferList allocateFreeData2048() {
        NetBufferList nbl = dataPool.allocateNetBufferList(0, 0);
        nbl.free();
        return nbl;
    }
}
