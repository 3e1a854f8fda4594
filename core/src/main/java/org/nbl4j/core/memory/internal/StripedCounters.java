package org.nbl4j.core.memory.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fixed number of {@code long} counters that many threads count into and that statistics read by summing: the
 * counterpart of the per-processor counters Windows drivers keep (one copy per {@code KeGetCurrentProcessorNumberEx})
 * and add up when NDIS queries {@code OID_GEN_STATISTICS} or poolmon reads the pool-tag totals.
 *
 * <p>Each thread counts into its own {@link Cell} with a plain read and an opaque store, no atomic read-modify-write
 * and no cache line written by two threads, which matters on paths that count every packet or every NBL allocation
 * from several receive-queue threads at once. A read adds the cells up:
 *
 * <ul>
 *   <li>once the writers are done and the reader has synchronized with them (joined the threads, taken a lock they
 *       released, read a volatile they wrote), the sum is exact;
 *   <li>while they still count, each cell's value is one its owner wrote, so the sum of a counter that only grows lies
 *       between its values when the read began and when it ended. A counter that goes down on another thread than the
 *       one that raised it (outstanding NBLs: sent on one queue, completed on another) can be read between the two and
 *       so momentarily off either way; its readers wait for quiescence, as NDIS does before it pauses a stack.
 * </ul>
 *
 * <p>A thread's cell is made, and added to the sums, the first time it counts, so a thread that counts steadily
 * allocates nothing. Cells are kept as long as the counters live, even after their thread ends: what the thread
 * counted stays in the totals.
 */
public final class StripedCounters {
    private final int width;
    private final CopyOnWriteArrayList<Cell> cells = new CopyOnWriteArrayList<>();
    private final ThreadSlot<Cell> slot = new ThreadSlot<>(this);

    /** Counters numbered 0 to {@code width − 1}, all 0. */
    public StripedCounters(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("at least one counter: " + width);
        }
        this.width = width;
    }

    /** How many counters there are. */
    public int width() {
        return width;
    }

    /**
     * The calling thread's cell, made on its first call. One {@link ThreadSlot} lookup while several threads count: a
     * path that counts several things at once takes the cell once.
     */
    public Cell cell() {
        Cell cell = slot.get();
        return cell != null ? cell : newCell();
    }

    /** Adds 1 to {@code counter} in the calling thread's cell. */
    public void increment(int counter) {
        cell().add(counter, 1);
    }

    /** Adds {@code amount} (negative to subtract) to {@code counter} in the calling thread's cell. */
    public void add(int counter, long amount) {
        cell().add(counter, amount);
    }

    /** {@code counter}'s total over every cell: exact once the writers are quiescent (see the class comment). */
    public long sum(int counter) {
        long sum = 0;
        for (Cell cell : cells) {
            sum += cell.get(counter);
        }
        return sum;
    }

    /**
     * Adds a cell that its owning thread keeps somewhere of its own to the sums from now on: a per-thread cache that
     * is also its thread's cell (a {@link Recycler}'s magazine) counts without the lookup of {@link #cell()}.
     *
     * @throws IllegalArgumentException if the cell has another number of counters
     */
    void register(Cell cell) {
        if (cell.width() != width) {
            throw new IllegalArgumentException("a cell of " + cell.width() + " counters for " + width);
        }
        cells.add(cell);
    }

    private synchronized Cell newCell() {
        Cell cell = new Cell(width);
        // The list keeps the cell reachable: the thread's table holds it weakly.
        cells.add(cell);
        slot.set(cell);
        return cell;
    }

    /**
     * Slots left empty on either side of a cell's counters. The cells of different threads are allocated apart, but a
     * copying collector may move their arrays next to each other; 128 bytes each side keeps two threads' counters off
     * one cache line and off the pair of lines the adjacent-line prefetcher fetches together.
     */
    private static final int PAD = 16;

    /** One thread's share of the counters. Only its owning thread may count into it; any thread may read it. */
    public static class Cell {
        private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

        private final long[] counts;

        /** A cell of {@code width} counters, to be {@linkplain StripedCounters#register registered} by its owner. */
        Cell(int width) {
            this.counts = new long[PAD + width + PAD];
        }

        /**
         * A cell whose subclass keeps its counters in fields of its own and answers {@link #width()} and
         * {@link #get(int)} from them: on the path of every NBL allocation the array's extra load and index check
         * cost a measurable part of the operation (docs/benchmarks.md, "Striped counters").
         */
        Cell() {
            this.counts = new long[0];
        }

        /** How many counters the cell holds. */
        int width() {
            return counts.length - 2 * PAD;
        }

        /** Adds {@code amount} to {@code counter}; the owning thread only. */
        public final void add(int counter, long amount) {
            // Checked here because the padding would otherwise take a counter number out of range without a word.
            int slot = PAD + Objects.checkIndex(counter, counts.length - 2 * PAD);
            // Plain read: only this thread writes the slot. Opaque store: readers on other threads see whole values.
            COUNTS.setOpaque(counts, slot, counts[slot] + amount);
        }

        long get(int counter) {
            return (long) COUNTS.getOpaque(counts, PAD + Objects.checkIndex(counter, counts.length - 2 * PAD));
        }
    }
}
