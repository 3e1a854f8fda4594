package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code WDF_IO_QUEUE_CONFIG}: how {@code WdfIoQueueCreate} makes a queue; filled by
 * {@code WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE} or {@code WDF_IO_QUEUE_CONFIG_INIT}, then field by field.
 */
public final class WDF_IO_QUEUE_CONFIG {
    /** {@code WDF_IO_QUEUE_DISPATCH_TYPE}: {@code WdfIoQueueDispatchParallel} or {@code WdfIoQueueDispatchManual}. */
    public int DispatchType;
    /** {@code PowerManaged} ({@code WDF_TRI_STATE}): accepted; a control device has no power states. */
    public int PowerManaged;
    /** Whether the queue gets the device's requests ({@code DefaultQueue}). */
    public boolean DefaultQueue;
    /** {@code EvtIoDeviceControl}: required for a parallel queue. */
    public @Nullable EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl;
}
