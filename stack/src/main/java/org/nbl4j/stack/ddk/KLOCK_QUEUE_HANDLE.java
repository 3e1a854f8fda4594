package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code KLOCK_QUEUE_HANDLE}: the handle of an in-stack queued spin lock acquisition, a local variable of the caller
 * ({@code KLOCK_QUEUE_HANDLE LockHandle;} ports as {@code KLOCK_QUEUE_HANDLE LockHandle = new KLOCK_QUEUE_HANDLE();}).
 * It remembers the lock and the IRQL to restore. Queued locks are granted in order on Windows; nbl4j's
 * {@code KSPIN_LOCK} is the same lock whichever way it is acquired.
 */
public final class KLOCK_QUEUE_HANDLE {
    /** {@code LockQueue.Lock}: the lock this handle acquired, until it is released. */
    @Nullable
    KSPIN_LOCK lock;
    /** {@code OldIrql}. */
    public int OldIrql;
}
