package org.nbl4j.stack.kernel;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Verifier;

/**
 * The spin locks each thread holds, so that a driver's handler that returns with one of its locks still held is
 * caught where Windows would deadlock later ({@link KernelRule#SPIN_LOCK_HELD_AT_RETURN}).
 *
 * <p>The hook for every place that calls a driver's handler (classifyFn, the filter handlers, DPCs, work items,
 * timers): take a {@link #mark} before the call and pass it to {@link #afterHandler} after it. Locks the thread held
 * before the call (a driver that calls down into the stack under its own lock) are not the handler's to release.
 * With the verifier off these, and the record of each acquire and release, are a field read.
 */
public final class HeldSpinLocks {
    private static final ThreadLocal<List<SpinLock>> HELD = ThreadLocal.withInitial(ArrayList::new);

    private HeldSpinLocks() {}

    /** How many spin locks the calling thread holds before a handler runs; -1 with the verifier off. */
    public static int mark(Verifier verifier) {
        return verifier.enabled() ? HELD.get().size() : -1;
    }

    /**
     * Reports the spin locks the calling thread acquired since {@code mark} and still holds, now that the driver's
     * {@code handler} of {@code owner} returned. Nothing is built unless there is something to report, so that the
     * data path allocates nothing.
     *
     * @param handler the handler's C name, e.g. {@code classifyFn}, {@code FilterSendNetBufferLists}
     * @param owner whose handler it is, e.g. the callout's key or the filter module's name
     */
    public static void afterHandler(Verifier verifier, int mark, String handler, Object owner) {
        if (mark < 0) {
            return;
        }
        List<SpinLock> held = HELD.get();
        if (held.size() <= mark) {
            return;
        }
        StringBuilder locks = new StringBuilder();
        for (SpinLock lock : held.subList(mark, held.size())) {
            locks.append(locks.isEmpty() ? "" : "; ").append(lock.describeHolder());
        }
        verifier.report(
                KernelRule.SPIN_LOCK_HELD_AT_RETURN,
                handler + " of " + owner + " returned holding " + (held.size() - mark) + " spin lock(s), acquired by "
                        + locks,
                null,
                0);
    }

    /**
     * The spin locks the calling thread holds, each with the DDI (and, under the full verifier, the line) that took
     * it; {@code null} when it holds none or the verifier is off.
     */
    public static @Nullable String describeHeld(Verifier verifier) {
        if (!verifier.enabled()) {
            return null;
        }
        List<SpinLock> held = HELD.get();
        if (held.isEmpty()) {
            return null;
        }
        StringBuilder locks = new StringBuilder();
        for (SpinLock lock : held) {
            locks.append(locks.isEmpty() ? "" : "; ").append(lock.describeHolder());
        }
        return held.size() + " spin lock(s), acquired by " + locks;
    }

    /** Records that the calling thread took {@code lock}; with the verifier off nothing reads the record. */
    static void acquired(Verifier verifier, SpinLock lock) {
        if (verifier.enabled()) {
            HELD.get().add(lock);
        }
    }

    /**
     * Records that the calling thread let {@code lock} go. A lock taken while the thread's verifier was off (another
     * {@code Ndis} bound then) was never recorded.
     */
    static void released(Verifier verifier, SpinLock lock) {
        if (verifier.enabled()) {
            List<SpinLock> held = HELD.get();
            int at = held.lastIndexOf(lock);
            if (at >= 0) {
                held.remove(at);
            }
        }
    }
}
