package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterOidRequest}: an OID request from above; its status, or PENDING and {@code NdisFOidRequestComplete} later.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_OID_REQUEST {
    /** Called by NDIS. */
    int filterOidRequest(@Nullable Object filterModuleContext, NDIS_OID_REQUEST oidRequest);
}
