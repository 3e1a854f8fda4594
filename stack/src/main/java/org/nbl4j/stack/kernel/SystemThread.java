package org.nbl4j.stack.kernel;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * A system thread ({@code PsCreateSystemThread}): a Java platform thread that runs a driver's start routine at
 * PASSIVE_LEVEL, and the thread object ({@code PETHREAD}) that is signalled when it ends, so that an unload can wait
 * for it. Its reference count is the handle's plus {@code ObReferenceObjectByHandle}'s.
 *
 * <p>{@code PsTerminateSystemThread} does not return in C; here it throws an {@link Error} that unwinds the start
 * routine to this thread's base, which records the exit status. A start routine must not catch it (catching
 * {@code Throwable} would). An exception the start routine lets out is reported ({@link DriverExceptions}) and ends
 * the thread the same way, with the exit status left at 0, so that whatever waits for the thread object returns.
 */
public final class SystemThread implements DispatcherObject {
    private static final AtomicInteger NUMBER = new AtomicInteger();
    /** Whether the calling Java thread is a system thread's: only a start routine may terminate its thread. */
    private static final ThreadLocal<Boolean> IS_SYSTEM_THREAD = ThreadLocal.withInitial(() -> false);

    private final Thread thread;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile int exitStatus;

    /** Unwinds a start routine to its thread's base: {@code PsTerminateSystemThread}. */
    private static final class Termination extends Error {
        private final int status;

        Termination(int status) {
            super("PsTerminateSystemThread", null, false, false);
            this.status = status;
        }
    }

    private SystemThread(Verifier verifier, Runnable startRoutine) {
        thread = Thread.ofPlatform()
                .name("nbl4j-system-" + NUMBER.incrementAndGet())
                .daemon()
                .unstarted(() -> {
                    IS_SYSTEM_THREAD.set(true);
                    int mark = HeldSpinLocks.mark(verifier);
                    String name = Thread.currentThread().getName();
                    try {
                        startRoutine.run();
                    } catch (Termination termination) {
                        exitStatus = termination.status;
                    } catch (RuntimeException thrown) {
                        // The thread ends as PsTerminateSystemThread would end it, so a wait for it returns. The
                        // spin locks the routine still holds were left by the same bug: one report is enough.
                        DriverExceptions.report(
                                verifier, thrown, "the start routine of " + name + ", started by PsCreateSystemThread");
                        return;
                    }
                    HeldSpinLocks.afterHandler(verifier, mark, "the start routine", name);
                });
    }

    /**
     * Creates and starts the thread; the caller holds one reference (its handle's).
     *
     * @return the thread, or {@code null} if the caller is above PASSIVE_LEVEL and the policy let the call go on
     */
    public static @Nullable SystemThread start(Verifier verifier, Runnable startRoutine) {
        if (!verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "PsCreateSystemThread", "wdm")) {
            return null;
        }
        SystemThread systemThread = new SystemThread(verifier, startRoutine);
        systemThread.thread.start();
        return systemThread;
    }

    /**
     * {@code PsTerminateSystemThread(ExitStatus)}: ends the calling system thread.
     *
     * @throws IllegalStateException if the caller is not a system thread's start routine
     */
    public static Error terminate(int exitStatus) {
        if (!IS_SYSTEM_THREAD.get()) {
            throw new IllegalStateException("PsTerminateSystemThread called outside a system thread");
        }
        throw new Termination(exitStatus);
    }

    /** {@code ObReferenceObjectByHandle}, {@code ObReferenceObject}: one more reference. */
    public void reference() {
        references.incrementAndGet();
    }

    /**
     * {@code ObDereferenceObject}, {@code ZwClose} of its handle: one reference less.
     *
     * @throws IllegalStateException if no reference is left to drop (Windows would free the object twice)
     */
    public void dereference() {
        if (references.getAndDecrement() <= 0) {
            references.incrementAndGet();
            throw new IllegalStateException("ObDereferenceObject of a thread object with no reference left");
        }
    }

    /** The status the thread passed to {@code PsTerminateSystemThread}, or 0 ({@code STATUS_SUCCESS}). */
    public int exitStatus() {
        return exitStatus;
    }

    @Override
    public boolean await(long timeoutNanos) throws InterruptedException {
        if (timeoutNanos < 0) {
            thread.join();
            return true;
        }
        return thread.join(Duration.ofNanos(timeoutNanos));
    }
}
