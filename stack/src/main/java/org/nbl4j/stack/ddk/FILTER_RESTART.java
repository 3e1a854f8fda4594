package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FilterRestart} (PASSIVE_LEVEL): SUCCESS, a failure, or PENDING and {@code NdisFRestartComplete} later.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_RESTART {
    /** Called by NDIS. */
    int filterRestart(@Nullable Object filterModuleContext, NDIS_FILTER_RESTART_PARAMETERS restartParameters);
}
