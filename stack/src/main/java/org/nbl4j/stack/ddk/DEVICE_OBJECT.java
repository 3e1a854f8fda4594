package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.device.Device;

/** {@code DEVICE_OBJECT}: one of a driver's devices, made by {@code IoCreateDevice}. */
public final class DEVICE_OBJECT {
    /** The driver that created it. */
    public final DRIVER_OBJECT DriverObject;
    /** {@code DeviceType} ({@code FILE_DEVICE_*}). */
    public final int DeviceType;
    /** {@code Flags}; {@code DO_DEVICE_INITIALIZING} is the one drivers clear. */
    public int Flags;
    /**
     * {@code DeviceExtension}: the driver's own context. C sizes it in {@code IoCreateDevice}; here the driver stores
     * its object (the size argument is accepted and unused).
     */
    public @Nullable Object DeviceExtension;

    final Device device;

    DEVICE_OBJECT(DRIVER_OBJECT driverObject, int deviceType, Device device) {
        this.DriverObject = driverObject;
        this.DeviceType = deviceType;
        this.device = device;
        device.attach(this);
    }

    static DEVICE_OBJECT of(Device device) {
        return (DEVICE_OBJECT) java.util.Objects.requireNonNull(device.attachment());
    }

    @Override
    public String toString() {
        return device.toString();
    }
}
