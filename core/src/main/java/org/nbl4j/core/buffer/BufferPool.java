package org.nbl4j.core.buffer;

import org.nbl4j.core.memory.PoolTag;

/**
 * A pool that NBs and NBLs come from: the {@code NDIS_HANDLE} that {@code NdisGetPoolFromNetBuffer} and
 * {@code NdisGetPoolFromNetBufferList} return.
 */
public sealed interface BufferPool permits NetBufferListPool, NetBufferPool {
    /** The NDIS instance the pool belongs to. */
    Ndis ndis();

    /** The tag the pool's elements are accounted under. */
    PoolTag tag();

    /** Elements allocated and not yet freed. */
    long outstanding();
}
