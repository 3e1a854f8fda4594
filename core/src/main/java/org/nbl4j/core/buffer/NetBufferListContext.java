package org.nbl4j.core.buffer;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryBlock;

/**
 * One block of an NBL's context stack: {@code NET_BUFFER_LIST_CONTEXT} (ndis-buffers §4.5).
 *
 * <p>A block has {@code Size} bytes of context space; bytes {@code [Offset, Size)} are in use and {@code [0, Offset)}
 * are free for the next push, so the stack grows toward lower offsets. Blocks are chained through {@code Next}; the
 * NBL's {@code Context} is the top block.
 */
public final class NetBufferListContext {
    /** Bytes in front of ContextData on x64 ({@code MEMORY_ALLOCATION_ALIGNMENT}-aligned header). */
    public static final int HEADER_BYTES = 16;

    @Nullable
    NetBufferListContext next;

    int size;
    int offset;
    /** The block as allocated: a 16-byte header ({@code Next}, {@code Size}, {@code Offset}) then ContextData. */
    MemorySegment memory = MemorySegment.NULL;

    @Nullable
    MemoryBlock block;

    final boolean poolPreallocated;

    NetBufferListContext(boolean poolPreallocated) {
        this.poolPreallocated = poolPreallocated;
    }

    /** {@code Next}: the block below. */
    public @Nullable NetBufferListContext next() {
        return next;
    }

    /** {@code Size}: the block's context space, used and unused. */
    public int size() {
        return size;
    }

    /** {@code Offset}: where the used part starts. */
    public int offset() {
        return offset;
    }

    /** The block's whole context space ({@code ContextData}, {@code size()} bytes); allocates a view. */
    public MemorySegment data() {
        return memory.asSlice(HEADER_BYTES, size);
    }

    /** Whether this is the block the NBL pool preallocates; it is never popped. */
    public boolean isPoolPreallocated() {
        return poolPreallocated;
    }
}
