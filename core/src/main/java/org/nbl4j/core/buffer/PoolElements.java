package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.ElementCounter;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.Recycler;
import org.nbl4j.core.memory.TaggedMemory;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;

/**
 * The elements of one NB or NBL pool: their count under the pool tag, the per-thread caches they are recycled
 * through, the memory they keep preallocated (data buffers, context blocks), and whether the pool is still open.
 *
 * <p>Normally all elements share the pool's arena, which lives as long as the pool: elements are recycled, never
 * freed. A verifying pool gives each element an arena of its own and closes it when the element is freed, so any
 * later access to the element's memory throws; such elements are not recycled.
 *
 * @param <T> the element: {@link NetBuffer} or {@link NetBufferList}
 */
final class PoolElements<T> {
    private final String kind;
    private final PoolTag tag;
    private final boolean verify;
    private final ElementCounter counter;
    private final Recycler<T> recycler;
    private final Arena shared = Arena.ofShared();
    private volatile boolean closed;

    /**
     * @param kind what the elements are called in reports ({@code NBL}, {@code NB})
     * @param elementBytes the accounted size of one element
     */
    PoolElements(Ndis ndis, String kind, PoolTag tag, long elementBytes, boolean verify) {
        this.kind = kind;
        this.tag = tag;
        this.verify = verify || ndis.checked();
        this.counter = ndis.memory().account(tag).elementCounter(elementBytes);
        this.recycler = new Recycler<>(counter);
    }

    /** Elements allocated and not yet freed. */
    long outstanding() {
        return counter.outstanding();
    }

    /**
     * Throws if the pool was freed: its handle is no longer valid.
     *
     * @throws RuleViolation {@link Rule#USE_AFTER_FREE}
     */
    void requireOpen() {
        if (closed) {
            throw new RuleViolation(Rule.USE_AFTER_FREE, kind + " pool " + tag + " was freed");
        }
    }

    /** A freed element to reuse, or {@code null} when the caller must make one; counts one allocation either way. */
    @Nullable
    T take() {
        return recycler.take();
    }

    /** Takes a freed element back: recycled, or retired with its memory made inaccessible if the pool verifies. */
    void giveBack(T element, @Nullable Arena elementArena) {
        if (verify) {
            recycler.retire();
            if (elementArena != null && elementArena != shared) {
                elementArena.close();
            }
        } else {
            recycler.give(element);
        }
    }

    /** The arena a new element's memory comes from. */
    Arena arenaForNewElement() {
        return verify ? Arena.ofShared() : shared;
    }

    MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(Math.max(bytes, 1), TaggedMemory.ALIGNMENT);
    }

    /**
     * The pool's free function: releases the memory, unless elements are still allocated, which is reported under
     * {@code rule} with the tracked ones' allocation sites and leaves the pool open.
     */
    void close(Verifier verifier, Rule rule, long bugcheckParameter2, String ddi) {
        if (closed) {
            return;
        }
        long held = outstanding();
        if (held != 0) {
            verifier.report(
                    rule,
                    held + " " + kind + "s of pool " + tag + " are still allocated; the pool stays open\n"
                            + verifier.leaks(tag, ddi + " " + tag).describe(),
                    null,
                    bugcheckParameter2);
            return;
        }
        closed = true;
        recycler.clear();
        shared.close();
    }
}
