package org.nbl4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
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
 * The walks over a 1500-byte packet split across three MDLs, where every operation has to go through
 * {@link org.nbl4j.core.memory.MdlCursor} rather than a single-MDL fast path. Their {@code gc.alloc.rate.norm} shows
 * that the cursors these walks create never reach the heap.
 *
 * <ul>
 *   <li>{@link #copyAcrossMdls}: {@code NdisCopyFromNetBufferToNetBuffer} between two NBs whose MDL boundaries differ
 *       (two cursors in step).
 *   <li>{@link #copyToSegment}: {@link NetBuffer#copyTo} of the whole packet into a native segment.
 *   <li>{@link #adjustCurrentMdl}: {@code NdisAdjustNetBufferCurrentMdl} for a data start in the third MDL.
 *   <li>{@link #physicalCount}: {@code NdisQueryNetBufferPhysicalCount}.
 *   <li>{@link #clonePartialMdls}: {@code NdisAllocateCloneNetBufferList} without {@code USE_ORIGINAL_MDLS} (three
 *       partial MDLs) + {@code NdisFreeCloneNetBufferList}.
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
public class CursorBenchmark {
    private static final PoolTag TAG = PoolTag.of("BnCu");
    private static final int PACKET = 1500;

    private Ndis ndis;
    private NetBufferListPool pool;
    private NetBufferList source;
    private NetBufferList destination;
    private NetBufferList thirdMdlStart;
    private Arena arena;
    private MemorySegment target;

    @Setup(Level.Trial)
    public void setUp() {
        ndis = Ndis.create(VerifierSettings.off());
        pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        source = packet(0, 54, 500, 946);
        destination = packet(0, 20, 1000, 480);
        thirdMdlStart = packet(600, 54, 500, 946);
        arena = Arena.ofShared();
        target = arena.allocate(PACKET);
    }

    /** An NBL over three MDLs of the given sizes, its data starting at {@code dataOffset}. */
    private NetBufferList packet(int dataOffset, int... sizes) {
        Mdl head = null;
        Mdl tail = null;
        for (int size : sizes) {
            MemoryBlock block = ndis.allocateMemoryWithTag(size, TAG);
            Mdl mdl = ndis.allocateMdl(block.segment(), size);
            if (tail == null) {
                head = mdl;
            } else {
                tail.setNext(mdl);
            }
            tail = mdl;
        }
        return pool.allocateNetBufferAndNetBufferList(0, 0, head, dataOffset, PACKET - dataOffset);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ndis.close();
        arena.close();
    }

    @Benchmark
    public int copyAcrossMdls() {
        return NetBuffer.copy(destination.firstNetBuffer(), 0, PACKET, source.firstNetBuffer(), 0);
    }

    @Benchmark
    public int copyToSegment() {
        return source.firstNetBuffer().copyTo(0, target, 0, PACKET);
    }

    @Benchmark
    public int adjustCurrentMdl() {
        NetBuffer nb = thirdMdlStart.firstNetBuffer();
        nb.adjustCurrentMdl();
        return nb.currentMdlOffset();
    }

    @Benchmark
    public int physicalCount() {
        return source.firstNetBuffer().physicalCount();
    }

    @Benchmark
    public NetBufferList clonePartialMdls() {
        NetBufferList clone = source.allocateClone(pool, null, 0);
        clone.freeClone(0);
        return clone;
    }
}
