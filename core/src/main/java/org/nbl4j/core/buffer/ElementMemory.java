package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.TaggedMemory;

/**
 * Where a pool's elements keep their preallocated memory (data buffers, context blocks).
 *
 * <p>Normally all elements share the pool's arena, which lives as long as the pool: elements are recycled, never
 * freed. A verifying pool gives each element an arena of its own and closes it when the element is freed, so any
 * later access to the element's memory throws; such elements are not recycled.
 */
final class ElementMemory {
    private final boolean verify;
    private final Arena shared = Arena.ofShared();

    ElementMemory(boolean verify) {
        this.verify = verify;
    }

    boolean verify() {
        return verify;
    }

    /** The arena a new element's memory comes from. */
    Arena arenaForNewElement() {
        return verify ? Arena.ofShared() : shared;
    }

    MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(Math.max(bytes, 1), TaggedMemory.ALIGNMENT);
    }

    /** Makes a freed element's memory inaccessible, if the pool verifies. */
    void retire(@Nullable Arena elementArena) {
        if (verify && elementArena != null && elementArena != shared) {
            elementArena.close();
        }
    }

    void close() {
        shared.close();
    }
}
