package org.nbl4j.stack.ddk;

/**
 * {@code NDIS_FILTER_ATTACH_PARAMETERS}: what NDIS tells {@code FilterAttach} about the adapter below. The fields an
 * IP-medium adapter has; the offload and media-specific pointers are {@code NULL}.
 */
public final class NDIS_FILTER_ATTACH_PARAMETERS {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS}, revision 1. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code IfIndex}: the interface index of the module (the adapter's here). */
    public int IfIndex;
    /** {@code BaseMiniportIfIndex}. */
    public int BaseMiniportIfIndex;
    /** {@code LowerIfIndex}: the interface below the module. */
    public int LowerIfIndex;
    /** {@code FilterModuleGuidName}: the module's name. */
    public String FilterModuleGuidName = "";
    /** {@code BaseMiniportName}. */
    public String BaseMiniportName = "";
    /** {@code BaseMiniportInstanceName}. */
    public String BaseMiniportInstanceName = "";
    /** {@code MiniportMediaType}: an {@code NdisMedium*} value; {@code NdisMediumWirelessWan} for nbl4j's adapters. */
    public int MiniportMediaType;
    /** {@code MiniportPhysicalMediaType}: an {@code NdisPhysicalMedium*} value. */
    public int MiniportPhysicalMediaType;
    /** {@code MediaConnectState}: {@code MediaConnectStateConnected} and the others. */
    public int MediaConnectState;
    /** {@code MediaDuplexState}. */
    public int MediaDuplexState;
    /** {@code XmitLinkSpeed} in bit/s. */
    public long XmitLinkSpeed;
    /** {@code RcvLinkSpeed} in bit/s. */
    public long RcvLinkSpeed;
    /** {@code MacAddressLength}: 0, a raw-IP medium has no link-layer address. */
    public int MacAddressLength;
}
