package org.nbl4j.stack.kernel;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A kernel timer ({@code KTIMER}; the timer of an NDIS timer object): signalled when its due time passes, and then,
 * if it was set with one, its expiry action runs (the DPC it queues). A notification timer stays signalled until it
 * is set again; a synchronization timer releases one waiter. A periodic timer expires again every period.
 */
public final class KernelTimer implements DispatcherObject {
    private static final ScheduledThreadPoolExecutor CLOCK;

    static {
        CLOCK = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("nbl4j-timer").daemon().factory());
        CLOCK.setRemoveOnCancelPolicy(true);
    }

    private KernelEvent.Type type = KernelEvent.Type.NOTIFICATION;
    private boolean signaled;
    private @Nullable ScheduledFuture<?> pending;
    /** Counts the settings, so that an expiry knows whether it is the current setting's. */
    private long setting;
    /**
     * The current one-shot setting has expired. Its scheduled task may still be running (queueing the DPC, which may
     * already run on another thread), when cancelling the task would still succeed: this says the timer is no longer
     * in the queue.
     */
    private boolean expired;

    /** {@code KeInitializeTimerEx}: a timer that is not set. */
    public synchronized void initialize(KernelEvent.Type type) {
        cancel();
        this.type = type;
        this.signaled = false;
    }

    /**
     * {@code KeSetTimerEx}: sets the timer, replacing a setting that has not expired.
     *
     * @param dueTime the kernel time (100 ns units, negative relative)
     * @param periodMillis 0 for a one-shot timer
     * @param expiry what runs at each expiry, e.g. queueing the DPC, or {@code null}
     * @return whether the timer was set already (and its previous setting cancelled)
     */
    public synchronized boolean set(long dueTime, int periodMillis, @Nullable Runnable expiry) {
        boolean wasSet = cancel();
        signaled = false;
        expired = false;
        long current = ++setting;
        boolean periodic = periodMillis > 0;
        long delay = Waits.nanos(dueTime);
        Runnable fire = () -> expire(current, periodic, expiry);
        pending = periodMillis > 0
                ? CLOCK.scheduleAtFixedRate(
                        fire, delay, TimeUnit.MILLISECONDS.toNanos(periodMillis), TimeUnit.NANOSECONDS)
                : CLOCK.schedule(fire, delay, TimeUnit.NANOSECONDS);
        return wasSet;
    }

    /** {@code KeCancelTimer}: returns whether the timer was set and had not expired (a periodic one: was set). */
    public synchronized boolean cancel() {
        ScheduledFuture<?> task = pending;
        pending = null;
        if (task == null) {
            return false;
        }
        boolean inQueue = !expired;
        task.cancel(false);
        return inQueue;
    }

    /** {@code KeReadStateTimer}. */
    public synchronized boolean isSignaled() {
        return signaled;
    }

    private void expire(long expiring, boolean periodic, @Nullable Runnable expiry) {
        synchronized (this) {
            signaled = true;
            if (!periodic && expiring == setting) {
                expired = true;
            }
            notifyAll();
        }
        if (expiry != null) {
            expiry.run();
        }
    }

    @Override
    public synchronized boolean await(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!signaled) {
            long left = deadline - System.nanoTime();
            if (timeoutNanos >= 0 && left <= 0) {
                return false;
            }
            if (timeoutNanos < 0) {
                wait();
            } else {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        if (type == KernelEvent.Type.SYNCHRONIZATION) {
            signaled = false;
        }
        return true;
    }
}
