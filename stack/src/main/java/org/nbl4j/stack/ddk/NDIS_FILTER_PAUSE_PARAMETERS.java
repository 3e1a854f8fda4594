package org.nbl4j.stack.ddk;

/** {@code NDIS_FILTER_PAUSE_PARAMETERS}: what NDIS tells {@code FilterPause}. */
public final class NDIS_FILTER_PAUSE_PARAMETERS {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS}, revision 1. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code Flags}. */
    public int Flags;
    /** {@code PauseReason}: 0; nbl4j does not tell a module why its stack pauses. */
    public int PauseReason;
}
