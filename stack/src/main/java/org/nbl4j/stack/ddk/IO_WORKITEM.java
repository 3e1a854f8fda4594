package org.nbl4j.stack.ddk;

/** {@code IO_WORKITEM} ({@code PIO_WORKITEM}): a work item allocated for a device by {@code IoAllocateWorkItem}. */
public final class IO_WORKITEM {
    final DEVICE_OBJECT device;

    IO_WORKITEM(DEVICE_OBJECT device) {
        this.device = device;
    }
}
