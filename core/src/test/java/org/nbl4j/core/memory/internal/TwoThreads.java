package org.nbl4j.core.memory.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a test's body on two threads at once, as two receive queues would use one pool or counter. */
final class TwoThreads {
    private TwoThreads() {}

    /** What each thread runs, given its number (0 or 1). */
    @FunctionalInterface
    interface Body {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on two threads released together; rethrows what either threw once both have ended. */
    static void run(Body body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            int which = index;
            threads.add(Thread.ofPlatform().name("queue-" + index).start(() -> {
                try {
                    start.await();
                    body.run(which);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("one of the two threads failed", failure.get());
        }
    }
}
