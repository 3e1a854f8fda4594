package org.nbl4j.core.memory.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A thread's table grows to whatever number a slot has, and keeps what was stored before it grew. */
class ThreadSlotTest {
    @Test
    void aFreshThreadStoresUnderEveryNumberAndFindsItAgainAfterItsTableGrew() throws Exception {
        // Users kept reachable, so that their numbers stay taken; new numbers run on from the lowest free one, across
        // the end of a fresh thread's table and of each table it grows to.
        List<Object> users = new ArrayList<>();
        List<ThreadSlot<Object>> slots = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add(new Object());
            slots.add(new ThreadSlot<>(users.getLast()));
        }
        slots.sort(Comparator.comparingInt(ThreadSlot::index));
        List<Object> values = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread.ofPlatform()
                .start(() -> {
                    try {
                        for (ThreadSlot<Object> slot : slots) {
                            assertNull(slot.get());
                            values.add(new Object());
                            slot.set(values.getLast());
                        }
                        for (int i = 0; i < slots.size(); i++) {
                            assertSame(values.get(i), slots.get(i).get());
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                })
                .join();

        if (failure.get() != null) {
            throw new AssertionError("the fresh thread failed", failure.get());
        }
        slots.forEach(ThreadSlot::release);
    }
}
