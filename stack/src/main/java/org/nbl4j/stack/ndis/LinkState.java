package org.nbl4j.stack.ndis;

/** The media connect state a miniport reports ({@code NDIS_LINK_STATE.MediaConnectState}). */
public enum LinkState {
    /** {@code MediaConnectStateUnknown}. */
    UNKNOWN,
    /** {@code MediaConnectStateConnected}. */
    CONNECTED,
    /** {@code MediaConnectStateDisconnected}. */
    DISCONNECTED
}
