package org.nbl4j.core.memory.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counts allocations and frees of one kind of fixed-size element (the NBLs of one pool, MDL descriptors) and adds
 * them to the totals of their {@link org.nbl4j.core.memory.TagAccount}.
 *
 * <p>Because every element has the same size, only the two counts are kept and the bytes in use are derived:
 * counting an allocation is one plain store into the calling thread's own {@link Cell}, which matters on the path of
 * every NBL allocation. The cells are a {@link Recycler}'s per-thread magazines themselves, so that counting needs no
 * lookup of its own.
 */
public final class ElementCounter {
    private final long elementBytes;
    private final CopyOnWriteArrayList<Cell> cells = new CopyOnWriteArrayList<>();

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
        long allocs = 0;
        for (Cell cell : cells) {
            allocs += (long) Cell.ALLOCS.getOpaque(cell);
        }
        return allocs;
    }

    /** Elements freed so far. */
    public long frees() {
        long frees = 0;
        for (Cell cell : cells) {
            frees += (long) Cell.FREES.getOpaque(cell);
        }
        return frees;
    }

    /** Elements allocated and not yet freed. */
    public long outstanding() {
        long outstanding = 0;
        for (Cell cell : cells) {
            outstanding += (long) Cell.ALLOCS.getOpaque(cell) - (long) Cell.FREES.getOpaque(cell);
        }
        return outstanding;
    }

    /** Adds a new cell's counts to the totals from now on. */
    void register(Cell cell) {
        cells.add(cell);
    }

    /** One thread's share of the counts (a recycler's magazine). Only its owning thread may count into it. */
    abstract static class Cell {
        private static final VarHandle ALLOCS;
        private static final VarHandle FREES;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                ALLOCS = lookup.findVarHandle(Cell.class, "allocs", long.class);
                FREES = lookup.findVarHandle(Cell.class, "frees", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long allocs;
        private long frees;

        /** Counts one allocation. */
        final void allocated() {
            ALLOCS.setOpaque(this, allocs + 1);
        }

        /** Counts one free. */
        final void freed() {
            FREES.setOpaque(this, frees + 1);
        }
    }
}
