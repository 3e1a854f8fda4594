package org.nbl4j.stack.ddk;

import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.kernel.DriverParameters;

/**
 * The small part of KMDF ({@code wdf.h}) a WFP callout driver uses: the framework driver, a control device whose WDM
 * device object registers the callouts, and the driver's {@code Parameters} registry key. The control device's I/O
 * (its name, link, queues and requests) is {@link WdfIo}'s.
 *
 * <p>The registry is a file the user gives: the system property {@code nbl4j.parameters} names it, in the format
 * {@link DriverParameters} documents ({@code Name = value} lines), and it is read when the key is opened.
 */
public final class Wdf {
    private Wdf() {}

    /** {@code WDF_NO_OBJECT_ATTRIBUTES}. */
    public static final @Nullable Object WDF_NO_OBJECT_ATTRIBUTES = null;
    /** {@code WDF_NO_HANDLE}. */
    public static final @Nullable Object WDF_NO_HANDLE = null;
    /** {@code WDF_DRIVER_INIT_FLAGS} {@code WdfDriverInitNonPnpDriver}. */
    public static final int WdfDriverInitNonPnpDriver = 0x1;
    /** {@code WdfDriverInitNoDispatchOverride}. */
    public static final int WdfDriverInitNoDispatchOverride = 0x2;
    /** {@code sizeof(WDF_DRIVER_CONFIG)} on x64: Size, two callbacks, flags, tag. */
    public static final int WDF_DRIVER_CONFIG_SIZE = 32;
    /** {@code SDDL_DEVOBJ_KERNEL_ONLY}: only the kernel may open the device. */
    public static final String SDDL_DEVOBJ_KERNEL_ONLY = "D:P";
    /** {@code KEY_READ}. */
    public static final int KEY_READ = 0x20019;

    /** {@code WDF_DRIVER_CONFIG_INIT(&Config, EvtDriverDeviceAdd)}. */
    public static void WDF_DRIVER_CONFIG_INIT(
            WDF_DRIVER_CONFIG Config, @Nullable EVT_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd) {
        Config.zero();
        Config.Size = WDF_DRIVER_CONFIG_SIZE;
        Config.EvtDriverDeviceAdd = EvtDriverDeviceAdd;
    }

    /**
     * {@code WdfDriverCreate(DriverObject, RegistryPath, DriverAttributes, &DriverConfig, &Driver)}. The driver
     * object and registry path are whatever the port's {@code DriverEntry} received; they are accepted and unused.
     */
    public static int WdfDriverCreate(
            @Nullable Object DriverObject,
            @Nullable Object RegistryPath,
            @Nullable Object DriverAttributes,
            WDF_DRIVER_CONFIG DriverConfig,
            @Nullable Ref<WDFDRIVER> Driver) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfDriverCreate", "wdfdriver")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (DriverConfig.Size != WDF_DRIVER_CONFIG_SIZE) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        WDFDRIVER driver = new WDFDRIVER(DriverConfig.EvtDriverUnload);
        if (Driver != null) {
            Driver.set(driver);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfControlDeviceInitAllocate(Driver, SDDLString)}: the SDDL is accepted (no user mode opens it yet).
     * {@code NULL} when refused above PASSIVE_LEVEL.
     */
    public static @Nullable WDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, String SDDLString) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfControlDeviceInitAllocate", "wdfcontrol")) {
            return null;
        }
        return new WDFDEVICE_INIT(Driver);
    }

    /** {@code WdfDeviceInitFree(DeviceInit)}: drops an init that {@code WdfDeviceCreate} did not consume. */
    public static void WdfDeviceInitFree(WDFDEVICE_INIT DeviceInit) {
        // Nothing to free: the init is garbage once the driver drops it.
    }

    /**
     * {@code WdfDeviceCreate(&DeviceInit, DeviceAttributes, &Device)}: creates the device and, as KMDF does on success,
     * sets {@code *DeviceInit} to {@code NULL}. A device named by {@code WdfDeviceInitAssignName} is created in the
     * thread's I/O manager ({@code SystemIo}); {@code STATUS_OBJECT_NAME_COLLISION} if the name is taken.
     */
    public static int WdfDeviceCreate(
            Ref<WDFDEVICE_INIT> DeviceInit, @Nullable Object DeviceAttributes, Ref<WDFDEVICE> Device) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfDeviceCreate", "wdfdevice")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        WDFDEVICE_INIT init = DeviceInit.value();
        if (init == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        String name = init.name;
        WDFDEVICE created =
                name == null ? new WDFDEVICE(init.driver) : WDFDEVICE.named(init.driver, SystemIo.current(), name);
        if (created == null) {
            return NtStatus.STATUS_OBJECT_NAME_COLLISION;
        }
        Device.set(created);
        DeviceInit.set(null);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfControlFinishInitializing(Device)}: the control device is ready. Refused above DISPATCH_LEVEL: it stays
     * initializing.
     */
    public static void WdfControlFinishInitializing(WDFDEVICE Device) {
        if (SystemNdis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfControlFinishInitializing", "wdfcontrol")) {
            Device.initializing = false;
        }
    }

    /**
     * {@code WdfDeviceWdmGetDeviceObject(Device)}: what {@code FwpsCalloutRegister} takes; {@code NULL} when refused
     * above DISPATCH_LEVEL.
     */
    public static @Nullable DEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfDeviceWdmGetDeviceObject", "wdfdevice")) {
            return null;
        }
        return Device.deviceObject;
    }

    /**
     * {@code WdfObjectDelete(Object)} of a device: it is not initializing any more, and gone for the driver; a named
     * device's symbolic link and name go with it (with handles still open, {@code DEVICE_DELETED_WITH_OPEN_HANDLES}).
     * Refused above DISPATCH_LEVEL: the device is left as it was.
     */
    public static void WdfObjectDelete(WDFDEVICE Object) {
        if (SystemNdis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfObjectDelete", "wdfobject")) {
            Object.initializing = false;
            org.nbl4j.stack.device.IoManager io = Object.io;
            if (io != null) {
                String link = Object.symbolicLink;
                if (link != null) {
                    io.deleteSymbolicLink(link);
                    Object.symbolicLink = null;
                }
                io.deleteDevice(Object.deviceObject.device());
            }
        }
    }

    /**
     * {@code WdfDriverOpenParametersRegistryKey(Driver, DesiredAccess, KeyAttributes, &Key)}: opens the driver's
     * {@code Parameters} key, read from the file {@code nbl4j.parameters} names.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public static int WdfDriverOpenParametersRegistryKey(
            WDFDRIVER Driver, int DesiredAccess, @Nullable Object KeyAttributes, Ref<WDFKEY> Key) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfDriverOpenParametersRegistryKey", "wdfdriver")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Key.set(new WDFKEY(DriverParameters.fromProperty()));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfRegistryQueryULong(Key, &ValueName, &Value)}.
     *
     * @return {@code STATUS_SUCCESS}, {@code STATUS_OBJECT_NAME_NOT_FOUND} if the key has no such DWORD value, or
     *     {@code STATUS_INVALID_DEVICE_STATE} (and {@code Value} untouched) when refused above PASSIVE_LEVEL
     */
    public static int WdfRegistryQueryULong(WDFKEY Key, String ValueName, Ref<Integer> Value) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfRegistryQueryULong", "wdfregistry")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        OptionalInt value = Key.parameters.dword(ValueName);
        if (value.isEmpty()) {
            return NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
        }
        Value.set(value.getAsInt());
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code WdfRegistryClose(Key)}. */
    public static void WdfRegistryClose(WDFKEY Key) {
        // Nothing to close: the file was read when the key was opened.
    }
}
