package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code WDF_DRIVER_CONFIG}: what {@code WdfDriverCreate} needs, set up by {@code WDF_DRIVER_CONFIG_INIT} and then
 * field by field. A callout driver sets {@code DriverInitFlags |= WdfDriverInitNonPnpDriver} and an
 * {@code EvtDriverUnload}.
 */
public final class WDF_DRIVER_CONFIG implements NdisStruct {
    /** {@code Size}. */
    public int Size;
    /** {@code EvtDriverDeviceAdd}: PnP drivers only; nbl4j never calls it (no PnP manager). */
    public @Nullable EVT_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
    /** {@code EvtDriverUnload}: called when the host unloads the driver ({@link WDFDRIVER#unload}). */
    public @Nullable EVT_WDF_DRIVER_UNLOAD EvtDriverUnload;
    /** {@code DriverInitFlags}: {@code WdfDriverInitNonPnpDriver}, {@code WdfDriverInitNoDispatchOverride}. */
    public int DriverInitFlags;
    /** {@code DriverPoolTag}. */
    public int DriverPoolTag;

    /** {@code sizeof(WDF_DRIVER_CONFIG)} on x64. */
    @Override
    public int sizeof() {
        return Wdf.WDF_DRIVER_CONFIG_SIZE;
    }

    @Override
    public void zero() {
        Size = 0;
        EvtDriverDeviceAdd = null;
        EvtDriverUnload = null;
        DriverInitFlags = 0;
        DriverPoolTag = 0;
    }
}
