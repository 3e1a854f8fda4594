package org.nbl4j.core.verify;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The timer behind the held-clone watchdog: it makes each {@link Verifier} that tracks a clone look at its clones every
 * {@link VerifierSettings#heldCloneCheckPeriod()} by itself, so that a clone held past its budget (seed 000: "must not
 * hold cloned packets indefinitely") is reported without anyone calling {@link Verifier#checkHeldClones()}.
 *
 * <p>Windows has no such timer; it is the part of a kernel debugger session a driver writer would otherwise spend
 * watching {@code !ndiskd.pendingnbls}. One daemon thread serves every verifier of the JVM (most never clone, and
 * none holds the JVM up); a verifier's watch is cancelled when its {@code Ndis} closes, and holds its verifier only
 * weakly, so an {@code Ndis} dropped without being closed does not stay reachable through the timer.
 */
final class HeldCloneWatchdog {
    private HeldCloneWatchdog() {}

    /** The one timer thread, made when the first verifier needs it. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "nbl4j held-clone watchdog");
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }

    /** Starts looking at {@code verifier}'s clones every {@code period}; cancel the result to stop. */
    static ScheduledFuture<?> watch(Verifier verifier, Duration period) {
        Watch watch = new Watch(verifier);
        long nanos = period.toNanos();
        ScheduledFuture<?> future = Timer.EXECUTOR.scheduleWithFixedDelay(watch, nanos, nanos, TimeUnit.NANOSECONDS);
        watch.future = future;
        return future;
    }

    /** One verifier's periodic look; it cancels itself once its verifier is gone. */
    private static final class Watch implements Runnable {
        private final WeakReference<Verifier> verifier;
        private volatile @Nullable ScheduledFuture<?> future;

        Watch(Verifier verifier) {
            this.verifier = new WeakReference<>(verifier);
        }

        @Override
        public void run() {
            Verifier watched = verifier.get();
            if (watched != null) {
                watched.watchHeldClones();
                return;
            }
            ScheduledFuture<?> self = future;
            if (self != null) {
                self.cancel(false);
            }
        }
    }
}
