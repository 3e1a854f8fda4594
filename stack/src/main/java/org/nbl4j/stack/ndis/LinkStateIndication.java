package org.nbl4j.stack.ndis;

/**
 * The {@code NDIS_LINK_STATE} a miniport reports in an {@code NDIS_STATUS_LINK_STATE} indication and in answer to
 * {@code OID_GEN_LINK_STATE}.
 *
 * @param mediaConnectState {@code MediaConnectState}
 * @param xmitLinkSpeed {@code XmitLinkSpeed} in bit/s
 * @param rcvLinkSpeed {@code RcvLinkSpeed} in bit/s
 */
public record LinkStateIndication(LinkState mediaConnectState, long xmitLinkSpeed, long rcvLinkSpeed) {}
