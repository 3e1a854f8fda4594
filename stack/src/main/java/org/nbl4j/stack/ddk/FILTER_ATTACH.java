package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterAttach} (PASSIVE_LEVEL): allocates the module context and gives it to NDIS with {@code NdisFSetAttributes}; any status but SUCCESS leaves the adapter without the module.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_ATTACH {
    /** Called by NDIS. */
    int filterAttach(
            Object ndisFilterHandle,
            @Nullable Object filterDriverContext,
            NDIS_FILTER_ATTACH_PARAMETERS attachParameters);
}
