package org.nbl4j.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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

    /** The allocator a benchmark's {@code allocator} parameter names: {@code pooled} or {@code adaptive}, caches on. */
    static ByteBufAllocator named(String allocator) {
        return switch (allocator) {
            case "pooled" -> pooled(true);
            case "adaptive" -> new AdaptiveByteBufAllocator(true, true);
            default -> throw new IllegalArgumentException(allocator);
        };
    }

    /**
     * A direct buffer of {@code size} bytes of the benchmarks' pattern, after checking that {@code copy()} of it is
     * direct and equal (so that the copy benchmarks measure a real deep copy).
     */
    static ByteBuf filledSource(ByteBufAllocator alloc, int size) {
        ByteBuf source = alloc.directBuffer(size);
        for (int i = 0; i < size; i++) {
            source.writeByte(i * 31 + 7);
        }
        ByteBuf copy = source.copy();
        if (!copy.isDirect() || !copy.equals(source)) {
            throw new IllegalStateException("copy is wrong: " + copy);
        }
        copy.release();
        return source;
    }
}
