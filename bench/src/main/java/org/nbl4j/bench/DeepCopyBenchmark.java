package org.nbl4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
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
 * A deep copy of one packet into a new NBL, and the two floors it is judged against.
 *
 * <ul>
 *   <li>{@link #nblDeepCopy}: {@code NdisAllocateNetBufferList} from a data pool (DataSize 9216), a fast-path
 *       {@code NdisRetreatNetBufferDataStart} of {@code size} bytes (bookkeeping only), {@code
 *       NdisCopyFromNetBufferToNetBuffer}, {@code NdisFreeNetBufferList}.
 *   <li>{@link #rawCopy}: {@code MemorySegment.copy} of the same bytes between two preallocated native segments.
 *   <li>{@link #rawCopyPlusPoolAllocation}: the same pool allocate/free plus one {@code MemorySegment.copy} straight
 *       into the new element's buffer, with no NB bookkeeping: the least any deep copy into a pooled NBL can do.
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
public class DeepCopyBenchmark {
    static final int DATA_SIZE = 9216;

    @Param({"64", "1500", "9000"})
    public int size;

    private Ndis ndis;
    private NetBufferListPool dataPool;
    private NetBufferList source;
    private NetBuffer sourceNb;
    private Arena arena;
    private MemorySegment rawSource;
    private MemorySegment rawTarget;

    @Setup(Level.Trial)
    public void setUp() {
        ndis = Ndis.create(VerifierSettings.off());
        dataPool = ndis.allocateNetBufferListPool(
                NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("BnCp"), DATA_SIZE));
        byte[] bytes = new byte[size];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        source = dataPool.allocateNetBufferList(0, 0);
        sourceNb = source.firstNetBuffer();
        if (sourceNb.retreat(size, 0, null) != NtStatus.NDIS_STATUS_SUCCESS) {
            throw new IllegalStateException("retreat failed");
        }
        sourceNb.write(0, bytes);

        arena = Arena.ofShared();
        rawSource = arena.allocate(DATA_SIZE, 16);
        rawTarget = arena.allocate(DATA_SIZE, 16);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, rawSource, 0, size);

        // sanity: the benchmarked deep copy produces the source's bytes
        NetBufferList copy = dataPool.allocateNetBufferList(0, 0);
        NetBuffer nb = copy.firstNetBuffer();
        nb.retreat(size, 0, null);
        if (NetBuffer.copy(nb, 0, size, sourceNb, 0) != size || !Arrays.equals(nb.toByteArray(), bytes)) {
            throw new IllegalStateException("deep copy is wrong");
        }
        copy.free();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.free();
        dataPool.close(); // throws if a copy was not returned
        ndis.close();
        arena.close();
    }

    @Benchmark
    public int nblDeepCopy() {
        NetBufferList copy = dataPool.allocateNetBufferList(0, 0);
        NetBuffer nb = copy.firstNetBuffer();
        nb.retreat(size, 0, null);
        int copied = NetBuffer.copy(nb, 0, size, sourceNb, 0);
        copy.free();
        return copied;
    }

    @Benchmark
    public MemorySegment rawCopy() {
        MemorySegment.copy(rawSource, 0, rawTarget, 0, size);
        return rawTarget;
    }

    @Benchmark
    public NetBufferList rawCopyPlusPoolAllocation() {
        NetBufferList copy = dataPool.allocateNetBufferList(0, 0);
        Mdl mdl = copy.firstNetBuffer().mdlChain();
        MemorySegment.copy(rawSource, 0, mdl.buffer(), mdl.bufferOffset() + DATA_SIZE - size, size);
        copy.free();
        return copy;
    }
}
