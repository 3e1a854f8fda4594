package org.nbl4j.core.memory;

/**
 * One line of poolmon: the allocations, frees and bytes in use of one pool tag.
 *
 * <p>nbl4j counts every logical allocation (each NBL, NB, MDL, context block or buffer handed out), as Windows does
 * when Driver Verifier's pool tracking bypasses lookaside lists; the slabs and per-thread caches behind the pools are
 * not counted, so {@link #diff()} is the number of objects a caller still holds.
 *
 * @param tag the pool tag
 * @param allocs cumulative allocations
 * @param frees cumulative frees
 * @param bytes bytes in use
 */
public record PoolUsage(PoolTag tag, long allocs, long frees, long bytes) {

    /** poolmon's Type column: nbl4j memory is all nonpaged. */
    public static final String TYPE = "Nonp";

    /** Allocations not yet freed: poolmon's Diff. */
    public long diff() {
        return allocs - frees;
    }

    /** Bytes per outstanding allocation: poolmon's Per Alloc (0 when nothing is outstanding). */
    public long perAlloc() {
        long diff = diff();
        return diff == 0 ? 0 : bytes / diff;
    }

    /** The change from an earlier reading of the same tag: poolmon's bracketed columns. */
    public PoolUsage minus(PoolUsage earlier) {
        return new PoolUsage(tag, allocs - earlier.allocs, frees - earlier.frees, bytes - earlier.bytes);
    }
}
