package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code PWDFDEVICE_INIT}: a device under construction, from {@code WdfControlDeviceInitAllocate}. */
public final class WDFDEVICE_INIT {
    final WDFDRIVER driver;
    /** The name {@code WdfDeviceInitAssignName} gave; a named device is one of the I/O manager's. */
    @Nullable
    String name;

    WDFDEVICE_INIT(WDFDRIVER driver) {
        this.driver = driver;
    }
}
