package org.nbl4j.stack.ddk;

/** {@code DRIVER_UNLOAD}: {@link DRIVER_OBJECT#DriverUnload}, run by {@link SystemIo#unload} at PASSIVE_LEVEL. */
@FunctionalInterface
public interface DRIVER_UNLOAD {
    /** Deletes the driver's links and devices and frees what it allocated. */
    void unload(DRIVER_OBJECT DriverObject);
}
