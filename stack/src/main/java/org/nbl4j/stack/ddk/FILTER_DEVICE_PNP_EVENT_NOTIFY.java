package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterDevicePnPEventNotify}. nbl4j raises no device PnP events, so NDIS never calls it; it is here so that a driver's characteristics port unchanged.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_DEVICE_PNP_EVENT_NOTIFY {
    /** Called by NDIS. */
    void filterDevicePnpEventNotify(@Nullable Object filterModuleContext, Object netDevicePnPEvent);
}
