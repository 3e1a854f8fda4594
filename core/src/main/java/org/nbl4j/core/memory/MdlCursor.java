package org.nbl4j.core.memory;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A position in an MDL chain and the contiguous run of bytes that starts there: the one walk over a chain that every
 * seek-then-copy loop in nbl4j uses (NDIS code writes it out by hand each time: {@code NdisGetNextMdl} until the
 * offset falls inside an MDL, then {@code MmGetSystemAddressForMdlSafe} + {@code MmGetMdlByteCount} per MDL).
 *
 * <p>{@link #seek} skips {@code offset} bytes from an MDL and makes the first run current; {@link #next} moves to the
 * next one, until {@code length} bytes were handed out or the chain ends. A run is {@link #segment()} from
 * {@link #segmentOffset()} for {@link #length()} bytes, inside {@link #mdl()} at {@link #mdlOffset()}. Runs are never
 * empty: zero-length MDLs are skipped, and a position that is exactly an MDL's end lies at the start of the next
 * non-empty MDL (the normal form of ndis-buffers §3.2, I3). {@link #remaining()} is what was asked for and not yet
 * handed out; after the last run it is more than zero exactly when the chain ended first.
 *
 * <pre>{@code
 * MdlCursor runs = new MdlCursor();
 * for (boolean more = runs.seek(nb.currentMdl(), nb.currentMdlOffset() + offset, length); more; more = runs.next()) {
 *     MemorySegment.copy(runs.segment(), runs.segmentOffset(), target, at, runs.length());
 *     at += runs.length();
 * }
 * }</pre>
 *
 * <p>The cursor is a small mutable object, not thread-safe, reusable by seeking again. One created as a local for a
 * walk does not escape, so once compiled the JIT replaces its fields by registers (the {@code CursorBenchmark} rows in
 * {@code docs/benchmarks.md} show 0 B/op). That depends on inlining, so the per-packet paths first test
 * {@link #inOneMdl} and create a cursor only for a range that spans MDLs; an owner that walks often may keep one.
 */
public final class MdlCursor {
    private @Nullable Mdl mdl;
    private long mdlOffset;
    private int length;
    private long remaining;

    /**
     * Whether {@code length} bytes from {@code offset} lie inside {@code mdl} alone. Then the caller uses them without
     * a walk and without a cursor: the single-MDL fast path (every packet a miniport indicates), which stays
     * allocation-free whatever the JIT decides about the cursor.
     */
    public static boolean inOneMdl(@Nullable Mdl mdl, long offset, long length) {
        return mdl != null && offset + length <= mdl.byteCount;
    }

    /** A cursor positioned nowhere: {@link #mdl()} is {@code null} until the first {@link #seek}. */
    public MdlCursor() {}

    /**
     * Moves to {@code offset} bytes past the start of {@code from}'s described bytes and makes the run there current,
     * to hand out up to {@code length} bytes in all.
     *
     * @return whether there is a run: {@code false} if {@code length} is 0 or the chain ends at or before the position
     *     (then {@link #mdl()} and {@link #mdlOffset()} still tell the position: the MDL holding it, or {@code null}
     *     and how far past the chain's end it lies)
     * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
     */
    public boolean seek(@Nullable Mdl from, long offset, long length) {
        if ((offset | length) < 0) {
            throw negative(offset, length);
        }
        remaining = length;
        return moveTo(from, offset);
    }

    /** Kept out of {@link #seek} so that the seek stays small enough for the JIT to inline at every walk. */
    private static IllegalArgumentException negative(long offset, long length) {
        return new IllegalArgumentException("offset " + offset + " and length " + length + " must not be negative");
    }

    /**
     * Moves to the run after the current one.
     *
     * @return whether there is one: {@code false} once {@code length} bytes were handed out or the chain ended
     */
    public boolean next() {
        Mdl current = mdl;
        if (current == null || remaining == 0) {
            length = 0;
            return false;
        }
        return moveTo(current.next, 0);
    }

    /**
     * Consumes {@code count} bytes of the current run: the run then starts {@code count} bytes later, or, if that was
     * all of it, the cursor moves to the next run. This is how two cursors walk two chains in step.
     *
     * @return whether there is a current run afterwards
     * @throws IllegalArgumentException unless {@code 0 < count <= length()}
     */
    public boolean advance(int count) {
        if (count <= 0 || count > length) {
            throw new IllegalArgumentException("advance by " + count + " in a run of " + length);
        }
        if (count < length) {
            mdlOffset += count;
            length -= count;
            return true;
        }
        return next();
    }

    /** The MDL the current run (or the sought position) lies in; {@code null} past the chain's end. */
    public @Nullable Mdl mdl() {
        return mdl;
    }

    /** Where the current run starts inside {@link #mdl()}'s described bytes. */
    public long mdlOffset() {
        return mdlOffset;
    }

    /** The segment the current run lies in ({@link Mdl#buffer()}); only while there is a run. */
    public MemorySegment segment() {
        Mdl current = mdl;
        if (current == null) {
            throw new IllegalStateException("no current run");
        }
        return current.buffer;
    }

    /** Where the current run starts inside {@link #segment()}. */
    public long segmentOffset() {
        Mdl current = mdl;
        if (current == null) {
            throw new IllegalStateException("no current run");
        }
        return current.start + mdlOffset;
    }

    /**
     * {@code IoBuildPartialMdl} over the current run: a new MDL from {@code pool} describing exactly its bytes.
     *
     * @throws IllegalStateException if there is no current run
     */
    public Mdl partial(MdlPool pool, MdlOrigin origin) {
        Mdl current = mdl;
        if (current == null || length == 0) {
            throw new IllegalStateException("no current run");
        }
        return pool.partial(current, (int) mdlOffset, length, origin);
    }

    /** The bytes of the current run: more than 0 while there is one, else 0. */
    public int length() {
        return length;
    }

    /** The bytes asked for that no run has covered yet, the current one excluded. */
    public long remaining() {
        return remaining;
    }

    /**
     * The one loop that walks a chain: skips whole MDLs (the empty ones too) until {@code skip} falls inside one, and
     * makes the run from there current, clamped to the bytes still asked for.
     */
    private boolean moveTo(@Nullable Mdl from, long skip) {
        Mdl at = from;
        long offset = skip;
        while (at != null && offset >= at.byteCount) {
            offset -= at.byteCount;
            at = at.next;
        }
        mdl = at;
        mdlOffset = offset;
        if (at == null || remaining == 0) {
            length = 0;
            return false;
        }
        int run = (int) Math.min(remaining, at.byteCount - offset);
        length = run;
        remaining -= run;
        return true;
    }
}
