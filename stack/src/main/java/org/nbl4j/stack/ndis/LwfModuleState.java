package org.nbl4j.stack.ndis;

/**
 * The states of a filter module ({@code FILTER_STATE} in the ndislwf sample; ndis-buffers §6.9). NDIS moves a module
 * Detached → Attaching → Paused → Restarting → Running → Pausing → Paused → Detached, never overlapping two of these
 * operations on one module.
 */
public enum LwfModuleState {
    /** Not attached: before {@code FilterAttach} or after {@code FilterDetach}. */
    DETACHED,
    /** In {@code FilterAttach}. */
    ATTACHING,
    /** Attached and quiet: no own sends or indications outstanding, none may start. */
    PAUSED,
    /** In {@code FilterRestart}, or waiting for {@code NdisFRestartComplete}. */
    RESTARTING,
    /** The data path runs: the only state in which a filter may originate sends and indications. */
    RUNNING,
    /** In {@code FilterPause}, or waiting for {@code NdisFPauseComplete}. */
    PAUSING
}
