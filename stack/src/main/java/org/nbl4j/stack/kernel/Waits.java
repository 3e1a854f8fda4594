package org.nbl4j.stack.kernel;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * Waiting for a {@link DispatcherObject} ({@code KeWaitForSingleObject}, {@code NdisWaitEvent},
 * {@code KeDelayExecutionThread}) with the IRQL rule of
 * <a href="https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkewaitformultipleobjects">
 * IrqlKeWaitForMultipleObjects</a>: at DISPATCH_LEVEL only a zero timeout (a test that does not wait) is allowed.
 *
 * <p>Timeouts are the kernel's {@code LARGE_INTEGER}s in 100 ns units: negative is relative to now, positive is an
 * absolute system time (100 ns units since 1601-01-01 UTC), zero tests without waiting, {@code NULL} waits for ever.
 */
public final class Waits {
    /** 100 ns units between 1601-01-01 (the kernel's epoch) and 1970-01-01 (Java's). */
    private static final long EPOCH_1601_TO_1970 = 116_444_736_000_000_000L;

    /** What a thread runs before it waits, if anything ({@link #setBeforeWait}). */
    private static final ThreadLocal<Runnable> BEFORE_WAIT = new ThreadLocal<>();

    private Waits() {}

    /**
     * Has the calling thread run {@code action} each time it is about to wait in a kernel wait, from now until it sets
     * another or {@code null}. A device connection's reader holds back the replies of the requests it dispatches while
     * more are already read (to write them together); a dispatch routine that waits, maybe for what the client does
     * once it has those replies, must not wait with them held back.
     */
    public static void setBeforeWait(@Nullable Runnable action) {
        if (action == null) {
            BEFORE_WAIT.remove();
        } else {
            BEFORE_WAIT.set(action);
        }
    }

    /** Runs the calling thread's {@link #setBeforeWait} action, if it has one. */
    private static void beforeWait() {
        @Nullable Runnable action = BEFORE_WAIT.get();
        if (action != null) {
            action.run();
        }
    }

    /**
     * Waits for {@code object}. A wait the IRQL forbids is reported ({@link KernelRule#WAIT_AT_DISPATCH}); where the
     * policy lets it go on, it is refused as a test that does not wait, the one wait DISPATCH_LEVEL allows.
     *
     * @param timeout the kernel timeout, or {@code null} for none
     * @return whether the object was signalled; {@code false} if the time ran out or the Java thread was interrupted
     *     (its interrupt status is kept)
     */
    public static boolean waitFor(Verifier verifier, DispatcherObject object, @Nullable Long timeout, String ddi) {
        long nanos = timeout == null ? -1 : nanos(timeout);
        if ((timeout == null || timeout != 0) && !waitAllowed(verifier, ddi, timeout)) {
            nanos = 0;
        }
        if (nanos != 0) {
            beforeWait();
        }
        try {
            return object.await(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code KeDelayExecutionThread}: sleeps for the kernel interval, under the same IRQL rule. */
    public static void delay(Verifier verifier, long interval, String ddi) {
        if (!waitAllowed(verifier, ddi, interval)) {
            return;
        }
        long nanos = nanos(interval);
        beforeWait();
        try {
            Thread.sleep(Duration.ofNanos(Math.max(0, nanos)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The wait a kernel timeout asks for, in nanoseconds from now (0 when an absolute time has passed). */
    static long nanos(long timeout) {
        if (timeout < 0) {
            return Math.multiplyExact(-timeout, 100L);
        }
        Instant now = Instant.now();
        long now100ns = EPOCH_1601_TO_1970 + now.getEpochSecond() * 10_000_000L + now.getNano() / 100;
        return Math.max(0, timeout - now100ns) * 100L;
    }

    private static boolean waitAllowed(Verifier verifier, String ddi, @Nullable Long timeout) {
        if (!verifier.enabled() || Irql.current().compareTo(Irql.DISPATCH_LEVEL) < 0) {
            return true;
        }
        verifier.report(
                KernelRule.WAIT_AT_DISPATCH,
                ddi + " with " + (timeout == null ? "no timeout" : "a timeout of " + timeout + " (100 ns units)")
                        + " at " + Irql.current() + ": only a zero timeout may be passed at DISPATCH_LEVEL",
                null,
                0);
        return false;
    }
}
