package org.nbl4j.stack.ddk;

/** {@code NDIS_EVENT}: a notification {@code KEVENT} behind {@code NdisInitializeEvent}/{@code NdisWaitEvent}. */
public final class NDIS_EVENT {
    /** {@code Event}. */
    public final KEVENT Event = new KEVENT();
}
