package org.nbl4j.stack.kernel;

/**
 * What {@code KeWaitForSingleObject} can wait for: an object that is signalled or not ({@code DISPATCHER_HEADER}).
 * nbl4j's are events, system threads and timers.
 */
public sealed interface DispatcherObject permits KernelEvent, SystemThread, KernelTimer {
    /**
     * Waits until the object is signalled, consuming the signal of a synchronization object.
     *
     * @param timeoutNanos how long to wait at most; negative for no limit, 0 to test without waiting
     * @return whether the object was signalled (else the time ran out)
     * @throws InterruptedException if the waiting Java thread is interrupted
     */
    boolean await(long timeoutNanos) throws InterruptedException;
}
