package org.nbl4j.stack.ddk;

/** {@code EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL}: a queue presents a device-control request to the driver. */
@FunctionalInterface
public interface EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL {
    /** {@code (Queue, Request, OutputBufferLength, InputBufferLength, IoControlCode)}. */
    void call(WDFQUEUE Queue, WDFREQUEST Request, long OutputBufferLength, long InputBufferLength, int IoControlCode);
}
