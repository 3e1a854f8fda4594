package org.nbl4j.stack.ddk;

/** {@code DRIVER_DISPATCH}: a routine of {@link DRIVER_OBJECT#MajorFunction}, called at PASSIVE_LEVEL. */
@FunctionalInterface
public interface DRIVER_DISPATCH {
    /** Handles {@code Irp}: completes it and returns its status, or marks it pending and returns STATUS_PENDING. */
    int dispatch(DEVICE_OBJECT DeviceObject, IRP Irp);
}
