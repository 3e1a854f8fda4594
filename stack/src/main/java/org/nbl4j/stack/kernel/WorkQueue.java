package org.nbl4j.stack.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * The system work queue behind {@code IoQueueWorkItem} and {@code NdisQueueIoWorkItem}: work items run at
 * PASSIVE_LEVEL on worker threads (as many as there are items at once, like the delayed and critical queues), and the
 * spin locks a work routine leaves held are reported ({@link HeldSpinLocks}).
 */
public final class WorkQueue {
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("nbl4j-worker-", 1).daemon().factory());

    private WorkQueue() {}

    /**
     * Queues {@code routine}.
     *
     * @param owner the driver's routine, as a report names it
     */
    public static void queue(Verifier verifier, Runnable routine, Object owner) {
        WORKERS.execute(() -> Irql.runAt(Irql.PASSIVE_LEVEL, () -> {
            int mark = HeldSpinLocks.mark(verifier);
            routine.run();
            HeldSpinLocks.afterHandler(verifier, mark, "the work routine", owner);
        }));
    }
}
