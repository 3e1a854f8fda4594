package org.nbl4j.stack.kernel;

/**
 * A kernel event ({@code KEVENT}, and the event inside an {@code NDIS_EVENT}): a notification event stays signalled
 * and releases every waiter until it is reset; a synchronization event releases one waiter and resets itself.
 *
 * <p>A new event is a notification event, not signalled: what a zeroed {@code KEVENT} is on Windows.
 */
public final class KernelEvent implements DispatcherObject {
    /** {@code EVENT_TYPE}. */
    public enum Type {
        /** {@code NotificationEvent}: manual reset. */
        NOTIFICATION,
        /** {@code SynchronizationEvent}: auto reset, one waiter at a time. */
        SYNCHRONIZATION
    }

    private Type type = Type.NOTIFICATION;
    private boolean signaled;

    /** {@code KeInitializeEvent}. */
    public synchronized void initialize(Type type, boolean signaled) {
        this.type = type;
        this.signaled = signaled;
    }

    /** {@code KeSetEvent}: signals; returns whether it was signalled before. */
    public synchronized boolean set() {
        boolean previous = signaled;
        signaled = true;
        notifyAll();
        return previous;
    }

    /** {@code KeResetEvent}/{@code KeClearEvent}: returns whether it was signalled before. */
    public synchronized boolean reset() {
        boolean previous = signaled;
        signaled = false;
        return previous;
    }

    /** {@code KeReadStateEvent}. */
    public synchronized boolean isSignaled() {
        return signaled;
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
        if (type == Type.SYNCHRONIZATION) {
            signaled = false;
        }
        return true;
    }
}
