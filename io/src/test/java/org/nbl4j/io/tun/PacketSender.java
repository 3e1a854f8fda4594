package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;

/**
 * Builds the NBLs a test sends and frees them when they complete: whole packets in a data pool's buffer, or packets
 * split over two MDLs of separately allocated memory so that sends must gather.
 */
final class PacketSender implements AutoCloseable {
    static final PoolTag DATA_TAG = PoolTag.of("Tstd");
    static final PoolTag SPLIT_TAG = PoolTag.of("Tsts");
    static final PoolTag MEMORY_TAG = PoolTag.of("Tstm");

    private final Ndis ndis;
    private final NetBufferListPool dataPool;
    private final NetBufferListPool splitPool;
    private final Map<NetBufferList, MemoryBlock[]> splitMemory = new IdentityHashMap<>();

    PacketSender(Ndis ndis, int dataSize) {
        this.ndis = ndis;
        this.dataPool = Objects.requireNonNull(
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, DATA_TAG, dataSize)));
        this.splitPool = Objects.requireNonNull(
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, SPLIT_TAG, 0)));
    }

    /** An NBL whose one NB holds {@code bytes} at the end of a data-pool buffer. */
    NetBufferList whole(byte[] bytes) {
        NetBufferList nbl = Objects.requireNonNull(dataPool.allocateNetBufferList(0, 0));
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.retreat(bytes.length, 0, null, null));
        NetBuffer nb = Objects.requireNonNull(nbl.firstNetBuffer());
        assertEquals(bytes.length, nb.write(0, bytes));
        return nbl;
    }

    /** An NBL whose NB describes {@code bytes} over two MDLs, split after {@code split} bytes. */
    NetBufferList split(byte[] bytes, int split) {
        MemoryBlock first = Objects.requireNonNull(ndis.allocateMemoryWithTag(split, MEMORY_TAG));
        MemoryBlock second = Objects.requireNonNull(ndis.allocateMemoryWithTag(bytes.length - split, MEMORY_TAG));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, first.segment(), 0, split);
        MemorySegment.copy(MemorySegment.ofArray(bytes), split, second.segment(), 0, bytes.length - split);
        Mdl head = ndis.allocateMdl(first.segment(), split);
        head.setNext(ndis.allocateMdl(second.segment(), bytes.length - split));
        NetBufferList nbl =
                Objects.requireNonNull(splitPool.allocateNetBufferAndNetBufferList(0, 0, head, 0, bytes.length));
        splitMemory.put(nbl, new MemoryBlock[] {first, second});
        return nbl;
    }

    /** Frees a completed NBL and whatever memory {@link #split} gave it. */
    void release(NetBufferList nbl) {
        MemoryBlock[] memory = splitMemory.remove(nbl);
        if (memory != null) {
            NetBuffer nb = Objects.requireNonNull(nbl.firstNetBuffer());
            Mdl mdl = nb.mdlChain();
            nbl.free();
            while (mdl != null) {
                Mdl next = mdl.next();
                ndis.freeMdl(mdl);
                mdl = next;
            }
            for (MemoryBlock block : memory) {
                ndis.freeMemory(block);
            }
        } else {
            nbl.free();
        }
    }

    @Override
    public void close() {
        dataPool.close();
        splitPool.close();
    }
}
