package org.nbl4j.stack.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * <p>The lock is a word holding its owner, as a {@code KSPIN_LOCK} is a word: acquiring is one compare-and-set, and
 * releasing one store with release semantics, which on x86 needs no fence (a {@code ReentrantLock}'s volatile release
 * was an eighth of the receive thread's samples in the user-verdict benchmark, docs/benchmarks.md). A Java thread that
 * waits for a held lock spins for a short while, as a processor would; then, since a Java holder can be descheduled
 * where a processor at DISPATCH_LEVEL cannot, it yields, and then sleeps in growing steps of at most
 * {@value #LONGEST_SLEEP_MICROSECONDS} µs until the lock is free: a test with more threads than cores, or a
 * descheduled holder, still makes progress, without a queue of waiters to wake at every release.
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
    /** How often a waiter yields its processor before it sleeps. */
    private static final int YIELDS_BEFORE_SLEEPING = 20;
    /** The longest a sleeping waiter sleeps between two tries. */
    private static final long LONGEST_SLEEP_MICROSECONDS = 200;

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SpinLock.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread holding the lock, or {@code null}; set by compare-and-set, cleared with release semantics. */
    @SuppressWarnings("unused") // through OWNER
    private volatile @Nullable Thread owner;
    /**
     * The DDI the holder acquired with, for reports. Plain fields (a volatile write is a fence on x86): another thread's
     * report may read the previous holder's, which a report of a race shows anyway.
     */
    private String acquiredBy = "";
    /** Where the holder acquired it; captured by the full verifier only, since a stack walk per acquire costs. */
    private @Nullable Site acquiredAt;

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
        if (!isHeldByCurrentThread()) {
            verifier.report(
                    KernelRule.SPIN_LOCK_NOT_OWNED,
                    ddi + " of a lock the calling thread does not hold"
                            + (isHeld() ? "" : " (no thread holds it: released twice?)"),
                    null,
                    0);
            return;
        }
        HeldSpinLocks.released(verifier, this);
        acquiredAt = null;
        OWNER.setRelease(this, (Thread) null);
    }

    /** Whether some thread holds the lock (for tests and reports). */
    public boolean isHeld() {
        return OWNER.getOpaque(this) != null;
    }

    private boolean isHeldByCurrentThread() {
        return OWNER.getOpaque(this) == Thread.currentThread();
    }

    private void acquire(Verifier verifier, String ddi) {
        if (isHeldByCurrentThread()) {
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
        Thread me = Thread.currentThread();
        if (OWNER.compareAndSet(this, (Thread) null, me)) {
            return;
        }
        long sleepMicroseconds = 1;
        for (int tries = 0; ; tries++) {
            if (tries < SPINS_BEFORE_BLOCKING) {
                Thread.onSpinWait();
            } else if (tries < SPINS_BEFORE_BLOCKING + YIELDS_BEFORE_SLEEPING) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(sleepMicroseconds));
                sleepMicroseconds = Math.min(2 * sleepMicroseconds, LONGEST_SLEEP_MICROSECONDS);
            }
            // Read before the compare-and-set, so that waiters do not take the line from the holder at every try.
            if (OWNER.getOpaque(this) == null && OWNER.compareAndSet(this, (Thread) null, me)) {
                return;
            }
        }
    }

    /** The acquiring DDI and, under the full verifier, the driver's line that called it. */
    String describeHolder() {
        Site site = acquiredAt;
        return site == null ? acquiredBy : acquiredBy + " at " + site.headline();
    }
}
