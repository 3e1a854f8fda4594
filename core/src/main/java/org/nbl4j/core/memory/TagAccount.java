package org.nbl4j.core.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nbl4j.core.memory.internal.ElementCounter;

/**
 * The running totals of one pool tag: what poolmon shows on one line.
 *
 * <p>Counting happens on the hot path of every NBL allocation, so each thread counts into its own {@link Cell} with
 * plain stores and no atomic read-modify-write; {@link #usage()} adds the cells up. A free counted on another thread
 * than its allocation makes the two cells' differences opposite, and the sum is right.
 */
public final class TagAccount {
    private final PoolTag tag;
    private final CopyOnWriteArrayList<Cell> cells = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ElementCounter> counters = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Cell> local = ThreadLocal.withInitial(this::newCell);

    TagAccount(PoolTag tag) {
        this.tag = tag;
    }

    /**
     * A new counter of fixed-size elements whose counts are added to this tag's totals: one per pool, so that the
     * pool knows its own outstanding elements while poolmon sees the tag's.
     */
    public ElementCounter elementCounter(long elementBytes) {
        ElementCounter counter = new ElementCounter(elementBytes);
        counters.add(counter);
        return counter;
    }

    /** The tag these totals belong to. */
    public PoolTag tag() {
        return tag;
    }

    /** The calling thread's cell; keep it where a per-thread cache lives to skip this lookup. */
    public Cell cell() {
        return local.get();
    }

    /** The totals so far, summed over every thread that counted. */
    public PoolUsage usage() {
        long allocs = 0;
        long frees = 0;
        long bytes = 0;
        for (Cell cell : cells) {
            allocs += (long) Cell.ALLOCS.getOpaque(cell);
            frees += (long) Cell.FREES.getOpaque(cell);
            bytes += (long) Cell.BYTES.getOpaque(cell);
        }
        for (ElementCounter counter : counters) {
            long counterAllocs = counter.allocs();
            long counterFrees = counter.frees();
            allocs += counterAllocs;
            frees += counterFrees;
            bytes += (counterAllocs - counterFrees) * counter.elementBytes();
        }
        return new PoolUsage(tag, allocs, frees, bytes);
    }

    private Cell newCell() {
        Cell cell = new Cell();
        cells.add(cell);
        return cell;
    }

    /** One thread's share of a tag's totals. Only its owning thread may count into it. */
    public static final class Cell {
        private static final VarHandle ALLOCS;
        private static final VarHandle FREES;
        private static final VarHandle BYTES;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                ALLOCS = lookup.findVarHandle(Cell.class, "allocs", long.class);
                FREES = lookup.findVarHandle(Cell.class, "frees", long.class);
                BYTES = lookup.findVarHandle(Cell.class, "bytes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long allocs;
        private long frees;
        private long bytes;

        private Cell() {}

        /** Counts one allocation of {@code size} bytes. */
        public void allocated(long size) {
            ALLOCS.setOpaque(this, allocs + 1);
            BYTES.setOpaque(this, bytes + size);
        }

        /** Counts one free of {@code size} bytes. */
        public void freed(long size) {
            FREES.setOpaque(this, frees + 1);
            BYTES.setOpaque(this, bytes - size);
        }
    }
}
