package org.nbl4j.core.diagnostics;

/**
 * The sort orders of {@code poolmon.exe}, with the startup switch and run-time key that select each (§2.1).
 *
 * <p>{@link #TAG} sorts alphabetically; every other key sorts largest first, as poolmon does. With "sort by change"
 * ({@code /(} or the {@code (} key; {@link PoolmonTable#sortedByChange(boolean)}) the numeric keys sort by the change
 * since the earlier snapshot instead of by the value.
 */
public enum PoolmonSort {
    /** {@code /t}, key {@code t}: by tag name (poolmon's default). */
    TAG('t'),
    /** {@code /a}, key {@code a}: by Allocs. */
    ALLOCS('a'),
    /** {@code /f}, key {@code f}: by Frees. */
    FREES('f'),
    /** {@code /d}, key {@code d}: by Diff (Allocs minus Frees). */
    DIFF('d'),
    /** {@code /b}, key {@code b}: by Bytes. */
    BYTES('b'),
    /** {@code /m}, key {@code m}: by Per Alloc (bytes per outstanding allocation). */
    PER_ALLOC('m');

    private final char key;

    PoolmonSort(char key) {
        this.key = key;
    }

    /** The letter of the startup switch ({@code /a}) and run-time key ({@code a}). */
    public char key() {
        return key;
    }

    /**
     * The sort a poolmon key selects.
     *
     * @throws IllegalArgumentException if {@code key} is not one of {@code t a f d b m}
     */
    public static PoolmonSort ofKey(char key) {
        for (PoolmonSort sort : values()) {
            if (sort.key == key) {
                return sort;
            }
        }
        throw new IllegalArgumentException("not a poolmon sort key: '" + key + "' (t, a, f, d, b, m)");
    }
}
