package org.nbl4j.bench;

import java.util.concurrent.TimeUnit;
import org.nbl4j.core.buffer.CloneFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
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
 * {@code NdisAllocateCloneNetBufferList} + {@code NdisFreeCloneNetBufferList} of an NBL with one NB over 1500 data
 * bytes: with partial MDLs (flags 0: one partial MDL is built and freed) and with
 * {@code NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS}. The Netty counterpart is {@code retainedDuplicate()} + {@code release()}
 * in {@link NettyCloneCopyBenchmark}.
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
public class NblCloneBenchmark {
    /** The verifier level: OFF must cost nothing; STANDARD and FULL show what checking costs. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerifierLevel level;

    static final int PACKET = 1500;

    private Ndis ndis;
    private NetBufferListPool dataPool;
    private NetBufferListPool clonePool;
    private NetBufferPool nbPool;
    private NetBufferList original;

    @Setup(Level.Trial)
    public void setUp() {
        ndis = Ndis.create(BenchConfig.verifier(level));
        dataPool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnOr"), 2048));
        clonePool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnCl"), 0));
        nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("BnNb"), 0));
        original = dataPool.allocateNetBufferList(0, 0);
        if (original.firstNetBuffer().retreat(PACKET, 0, null) != NtStatus.NDIS_STATUS_SUCCESS) {
            throw new IllegalStateException("retreat failed");
        }
        byte[] bytes = new byte[PACKET];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        original.firstNetBuffer().write(0, bytes);
        // sanity: both clone kinds describe the original's 1500 bytes
        for (int flags : new int[] {0, CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS}) {
            NetBufferList clone = original.allocateClone(clonePool, nbPool, flags);
            if (clone.firstNetBuffer().dataLength() != PACKET
                    || !java.util.Arrays.equals(clone.firstNetBuffer().toByteArray(), bytes)) {
                throw new IllegalStateException("clone does not describe the original's data");
            }
            clone.freeClone(flags);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        original.free();
        clonePool.close(); // throws if a clone was not returned
        nbPool.close();
        dataPool.close();
        ndis.close();
    }

    /** Clone with partial MDLs (the default): NBL + NB + one partial MDL, all freed again. */
    @Benchmark
    public NetBufferList clonePartialMdls() {
        NetBufferList clone = original.allocateClone(clonePool, nbPool, 0);
        clone.freeClone(0);
        return clone;
    }

    /** Clone sharing the original's MDLs: NBL + NB only. */
    @Benchmark
    public NetBufferList cloneOriginalMdls() {
        NetBufferList clone = original.allocateClone(clonePool, nbPool, CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        clone.freeClone(CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        return clone;
    }
}
