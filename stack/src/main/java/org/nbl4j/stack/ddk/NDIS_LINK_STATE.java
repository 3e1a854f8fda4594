package org.nbl4j.stack.ddk;

import org.nbl4j.stack.ndis.LinkStateIndication;

/** {@code NDIS_LINK_STATE}: the {@code StatusBuffer} of an {@code NDIS_STATUS_LINK_STATE} indication. */
public final class NDIS_LINK_STATE {
    /** {@code Header}. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code MediaConnectState}: {@code MediaConnectStateConnected} and the others. */
    public int MediaConnectState;
    /** {@code MediaDuplexState}. */
    public int MediaDuplexState;
    /** {@code XmitLinkSpeed} in bit/s. */
    public long XmitLinkSpeed;
    /** {@code RcvLinkSpeed} in bit/s. */
    public long RcvLinkSpeed;
    /** {@code PauseFunctions}. */
    public int PauseFunctions;
    /** {@code AutoNegotiationFlags}. */
    public int AutoNegotiationFlags;

    static NDIS_LINK_STATE of(LinkStateIndication state) {
        NDIS_LINK_STATE linkState = new NDIS_LINK_STATE();
        linkState.Header.Type = NdisH.NDIS_OBJECT_TYPE_DEFAULT;
        linkState.Header.Revision = NdisLwf.NDIS_LINK_STATE_REVISION_1;
        linkState.Header.Size = NdisLwf.NDIS_SIZEOF_LINK_STATE_REVISION_1;
        linkState.MediaConnectState = state.mediaConnectState().ordinal();
        linkState.MediaDuplexState = NdisLwf.MediaDuplexStateFull;
        linkState.XmitLinkSpeed = state.xmitLinkSpeed();
        linkState.RcvLinkSpeed = state.rcvLinkSpeed();
        return linkState;
    }

    LinkStateIndication toStack() {
        return new LinkStateIndication(
                org.nbl4j.stack.ndis.LinkState.values()[MediaConnectState], XmitLinkSpeed, RcvLinkSpeed);
    }
}
