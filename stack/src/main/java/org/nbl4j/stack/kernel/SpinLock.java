package org.nbl4j.stack.kernel;

import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Site;
import org.nbl4j.core.verify.Verifier;

/**
 * A kernel spin lock ({@code KSPIN_LOCK}; the lock inside an {@code NDIS_SPIN_LOCK}): mutual exclusion between the Java
 * threads that play processors, with the IRQL discipline of Windows. Acquiring raises the calling thread to
 * DISPATCH_LEVEL (or requires it, for the {@code AtDpcLevel} forms); releasing requires DISPATCH_LEVEL and restores the
 * level saved at acquisition.
 *
 * <p>A Java thread that waits for a held lock spins for a short while, as a processor would, and then blocks: a lock
 * held for the few hundred nanoseconds a driver keeps one is taken without the two context switches a blocked waiter
 * costs (with waiters blocking at once, parking and waking were an eighth of the user-verdict benchmark's CPU
 * samples, docs/benchmarks.md), and a test with more threads than cores, or a
 * holder that was descheduled, still makes progress.
 *
 * <p>Breaking a rule reports a {@link KernelRule}. Where the policy lets the call go on, a wrong-IRQL acquire or
 * release still acquires or releases (refusing would leave data unprotected or the lock held for ever); a recursive
 * acquire and a release by a thread that does not hold the lock are refused.
 */
public final class SpinLock {
    /**
     * How often a waiter tries again before it blocks: with {@code PAUSE} taking 10 to 150 cycles, a few microseconds,
     * longer than a driver holds a spin lock and shorter than a context switch.
     */
    private static final int SPINS_BEFORE_BLOCKING = 200;

    private final ReentrantLock lock = new ReentrantLock();
    /** The DDI the holder acquired with, for reports. */
    private volatile String acquiredBy = "";
    /** Where the holder acquired it; captured by the full verifier only, since a stack walk per acquire costs. */
    private volatile @Nullable Site acquiredAt;

    /**
     * {@code KeAcquireSpinLock}, {@code NdisAcquireSpinLock}, {@code KeAcquireInStackQueuedSpinLock}: requires IRQL
     * &lt;= DISPATCH_LEVEL, raises to DISPATCH_LEVEL and acquires.
     *
     * @param header the header whose documentation page states the DDI's IRQL rule ({@code wdm}, {@code ndis})
     * @return the IRQL to restore at release
     */
    public Irql acquireRaisingToDispatch(Verifier verifier, String ddi, String header) {
        verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, header);
        Irql previous = Irql.current();
        if (previous.compareTo(Irql.DISPATCH_LEVEL) < 0) {
            Irql.raise(Irql.DISPATCH_LEVEL);
        }
        acquire(verifier, ddi);
        return previous;
    }

    /**
     * {@code KeAcquireSpinLockAtDpcLevel}, {@code NdisDprAcquireSpinLock}: the caller is at DISPATCH_LEVEL already.
     */
    public void acquireAtDispatch(Verifier verifier, String ddi) {
        if (verifier.enabled() && Irql.current().compareTo(Irql.DISPATCH_LEVEL) < 0) {
            verifier.report(
                    KernelRule.SPIN_LOCK_WRONG_IRQL,
                    ddi + " requires IRQL >= DISPATCH_LEVEL, called at " + Irql.current()
                            + " (use the form that raises, e.g. KeAcquireSpinLock)",
                    null,
                    0);
        }
        acquire(verifier, ddi);
    }

    /** {@code KeReleaseSpinLock}, {@code NdisReleaseSpinLock}: releases, then lowers the caller to {@code restore}. */
    public void releaseRestoring(Verifier verifier, String ddi, Irql restore) {
        releaseAtDispatch(verifier, ddi);
        Irql.lower(restore);
    }

    /** {@code KeReleaseSpinLockFromDpcLevel}, {@code NdisDprReleaseSpinLock}: releases, leaving the IRQL alone. */
    public void releaseAtDispatch(Verifier verifier, String ddi) {
        if (verifier.enabled() && Irql.current() != Irql.DISPATCH_LEVEL) {
            verifier.report(
                    KernelRule.SPIN_LOCK_WRONG_IRQL,
                    ddi + " requires DISPATCH_LEVEL, called at " + Irql.current()
                            + ": the IRQL was changed while the lock was held (acquired by " + acquiredBy + ")",
                    null,
                    0);
        }
        if (!lock.isHeldByCurrentThread()) {
            verifier.report(
                    KernelRule.SPIN_LOCK_NOT_OWNED,
                    ddi + " of a lock the calling thread does not hold"
                            + (lock.isLocked() ? "" : " (no thread holds it: released twice?)"),
                    null,
                    0);
            return;
        }
        HeldSpinLocks.released(verifier, this);
        acquiredAt = null;
        lock.unlock();
    }

    /** Whether some thread holds the lock (for tests and reports). */
    public boolean isHeld() {
        return lock.isLocked();
    }

    private void acquire(Verifier verifier, String ddi) {
        if (lock.isHeldByCurrentThread()) {
            verifier.report(
                    KernelRule.SPIN_LOCK_RECURSIVE_ACQUIRE,
                    ddi + " of a lock the calling thread already holds (acquired by " + describeHolder() + ")",
                    null,
                    0);
            return;
        }
        lockSpinningFirst();
        acquiredBy = ddi;
        acquiredAt = verifier.full() ? Site.capture(verifier.settings(), ddi) : null;
        HeldSpinLocks.acquired(verifier, this);
    }

    private void lockSpinningFirst() {
        for (int spins = 0; spins < SPINS_BEFORE_BLOCKING; spins++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    /** The acquiring DDI and, under the full verifier, the driver's line that called it. */
    String describeHolder() {
        Site site = acquiredAt;
        return site == null ? acquiredBy : acquiredBy + " at " + site.headline();
    }
}
