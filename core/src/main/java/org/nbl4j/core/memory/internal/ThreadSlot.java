package org.nbl4j.core.memory.internal;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.BitSet;
import org.jspecify.annotations.Nullable;

/**
 * One {@link Recycler}'s or {@link StripedCounters}' numbered place in a table that every thread keeps of its own: the
 * counterpart of the processor control block (KPRCB), where Windows keeps each processor's lookaside lists and
 * counters side by side so that a processor finds all of them at one address.
 *
 * <p>All tables hang off a single {@link ThreadLocal}, so finding a value is one lookup of a map entry that every
 * recycler and counter of the thread shares and that therefore stays in cache, and an index into an array: a
 * {@link ThreadLocal} per recycler made a packet that touches a dozen pools look up a dozen entries, each a separate
 * heap object.
 *
 * <p>The numbers are few and reused: the lowest free one is taken, and a number comes back when its user is
 * {@linkplain #release() released} or, for users that are never closed (many pools are not), when it becomes
 * unreachable. A table holds its values weakly: a recycler's magazine holds objects that reference their pool and so
 * the recycler, which would otherwise stay reachable from every thread that used it for as long as the thread lives.
 * The user keeps its values strongly (a counter's cells list does), so a value lives exactly as long as its user. A
 * reused number does not find the previous user's value: every entry carries the key of the user that stored it, and
 * keys are never reused.
 *
 * @param <V> what each thread keeps in the slot
 */
final class ThreadSlot<V> {
    private static final ThreadLocal<Entry[]> TABLES = ThreadLocal.withInitial(() -> new Entry[16]);
    private static final Cleaner CLEANER = Cleaner.create();
    /** The numbers in use; guarded by itself, as is {@link #lastKey}. */
    private static final BitSet USED = new BitSet();

    private static long lastKey;

    private final int index;
    private final long key;
    private final Cleaner.Cleanable cleanable;
    /**
     * The only value, with the thread that stored it, while one thread alone has stored one: that thread finds it with
     * one field read and {@code Thread.currentThread()}, without the table lookup. Cleared for good when a second
     * thread stores one or the slot is released, so a slot shared between threads never writes it again (a field
     * rewritten by whichever thread looked last would move its cache line back and forth between them).
     */
    private @Nullable Sole<V> sole;
    /** A second thread has stored a value, or the slot was released; guarded by this. */
    private boolean shared;

    /** A free number for {@code user}, given back when the user becomes unreachable unless released before. */
    ThreadSlot(Object user) {
        int taken;
        synchronized (USED) {
            taken = USED.nextClearBit(0);
            USED.set(taken);
            key = ++lastKey;
        }
        index = taken;
        // The action captures the number only: one that referenced the user would keep it reachable.
        cleanable = CLEANER.register(user, () -> free(taken));
    }

    /** The calling thread's value, or {@code null} if it has stored none. */
    @SuppressWarnings("unchecked")
    @Nullable
    V get() {
        Sole<V> only = sole;
        if (only != null && only.owner() == Thread.currentThread()) {
            return only.value();
        }
        Entry[] table = TABLES.get();
        int index = this.index;
        if (index < table.length) {
            Entry entry = table[index];
            if (entry != null && entry.key == key) {
                return (V) entry.get();
            }
        }
        return null;
    }

    /** Makes {@code value} the calling thread's; the caller keeps it reachable for as long as it is to be found. */
    void set(V value) {
        Entry[] table = TABLES.get();
        if (index >= table.length) {
            table = Arrays.copyOf(table, Math.max(index + 1, 2 * table.length));
            TABLES.set(table);
        }
        table[index] = new Entry(value, key);
        synchronized (this) {
            if (!shared) {
                shared = sole != null;
                sole = shared ? null : new Sole<>(Thread.currentThread(), value);
            }
        }
    }

    /**
     * Gives the number back for another user; the first call only. Values stored since stay in their threads' tables
     * until the number's next user stores its own or the thread ends, but are never found again.
     */
    void release() {
        synchronized (this) {
            shared = true;
            sole = null;
        }
        cleanable.clean();
    }

    /** The number of this slot, which {@link #inUse(int)} tells about. */
    int index() {
        return index;
    }

    /** Whether some user holds {@code index}: tests see through it that numbers come back. */
    static boolean inUse(int index) {
        synchronized (USED) {
            return USED.get(index);
        }
    }

    private static void free(int index) {
        synchronized (USED) {
            USED.clear(index);
        }
    }

    /** The value of the one thread that has stored one. */
    private record Sole<V>(Thread owner, V value) {}

    /** A value in a thread's table, held weakly, with the key of the user that stored it. */
    private static final class Entry extends WeakReference<Object> {
        final long key;

        Entry(Object value, long key) {
            super(value);
            this.key = key;
        }
    }
}
