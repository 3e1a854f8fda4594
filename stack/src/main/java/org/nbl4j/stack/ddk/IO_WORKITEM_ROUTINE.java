package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code IO_WORKITEM_ROUTINE}: a work item's routine, run at PASSIVE_LEVEL on a system worker thread. */
@FunctionalInterface
public interface IO_WORKITEM_ROUTINE {
    /** {@code (DeviceObject, Context)}. */
    void call(DEVICE_OBJECT DeviceObject, @Nullable Object Context);
}
