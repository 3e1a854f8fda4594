package org.nbl4j.core.memory;

import java.util.concurrent.CopyOnWriteArrayList;
import org.nbl4j.core.memory.internal.ElementCounter;
import org.nbl4j.core.memory.internal.StripedCounters;

/**
 * The running totals of one pool tag: what poolmon shows on one line.
 *
 * <p>Counting happens on the hot path of every data-block allocation, so each thread counts into its own cell of a
 * {@link StripedCounters} with plain stores and no atomic read-modify-write; {@link #usage()} adds the cells up. A
 * free counted on another thread than its allocation makes the two cells' differences opposite, and the sum is right.
 */
public final class TagAccount {
    private static final int ALLOCS = 0;
    private static final int FREES = 1;
    private static final int BYTES = 2;

    private final PoolTag tag;
    private final StripedCounters counts = new StripedCounters(3);
    private final CopyOnWriteArrayList<ElementCounter> counters = new CopyOnWriteArrayList<>();

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

    /** Counts one allocation of {@code size} bytes on the calling thread. */
    public void allocated(long size) {
        StripedCounters.Cell cell = counts.cell();
        cell.add(ALLOCS, 1);
        cell.add(BYTES, size);
    }

    /** Counts one free of {@code size} bytes on the calling thread. */
    public void freed(long size) {
        StripedCounters.Cell cell = counts.cell();
        cell.add(FREES, 1);
        cell.add(BYTES, -size);
    }

    /** The totals so far, summed over every thread that counted. */
    public PoolUsage usage() {
        long allocs = counts.sum(ALLOCS);
        long frees = counts.sum(FREES);
        long bytes = counts.sum(BYTES);
        for (ElementCounter counter : counters) {
            long counterAllocs = counter.allocs();
            long counterFrees = counter.frees();
            allocs += counterAllocs;
            frees += counterFrees;
            bytes += (counterAllocs - counterFrees) * counter.elementBytes();
        }
        return new PoolUsage(tag, allocs, frees, bytes);
    }
}
