package org.nbl4j.stack.ddk;

/** {@code EVT_WDF_DRIVER_UNLOAD}: the driver's unload callback, at PASSIVE_LEVEL. */
@FunctionalInterface
public interface EVT_WDF_DRIVER_UNLOAD {
    /** {@code (Driver)}. */
    void call(WDFDRIVER Driver);
}
