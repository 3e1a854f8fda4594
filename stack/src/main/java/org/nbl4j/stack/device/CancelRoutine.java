package org.nbl4j.stack.device;

/**
 * A driver's {@code DRIVER_CANCEL} routine as the I/O manager calls it: at DISPATCH_LEVEL with the cancel spin lock
 * held ({@link IoManager#releaseCancelSpinLock}, with the level in {@link Irp#cancelIrql()}, is the routine's to call).
 */
@FunctionalInterface
public interface CancelRoutine {
    /** Cancels {@code irp}, which the routine must take off its queue and complete with {@code STATUS_CANCELLED}. */
    void cancel(Device device, Irp irp);
}
