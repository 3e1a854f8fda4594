package org.nbl4j.core.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-thread magazines found through each thread's {@link ThreadSlot} table: one per thread, exact counts, and numbers
 * that come back on close and on collection without a reused number handing out another recycler's objects.
 */
class RecyclerTest {
    private static final int ROUNDS = 1_000_000;

    /** What one thread recycled, marked with the thread. */
    private record Item(int thread) {}

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void twoThreadsEachRecycleThroughTheirOwnMagazineAndTheCountsStayExact() throws Exception {
        ElementCounter counter = new ElementCounter(64);
        Recycler<Item> recycler = new Recycler<>(counter);
        CyclicBarrier bothGave = new CyclicBarrier(2);
        TwoThreads.run(thread -> {
            // Fewer than a magazine holds, so nothing goes to the depot: each thread must get back exactly its own.
            for (int i = 0; i < 32; i++) {
                Item item = recycler.take();
                recycler.give(item != null ? item : new Item(thread));
            }
            bothGave.await();
            for (int i = 0; i < 32; i++) {
                Item item = recycler.take();
                assertEquals(new Item(thread), item);
                recycler.give(item);
            }
            for (int i = 0; i < ROUNDS; i++) {
                Item item = recycler.take();
                recycler.give(item != null ? item : new Item(thread));
            }
        });

        assertEquals(2L * (32 + 32 + ROUNDS), counter.allocs());
        assertEquals(counter.allocs(), counter.frees());
    }

    @Test
    void aClosedRecyclersNumberServesTheNextRecyclerWithoutItsObjects() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            ElementCounter oldCounter = new ElementCounter(64);
            Recycler<Object> old = new Recycler<>(oldCounter);
            ElementCounter newCounter = new ElementCounter(64);
            Recycler<Object> alive = new Recycler<>(newCounter);
            assertNotEquals(old.index(), alive.index());
            worker.submit(() -> old.give("old")).get();
            old.close();
            List<Recycler<Object>> made = new ArrayList<>();
            Recycler<Object> reusing = new Recycler<>(newCounter);
            // The lowest free number is taken; collected recyclers may free lower ones meanwhile.
            while (reusing.index() != old.index() && made.size() < 1000) {
                made.add(reusing);
                reusing = new Recycler<>(newCounter);
            }
            assertEquals(old.index(), reusing.index());
            Recycler<Object> next = reusing;

            // Used on two threads, the recycler has no sole magazine: the worker finds its own in its table only.
            assertNull(next.take());
            // The worker's table still holds the old magazine under the number.
            assertNull(worker.submit(next::take).get());
            worker.submit(() -> next.give("new")).get();
            // A free to the closed recycler on that thread is counted without taking the number back.
            worker.submit(() -> old.give("late")).get();
            worker.submit(old::retire).get();
            assertSame("new", worker.submit(next::take).get());

            assertEquals(3, newCounter.allocs());
            assertEquals(1, newCounter.frees());
            assertEquals(3, oldCounter.frees());
            // Those made on the way keep the lower numbers they took until here.
            Reference.reachabilityFence(made);
        } finally {
            worker.shutdown();
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void objectsBeyondAMagazineComeBackThroughTheDepotAndAreForgottenOnClose() throws Exception {
        Recycler<Object> recycler = new Recycler<>();
        List<WeakReference<Object>> given = new ArrayList<>();
        giveAndTakeBack(recycler, given);
        // The depot now holds emptied magazines whose slots keep objects, and the thread's magazine more of them.
        for (int i = 0; i < 100; i++) {
            Object item = new Object();
            given.add(new WeakReference<>(item));
            recycler.give(item);
        }
        // One full magazine went to the depot, and the thread's holds 36.
        recycler.close();

        for (int attempt = 0; attempt < 200 && given.stream().anyMatch(item -> item.get() != null); attempt++) {
            System.gc();
            Thread.sleep(10);
        }

        assertEquals(0, given.stream().filter(item -> item.get() != null).count());
        assertNull(recycler.take());
    }

    /** Gives 200 new objects, 3 magazines' worth and more, and takes each back. */
    private static void giveAndTakeBack(Recycler<Object> recycler, List<WeakReference<Object>> given) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(new Object());
            recycler.give(items.getLast());
            given.add(new WeakReference<>(items.getLast()));
        }
        List<Object> taken = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            taken.add(recycler.take());
        }
        // Plain objects are equal only to themselves: every one comes back, once.
        assertEquals(new HashSet<>(items), new HashSet<>(taken));
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aRecyclerNeverClosedGivesItsNumberBackOnceUnreachable() throws Exception {
        int[] index = new int[1];
        WeakReference<Recycler<Object>> collected = recycleSelfReferencingItem(index);

        for (int attempt = 0; attempt < 200 && ThreadSlot.inUse(index[0]); attempt++) {
            System.gc();
            Thread.sleep(10);
        }

        assertNull(collected.get(), "the recycler stays reachable from this thread's table");
        assertFalse(ThreadSlot.inUse(index[0]), "the number is not given back");
    }

    /**
     * A recycler whose magazine on this long-lived thread holds an object that references the recycler, as a pool's
     * elements reference their pool; only a weak reference to the recycler is returned.
     */
    private static WeakReference<Recycler<Object>> recycleSelfReferencingItem(int[] index) {
        Recycler<Object> recycler = new Recycler<>();
        recycler.give(new Object[] {recycler});
        index[0] = recycler.index();
        assertTrue(ThreadSlot.inUse(index[0]));
        return new WeakReference<>(recycler);
    }
}
