package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.device.Device;
import org.nbl4j.stack.device.Dispatcher;
import org.nbl4j.stack.device.Irp;

/**
 * {@code DRIVER_OBJECT}: what the I/O manager passes to {@code DriverEntry}. The driver fills in
 * {@link #MajorFunction} and {@link #DriverUnload}; {@code IoCreateDevice} links its devices here. A driver ported to
 * nbl4j makes one with {@code new DRIVER_OBJECT()} and unloads with {@link SystemIo#unload}.
 */
public final class DRIVER_OBJECT {
    /** The dispatch table, indexed by {@code IRP_MJ_*}; a {@code null} entry fails the request as Windows does. */
    public final @Nullable DRIVER_DISPATCH[] MajorFunction = new DRIVER_DISPATCH[WdmIo.IRP_MJ_MAXIMUM_FUNCTION + 1];
    /** {@code DriverUnload}. */
    public @Nullable DRIVER_UNLOAD DriverUnload;
    /** The device created last ({@code DeviceObject}; Windows chains them through {@code NextDevice}). */
    public @Nullable DEVICE_OBJECT DeviceObject;

    /** The table as the I/O manager calls it: a missing routine completes with STATUS_INVALID_DEVICE_REQUEST. */
    final Dispatcher dispatcher = this::dispatch;

    private int dispatch(Device device, Irp irp) {
        DRIVER_DISPATCH routine = MajorFunction[irp.majorFunction()];
        if (routine == null) {
            irp.complete(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        return routine.dispatch(DEVICE_OBJECT.of(device), IRP.of(irp));
    }
}
