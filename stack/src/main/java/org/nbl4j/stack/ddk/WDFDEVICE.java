package org.nbl4j.stack.ddk;

/**
 * {@code WDFDEVICE}: a framework device; for a callout driver, a control device, whose WDM device object it registers
 * its callouts with.
 */
public final class WDFDEVICE {
    final WDFDRIVER driver;
    final DEVICE_OBJECT deviceObject = new DEVICE_OBJECT();
    /** Until {@code WdfControlFinishInitializing}: a control device that is initializing receives no I/O. */
    boolean initializing = true;

    WDFDEVICE(WDFDRIVER driver) {
        this.driver = driver;
    }

    /** Whether {@code WdfControlFinishInitializing} has not been called yet. */
    public boolean isInitializing() {
        return initializing;
    }
}
