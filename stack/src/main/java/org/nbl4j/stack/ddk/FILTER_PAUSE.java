package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterPause} (PASSIVE_LEVEL): SUCCESS, or PENDING and {@code NdisFPauseComplete} once nothing the module originated is outstanding.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_PAUSE {
    /** Called by NDIS. */
    int filterPause(@Nullable Object filterModuleContext, NDIS_FILTER_PAUSE_PARAMETERS pauseParameters);
}
