package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterStatus}: a status indication from below; pass it on with {@code NdisFIndicateStatus}.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_STATUS {
    /** Called by NDIS. */
    void filterStatus(@Nullable Object filterModuleContext, NDIS_STATUS_INDICATION statusIndication);
}
