package org.nbl4j.bench;

import io.netty.buffer.PooledByteBufAllocator;

/** The Netty allocators the benchmarks use: each a private instance with Netty's default sizing. */
final class NettyAllocators {
    private NettyAllocators() {}

    /** A direct-preferring {@code PooledByteBufAllocator}, with or without thread caches for non-Netty threads. */
    static PooledByteBufAllocator pooled(boolean useCacheForAllThreads) {
        return new PooledByteBufAllocator(
                true,
                PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(),
                useCacheForAllThreads);
    }
}
