package org.nbl4j.stack.device;

/**
 * What a device does with the IRPs sent to it: the driver's dispatch table ({@code DRIVER_OBJECT.MajorFunction}) seen
 * from the I/O manager.
 */
@FunctionalInterface
public interface Dispatcher {
    /**
     * Dispatches {@code irp} at PASSIVE_LEVEL, as Windows calls a dispatch routine for a user-mode request.
     *
     * @return the NTSTATUS the routine returned: {@code STATUS_PENDING} for an IRP it keeps, or the status it
     *     completed the IRP with
     */
    int dispatch(Device device, Irp irp);
}
