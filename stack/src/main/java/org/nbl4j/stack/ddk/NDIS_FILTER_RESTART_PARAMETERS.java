package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_FILTER_RESTART_PARAMETERS}: what NDIS tells {@code FilterRestart}. */
public final class NDIS_FILTER_RESTART_PARAMETERS {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS}, revision 1. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code MiniportMediaType}. */
    public int MiniportMediaType;
    /** {@code MiniportPhysicalMediaType}. */
    public int MiniportPhysicalMediaType;
    /** {@code RestartAttributes}: {@code NULL}; nbl4j's miniports change no attribute across a restart. */
    public @Nullable Object RestartAttributes;
    /** {@code LowerIfIndex}. */
    public int LowerIfIndex;
    /** {@code HigherIfIndex}. */
    public int HigherIfIndex;
    /** {@code Flags}. */
    public int Flags;
}
