package org.nbl4j.stack.ddk;

/** {@code PWDFDEVICE_INIT}: a device under construction, from {@code WdfControlDeviceInitAllocate}. */
public final class WDFDEVICE_INIT {
    final WDFDRIVER driver;

    WDFDEVICE_INIT(WDFDRIVER driver) {
        this.driver = driver;
    }
}
