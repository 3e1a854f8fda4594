package org.nbl4j.core.memory.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Counts allocations and frees of one kind of fixed-size element (the NBLs of one pool, MDL descriptors) and adds
 * them to the totals of their {@link org.nbl4j.core.memory.TagAccount}.
 *
 * <p>Because every element has the same size, only the two counts are kept and the bytes in use are derived:
 * counting an allocation is one plain store into the calling thread's own {@link Cell} of a {@link StripedCounters},
 * which matters on the path of every NBL allocation. The cells are a {@link Recycler}'s per-thread magazines
 * themselves, so that counting needs no lookup of its own.
 */
public final class ElementCounter {
    private static final int ALLOCS = 0;
    private static final int FREES = 1;

    private final long elementBytes;
    private final StripedCounters counts = new StripedCounters(2);

    /** A counter of elements of {@code elementBytes} each; {@code TagAccount.elementCounter} makes and registers it. */
    public ElementCounter(long elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** The accounted size of one element. */
    public long elementBytes() {
        return elementBytes;
    }

    /** Elements allocated so far. */
    public long allocs() {
        return counts.sum(ALLOCS);
    }

    /** Elements freed so far. */
    public long frees() {
        return counts.sum(FREES);
    }

    /** Elements allocated and not yet freed. */
    public long outstanding() {
        // Frees first: a read racing with an element's allocation and free then leans to counting it outstanding
        // rather than to a total below 0.
        long frees = frees();
        return allocs() - frees;
    }

    /**
     * Counts one free in the calling thread's own cell of the counts: for a closed {@link Recycler} on a thread that
     * has no magazine of it, rarely enough that the lookup does not matter.
     */
    void freed() {
        counts.increment(FREES);
    }

    /** Adds a new cell's counts to the totals from now on. */
    void register(Cell cell) {
        counts.register(cell);
    }

    /**
     * One thread's share of the counts (a recycler's magazine). Only its owning thread may count into it. The two
     * counts are fields of the magazine itself, so counting an allocation is one store next to the free list the
     * allocation already reads.
     */
    abstract static class Cell extends StripedCounters.Cell {
        private static final VarHandle ALLOCATED;
        private static final VarHandle FREED;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                ALLOCATED = lookup.findVarHandle(Cell.class, "allocated", long.class);
                FREED = lookup.findVarHandle(Cell.class, "freed", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long allocated;
        private long freed;

        /** Counts one allocation. */
        final void allocated() {
            // Plain read: only this thread writes. Opaque store: readers on other threads see whole values.
            ALLOCATED.setOpaque(this, allocated + 1);
        }

        /** Counts one free. */
        final void freed() {
            FREED.setOpaque(this, freed + 1);
        }

        @Override
        int width() {
            return 2;
        }

        @Override
        long get(int counter) {
            return switch (Objects.checkIndex(counter, 2)) {
                case ALLOCS -> (long) ALLOCATED.getOpaque(this);
                default -> (long) FREED.getOpaque(this);
            };
        }
    }
}
