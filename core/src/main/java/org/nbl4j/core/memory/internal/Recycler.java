package org.nbl4j.core.memory.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A free list of reusable objects with a per-thread magazine in front of a shared depot: the counterpart of an NDIS
 * per-processor lookaside list.
 *
 * <p>Taking and giving on one thread touch only that thread's magazine. A magazine that runs empty swaps itself for a
 * full one from the depot, and one that overflows hands itself to the depot, so objects freed on another thread than
 * the one that allocated them flow back in whole batches. In steady state nothing is allocated on the Java heap: the
 * magazines' arrays circulate between threads and the depot.
 *
 * <p>A magazine's slots above its count keep the objects last taken from them (everything recycled lives as long as
 * the recycler anyway), so that taking stores nothing and giving back the object a slot already holds, the usual case
 * for a thread that frees what it just allocated, stores no reference either: reference stores are what the garbage
 * collector's write barriers make expensive.
 *
 * <p>A thread finds its magazine in its {@link ThreadSlot} table, where all recyclers and counters of the thread sit
 * side by side as a processor's lookaside lists do in its control block (while one thread alone has used the recycler,
 * the slot hands its magazine out without the table). The table holds magazines weakly and the
 * recycler's counter strongly, so a recycler that is never closed is collected once the pool that holds it is
 * unreachable, even though its magazines hold objects that reference that pool. After {@link #close()} its number may
 * serve another recycler: a thread that finds no magazine of its own then counts its frees in its own cell of the
 * counter.
 *
 * @param <T> what is recycled
 */
public final class Recycler<T> {
    private static final int MAGAZINE_SIZE = 64;

    private final ElementCounter counter;
    private final ThreadSlot<Magazine> slot = new ThreadSlot<>(this);
    private final ArrayDeque<Object[]> fullMagazines = new ArrayDeque<>();
    private final ArrayDeque<Object[]> emptyMagazines = new ArrayDeque<>();
    private volatile boolean closed;

    /**
     * A recycler whose objects are accounted elsewhere. It counts into a counter of its own that nothing reads, so
     * that taking and giving have no branch for the case.
     */
    public Recycler() {
        this.counter = new ElementCounter(0);
    }

    /**
     * @param counter where {@link #take()} counts allocations and {@link #give(Object)} and {@link #retire()} count
     *     frees; each thread's magazine is its cell of that counter, so counting costs no extra lookup
     */
    public Recycler(ElementCounter counter) {
        this.counter = counter;
    }

    /**
     * An object given back earlier, or {@code null} when there is none and the caller must make one. Either way one
     * allocation is counted: when nothing is found, the caller makes the object being counted. A closed recycler
     * returns {@code null} and counts nothing.
     */
    @SuppressWarnings("unchecked")
    public @Nullable T take() {
        Magazine magazine = slot.get();
        if (magazine != null && magazine.count != 0 && !closed) {
            magazine.allocated();
            return (T) magazine.items[--magazine.count];
        }
        return takeSlowly();
    }

    /** {@link #take()} on another thread than the sole one, from an empty magazine, or once closed. */
    @SuppressWarnings("unchecked")
    private @Nullable T takeSlowly() {
        Magazine magazine = closed ? null : magazine();
        if (magazine == null) {
            return null;
        }
        magazine.allocated();
        if (magazine.count == 0 && !refill(magazine)) {
            return null;
        }
        return (T) magazine.items[--magazine.count];
    }

    /** Gives an object back for reuse, counting one free. */
    public void give(T item) {
        Magazine magazine = magazine();
        if (magazine == null) {
            counter.freed();
            return;
        }
        magazine.freed();
        if (magazine.count == MAGAZINE_SIZE) {
            spill(magazine);
        }
        Object[] items = magazine.items;
        int index = magazine.count++;
        if (items[index] != item) {
            items[index] = item;
        }
    }

    /** Counts one free without keeping the object: it is being retired (a verifying pool's freed element). */
    public void retire() {
        Magazine magazine = magazine();
        if (magazine == null) {
            counter.freed();
        } else {
            magazine.freed();
        }
    }

    /**
     * Forgets every object held, in the depot and in the calling thread's magazine, and hands out none from now on:
     * the owner of what is recycled is being freed.
     */
    public void close() {
        closed = true;
        synchronized (this) {
            fullMagazines.clear();
            emptyMagazines.clear();
            // Under the lock, so that no thread stores a magazine under the number once it may be another's.
            slot.release();
        }
        Magazine magazine = slot.get();
        if (magazine != null) {
            Arrays.fill(magazine.items, null);
            magazine.count = 0;
        }
    }

    /** The number of the recycler's place in the threads' tables, for tests. */
    int index() {
        return slot.index();
    }

    private synchronized boolean refill(Magazine magazine) {
        Object[] full = fullMagazines.poll();
        if (full == null) {
            return false;
        }
        emptyMagazines.push(magazine.items);
        magazine.items = full;
        magazine.count = MAGAZINE_SIZE;
        return true;
    }

    private synchronized void spill(Magazine magazine) {
        fullMagazines.push(magazine.items);
        Object[] empty = emptyMagazines.poll();
        magazine.items = empty != null ? empty : new Object[MAGAZINE_SIZE];
        magazine.count = 0;
    }

    /**
     * The calling thread's magazine, made on its first call; {@code null} if it has none and the recycler is closed.
     */
    private @Nullable Magazine magazine() {
        Magazine magazine = slot.get();
        return magazine != null ? magazine : newMagazine();
    }

    private synchronized @Nullable Magazine newMagazine() {
        if (closed) {
            return null;
        }
        Magazine magazine = new Magazine();
        // Registered before it is found, so that nothing it counts is missing from the sums; the counter's list of
        // cells is also what keeps it reachable, the thread's table holding it weakly.
        counter.register(magazine);
        slot.set(magazine);
        return magazine;
    }

    /** One thread's cache of objects, and that thread's cell of the allocation counts. */
    private static final class Magazine extends ElementCounter.Cell {
        Object[] items = new Object[MAGAZINE_SIZE];
        int count;
    }
}
