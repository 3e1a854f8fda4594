package org.nbl4j.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * One allocation from {@link TaggedMemory}: what {@code NdisAllocateMemoryWithTagPriority} returns.
 *
 * <p>Outside checked mode a block is a slot of a size class in a slab and is reused after it is freed, so its
 * {@link #segment()} may be larger than asked for (up to the size class) and stays readable after the free. In checked
 * mode each block has an arena of its own, of the exact size, closed when the block is freed: any access after the
 * free throws {@link IllegalStateException}, the counterpart of special pool.
 */
public final class MemoryBlock {
    final TaggedMemory owner;
    final int sizeClass;
    final @Nullable Arena arena;
    final MemorySegment segment;

    @Nullable
    TagAccount account;

    long size;
    boolean allocated;
    /** The {@link MemoryWatch}'s record of this block, if followed; kept after the free to name the first free. */
    @Nullable
    Object record;

    MemoryBlock(TaggedMemory owner, int sizeClass, @Nullable Arena arena, MemorySegment segment) {
        this.owner = owner;
        this.sizeClass = sizeClass;
        this.arena = arena;
        this.segment = segment;
    }

    /** The memory: at least {@link #size()} bytes, 16-byte aligned. */
    public MemorySegment segment() {
        return segment;
    }

    /** The memory the block came from and must be freed to ({@code NdisFreeMemory} takes no handle). */
    public TaggedMemory owner() {
        return owner;
    }

    /** The number of bytes that were asked for. */
    public long size() {
        return size;
    }

    /** The tag the block was allocated under. */
    public PoolTag tag() {
        TagAccount current = account;
        if (current == null) {
            throw new IllegalStateException("memory block is not allocated");
        }
        return current.tag();
    }

    @Override
    public String toString() {
        return "memory block of " + size + " bytes";
    }

    /** Whether the block is allocated (not yet freed). */
    public boolean isAllocated() {
        return allocated;
    }
}
