package org.nbl4j.stack.ddk;

import org.nbl4j.stack.device.FrameworkQueue;

/** {@code WDFQUEUE}: a framework I/O queue of a device, made by {@code WdfIoQueueCreate}. */
public final class WDFQUEUE {
    final FrameworkQueue queue;
    final WDFDEVICE device;

    WDFQUEUE(FrameworkQueue queue, WDFDEVICE device) {
        this.queue = queue;
        this.device = device;
        queue.attach(this);
    }

    static WDFQUEUE of(FrameworkQueue queue) {
        return (WDFQUEUE) java.util.Objects.requireNonNull(queue.attachment());
    }
}
