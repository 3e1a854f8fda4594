package org.nbl4j.stack.ddk;

/**
 * {@code DRIVER_CANCEL}: a cancel routine set with {@code IoSetCancelRoutine}, called at DISPATCH_LEVEL with the
 * cancel spin lock held; it calls {@code IoReleaseCancelSpinLock(Irp.CancelIrql())}, dequeues the IRP and completes
 * it with {@code STATUS_CANCELLED}.
 */
@FunctionalInterface
public interface DRIVER_CANCEL {
    /** Cancels {@code Irp}. */
    void cancel(DEVICE_OBJECT DeviceObject, IRP Irp);
}
