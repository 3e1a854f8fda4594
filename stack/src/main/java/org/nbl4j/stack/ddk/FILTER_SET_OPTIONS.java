package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterSetOptions}: called once during {@code NdisFRegisterFilterDriver}, after the driver handle is written, to register optional driver-level services.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_SET_OPTIONS {
    /** Called by NDIS. */
    int filterSetOptions(Object ndisFilterDriverHandle, @Nullable Object filterDriverContext);
}
