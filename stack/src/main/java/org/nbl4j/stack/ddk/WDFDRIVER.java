package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code WDFDRIVER}: the framework driver object {@code WdfDriverCreate} makes. */
public final class WDFDRIVER {
    private final @Nullable EVT_WDF_DRIVER_UNLOAD unload;

    WDFDRIVER(@Nullable EVT_WDF_DRIVER_UNLOAD unload) {
        this.unload = unload;
    }

    /**
     * Unloads the driver the way the framework does when the service stops: calls the {@code EvtDriverUnload} of its
     * {@code WDF_DRIVER_CONFIG}, if it set one. For the host that loaded the driver (a test, the cli).
     */
    public void unload() {
        if (unload != null) {
            unload.call(this);
        }
    }
}
