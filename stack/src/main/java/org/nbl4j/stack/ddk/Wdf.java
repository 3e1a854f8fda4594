package org.nbl4j.stack.ddk;

import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.kernel.DriverParameters;

/**
 * The small part of KMDF ({@code wdf.h}) a WFP callout driver uses: the framework driver, a control device whose WDM
 * device object registers the callouts, and the driver's {@code Parameters} registry key. Device I/O is not part of it
 * yet.
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

    /** {@code WdfControlDeviceInitAllocate(Driver, SDDLString)}: the SDDL is accepted (no user mode opens it yet). */
    public static WDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, String SDDLString) {
        return new WDFDEVICE_INIT(Driver);
    }

    /** {@code WdfDeviceInitFree(DeviceInit)}: drops an init that {@code WdfDeviceCreate} did not consume. */
    public static void WdfDeviceInitFree(WDFDEVICE_INIT DeviceInit) {
        // Nothing to free: the init is garbage once the driver drops it.
    }

    /**
     * {@code WdfDeviceCreate(&DeviceInit, DeviceAttributes, &Device)}: creates the device and, as KMDF does on success,
     * sets {@code *DeviceInit} to {@code NULL}.
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
        Device.set(new WDFDEVICE(init.driver));
        DeviceInit.set(null);
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code WdfControlFinishInitializing(Device)}: the control device is ready. */
    public static void WdfControlFinishInitializing(WDFDEVICE Device) {
        Device.initializing = false;
    }

    /** {@code WdfDeviceWdmGetDeviceObject(Device)}: what {@code FwpsCalloutRegister} takes. */
    public static DEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device) {
        return Device.deviceObject;
    }

    /** {@code WdfObjectDelete(Object)} of a device: it is not initializing any more, and gone for the driver. */
    public static void WdfObjectDelete(WDFDEVICE Object) {
        Object.initializing = false;
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
     * @return {@code STATUS_SUCCESS}, or {@code STATUS_OBJECT_NAME_NOT_FOUND} if the key has no such DWORD value
     */
    public static int WdfRegistryQueryULong(WDFKEY Key, String ValueName, Ref<Integer> Value) {
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
