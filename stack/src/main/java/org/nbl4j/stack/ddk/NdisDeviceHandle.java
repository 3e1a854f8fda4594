package org.nbl4j.stack.ddk;

/**
 * The {@code NDIS_HANDLE} {@code NdisRegisterDeviceEx} returns for a filter driver's control device, which
 * {@code NdisDeregisterDeviceEx} takes back: the device, the driver object NDIS made for it, and its link.
 */
public final class NdisDeviceHandle {
    final DRIVER_OBJECT driverObject;
    final DEVICE_OBJECT deviceObject;
    final UNICODE_STRING symbolicName;

    NdisDeviceHandle(DRIVER_OBJECT driverObject, DEVICE_OBJECT deviceObject, UNICODE_STRING symbolicName) {
        this.driverObject = driverObject;
        this.deviceObject = deviceObject;
        this.symbolicName = symbolicName;
    }

    @Override
    public String toString() {
        return "NDIS device handle of " + deviceObject;
    }
}
