package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.TaggedMemory;
import org.nbl4j.core.memory.internal.ElementCounter;
import org.nbl4j.core.memory.internal.Recycler;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;

/**
 * What NB and NBL pools have in common: their elements' count under the pool tag, the per-thread caches the elements
 * are recycled through, the memory they keep preallocated (data buffers, context blocks), and whether the pool is
 * still open.
 *
 * <p>Normally all elements share the pool's arena, which lives as long as the pool: elements are recycled, never
 * freed. A verifying pool gives each element an arena of its own and closes it when the element is freed, so any
 * later access to the element's memory throws; such elements are not recycled.
 *
 * <p>The pools extend this class rather than hold it so that an allocation reaches the recycler in one load from the
 * pool: the allocation and free paths are short enough that each dependent load shows.
 *
 * @param <T> the element: {@link NetBuffer} or {@link NetBufferList}
 */
abstract sealed class ElementPool<T> permits NetBufferPool, NetBufferListPool {
    /** The NDIS instance the pool belongs to. */
    final Ndis ndis;
    /** The instance's verifier, which the pool reports to. */
    final Verifier verifier;

    private final String kind;
    private final PoolTag tag;
    /** Freed elements are kept for reuse: the pool neither verifies nor runs in checked mode. */
    private final boolean recycling;

    private final ElementCounter counter;
    private final Recycler<T> recycler;
    private final Arena shared = Arena.ofShared();
    private volatile boolean closed;

    /**
     * @param kind what the elements are called in reports ({@code NBL}, {@code NB})
     * @param elementBytes the accounted size of one element
     */
    ElementPool(Ndis ndis, String kind, PoolTag tag, long elementBytes, boolean verify) {
        this.ndis = ndis;
        this.verifier = ndis.verifier();
        this.kind = kind;
        this.tag = tag;
        this.recycling = !(verify || ndis.checked());
        this.counter = ndis.memory().account(tag).elementCounter(elementBytes);
        this.recycler = new Recycler<>(counter);
    }

    /** The NDIS instance the pool belongs to. */
    public Ndis ndis() {
        return ndis;
    }

    /** The tag the pool's elements are accounted under. */
    public PoolTag tag() {
        return tag;
    }

    /** The instance's verifier. */
    final Verifier verifier() {
        return verifier;
    }

    /** Elements allocated and not yet freed. */
    public long outstanding() {
        return counter.outstanding();
    }

    /**
     * Throws if the pool was freed: its handle is no longer valid.
     *
     * @throws RuleViolation {@link BufferRule#USE_AFTER_FREE}
     */
    final void requireOpen() {
        if (closed) {
            throw verifier.rejected(BufferRule.POOL_USED_AFTER_FREE, kind + " pool " + tag + " was freed");
        }
    }

    /**
     * An element to hand out, counted as one allocation: a freed one, or a new one. Only the making of a new one
     * checks that the pool is open: a closed pool's recycler hands out nothing, so every allocation from it comes
     * here.
     *
     * @throws RuleViolation {@link BufferRule#USE_AFTER_FREE} if the pool was freed
     */
    final T take() {
        T element = recycler.take();
        if (element == null) {
            requireOpen();
            element = newElement(recycling ? shared : Arena.ofShared());
        }
        return element;
    }

    /** A new element whose memory comes from {@code arena}, which it must keep for {@link #arenaOf}. */
    abstract T newElement(Arena arena);

    /** The arena an element's memory came from. */
    abstract @Nullable Arena arenaOf(T element);

    /** Takes a freed element back: recycled, or retired with its memory made inaccessible if the pool verifies. */
    final void giveBack(T element) {
        if (recycling) {
            recycler.give(element);
        } else {
            retire(arenaOf(element));
        }
    }

    private void retire(@Nullable Arena elementArena) {
        recycler.retire();
        if (elementArena != null && elementArena != shared) {
            elementArena.close();
        }
    }

    final MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(Math.max(bytes, 1), TaggedMemory.ALIGNMENT);
    }

    /**
     * The pool's free function: releases the memory, unless elements are still allocated, which is reported under
     * {@code rule} with the tracked ones' allocation sites and leaves the pool open.
     */
    final void close(Rule rule, long bugcheckParameter2, String ddi) {
        if (closed || !verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, NetBufferList.NBLAPI)) {
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
        recycler.close();
        shared.close();
    }
}
