package org.nbl4j.stack.ddk;

/** {@code EVT_WDF_DRIVER_DEVICE_ADD}: a PnP driver's device-add callback; returns an NTSTATUS. */
@FunctionalInterface
public interface EVT_WDF_DRIVER_DEVICE_ADD {
    /** {@code (Driver, DeviceInit)}. */
    int call(WDFDRIVER Driver, WDFDEVICE_INIT DeviceInit);
}
