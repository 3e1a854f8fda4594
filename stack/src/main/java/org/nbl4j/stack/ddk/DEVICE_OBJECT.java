package org.nbl4j.stack.ddk;

/**
 * {@code DEVICE_OBJECT}: the WDM device object behind a WDF device ({@code WdfDeviceWdmGetDeviceObject}), which a
 * callout driver passes to {@code FwpsCalloutRegister} and {@code IoAllocateWorkItem}. It carries no state of its own
 * here; device I/O is not part of it yet.
 */
public final class DEVICE_OBJECT {
    DEVICE_OBJECT() {}
}
