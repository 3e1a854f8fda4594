package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.device.Device;

/**
 * {@code DEVICE_OBJECT}: one of a driver's devices. One made by {@code IoCreateDevice} (or {@code NdisRegisterDeviceEx})
 * is a device of the I/O manager that user mode opens through its symbolic link (docs/devices.md). The WDM device
 * object behind a KMDF control device ({@code WdfDeviceWdmGetDeviceObject}), which a callout driver passes to
 * {@code FwpsCalloutRegister} and {@code IoAllocateWorkItem}, is such a device when the driver named it
 * ({@code WdfDeviceInitAssignName}), its requests going to its framework queues; unnamed, it has no I/O behind it.
 */
public final class DEVICE_OBJECT {
    /** The driver that created it; {@code NULL} for a KMDF control device's (its driver is a {@code WDFDRIVER}). */
    public final @Nullable DRIVER_OBJECT DriverObject;
    /** {@code DeviceType} ({@code FILE_DEVICE_*}). */
    public final int DeviceType;
    /** {@code Flags}; {@code DO_DEVICE_INITIALIZING} is the one drivers clear. */
    public int Flags;
    /**
     * {@code DeviceExtension}: the driver's own context. C sizes it in {@code IoCreateDevice}; here the driver stores
     * its object (the size argument is accepted and unused).
     */
    public @Nullable Object DeviceExtension;

    /** The I/O manager's device, or {@code null} for an unnamed KMDF control device's object (no I/O). */
    final @Nullable Device device;

    DEVICE_OBJECT(@Nullable DRIVER_OBJECT driverObject, int deviceType, Device device) {
        this.DriverObject = driverObject;
        this.DeviceType = deviceType;
        this.device = device;
        device.attach(this);
    }

    /** The WDM object of an unnamed KMDF control device: a handle for callout registration and work items only. */
    DEVICE_OBJECT() {
        this.DriverObject = null;
        this.DeviceType = WdmIo.FILE_DEVICE_UNKNOWN;
        this.device = null;
    }

    static DEVICE_OBJECT of(Device device) {
        return (DEVICE_OBJECT) java.util.Objects.requireNonNull(device.attachment());
    }

    /** The I/O manager's device behind it; an unnamed KMDF control device's has none. */
    Device device() {
        Device io = device;
        if (io == null) {
            throw new IllegalArgumentException("the device object of an unnamed KMDF control device has no I/O behind"
                    + " it: name it with WdfDeviceInitAssignName, or create the device with IoCreateDevice");
        }
        return io;
    }

    @Override
    public String toString() {
        return device == null ? "KMDF control device object" : device.toString();
    }
}
