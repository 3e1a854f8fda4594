package org.nbl4j.core.buffer;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;

/**
 * A driver's {@code NetAllocateMdl} handler ({@code NET_BUFFER_ALLOCATE_MDL}), called by a retreat that needs more
 * headroom than the NB has.
 *
 * <p>The C handler receives the minimum size in {@code *BufferSize} and writes back the size it really allocated;
 * here the returned MDL's {@link Mdl#byteCount()} is that size, and it must be at least {@code minimumSize}. Its
 * {@code Next} is overwritten.
 */
@FunctionalInterface
public interface NetBufferMdlAllocator {
    /** An MDL of at least {@code minimumSize} bytes with the memory it describes, or {@code null} on failure. */
    @Nullable
    Mdl allocateMdl(int minimumSize);
}
