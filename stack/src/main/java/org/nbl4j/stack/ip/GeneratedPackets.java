package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;

/**
 * Packets the IP layer makes itself: an NBL from the layer's pool ({@link IpPoolTags#PACKET_NBLS}) describing one
 * block of tagged memory of exactly the packet's length through one MDL. The block is remembered in
 * {@code ProtocolReserved[1]} so that {@link #free} gives back all three.
 */
final class GeneratedPackets implements AutoCloseable {
    private final Ndis ndis;
    private final NetBufferListPool pool;

    GeneratedPackets(Ndis ndis) {
        this.ndis = ndis;
        NetBufferListPool made =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, IpPoolTags.PACKET_NBLS, 0));
        if (made == null) {
            throw new IllegalStateException("the IP layer's NBL pool could not be made");
        }
        this.pool = made;
    }

    /** A packet of {@code length} bytes (contents undefined), or null when memory ran out. */
    @Nullable
    NetBufferList allocate(int length, PoolTag tag) {
        MemoryBlock block = ndis.allocateMemoryWithTag(length, tag);
        if (block == null) {
            return null;
        }
        Mdl mdl = ndis.allocateMdl(block.segment(), length);
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, mdl, 0, length);
        if (nbl == null) {
            ndis.freeMdl(mdl);
            ndis.freeMemory(block);
            return null;
        }
        nbl.protocolReserved()[1] = block;
        return nbl;
    }

    /** Whether the NBL is one of this layer's own packets. */
    boolean owns(NetBufferList nbl) {
        return nbl.pool() == pool;
    }

    /** Frees the NBL, its MDL and its memory. */
    void free(NetBufferList nbl) {
        MemoryBlock block = (MemoryBlock) nbl.protocolReserved()[1];
        NetBuffer nb = nbl.firstNetBuffer();
        Mdl mdl = nb == null ? null : nb.mdlChain();
        nbl.free();
        if (mdl != null) {
            ndis.freeMdl(mdl);
        }
        if (block != null) {
            ndis.freeMemory(block);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
