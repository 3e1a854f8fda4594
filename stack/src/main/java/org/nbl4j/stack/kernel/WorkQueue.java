package org.nbl4j.stack.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * The system work queue behind {@code IoQueueWorkItem} and {@code NdisQueueIoWorkItem}: work items run at
 * PASSIVE_LEVEL on worker threads (as many as there are items at once, like the delayed and critical queues), and the
 * spin locks a work routine leaves held are reported ({@link HeldSpinLocks}). An exception a work routine lets out is
 * reported ({@link DriverExceptions}), and its worker goes on to the next work item.
 */
public final class WorkQueue {
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("nbl4j-worker-", 1).daemon().factory());

    private WorkQueue() {}

    /**
     * Queues {@code routine}.
     *
     * @param owner the driver's routine, as a report names it
     * @param queuedBy the DDI that queued it, e.g. {@code IoQueueWorkItem}
     */
    public static void queue(Verifier verifier, Runnable routine, Object owner, String queuedBy) {
        WORKERS.execute(() -> Irql.runAt(Irql.PASSIVE_LEVEL, () -> {
            int mark = HeldSpinLocks.mark(verifier);
            try {
                routine.run();
            } catch (RuntimeException thrown) {
                DriverExceptions.report(verifier, thrown, "the work routine of " + owner + " queued by " + queuedBy);
                return; // the spin locks it still holds were left by the same bug: one report is enough
            }
            HeldSpinLocks.afterHandler(verifier, mark, "the work routine", owner);
        }));
    }
}
