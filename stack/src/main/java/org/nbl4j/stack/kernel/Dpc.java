package org.nbl4j.stack.kernel;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * A deferred procedure call ({@code KDPC}): a routine queued once at a time and run at DISPATCH_LEVEL on nbl4j's DPC
 * thread, in the order queued. A timer's expiry queues its DPC the same way. The spin locks the routine leaves held
 * are reported ({@link HeldSpinLocks}).
 */
public final class Dpc {
    private static final ExecutorService DPC_THREAD = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("nbl4j-dpc").daemon().factory());

    private final AtomicBoolean queued = new AtomicBoolean();

    /**
     * {@code KeInsertQueueDpc}: queues {@code routine} unless this DPC is queued already.
     *
     * @param owner the driver's routine, as a report names it
     * @return whether it was queued ({@code FALSE} in C when it already was)
     */
    public boolean insert(Verifier verifier, Runnable routine, Object owner) {
        if (!queued.compareAndSet(false, true)) {
            return false;
        }
        DPC_THREAD.execute(() -> {
            queued.set(false);
            Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
                int mark = HeldSpinLocks.mark(verifier);
                routine.run();
                HeldSpinLocks.afterHandler(verifier, mark, "the DPC routine", owner);
            });
        });
        return true;
    }

    /**
     * {@code KeFlushQueuedDpcs}: returns when every DPC queued before the call has run. Refused above PASSIVE_LEVEL,
     * as documented; on the DPC thread itself it would wait for ever.
     */
    public static void flush(Verifier verifier) {
        if (!verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "KeFlushQueuedDpcs", "wdm")) {
            return;
        }
        try {
            DPC_THREAD.submit(() -> {}).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed", e);
        }
    }
}
