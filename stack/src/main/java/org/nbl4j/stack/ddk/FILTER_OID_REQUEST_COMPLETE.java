package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterOidRequestComplete}: a request the module passed down and got PENDING for has completed.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_OID_REQUEST_COMPLETE {
    /** Called by NDIS. */
    void filterOidRequestComplete(@Nullable Object filterModuleContext, NDIS_OID_REQUEST oidRequest, int status);
}
