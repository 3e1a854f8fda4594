package org.nbl4j.core.buffer;

/**
 * The out-of-band information slots of a NET_BUFFER_LIST, by index: {@code NDIS_NET_BUFFER_LIST_INFO} for x64 with
 * NDIS 6.80 or later headers (ndis-buffers §4.4), where {@code MaxNetBufferListInfo} is 27.
 *
 * <p>Several enumerators share an index in the headers; the alias is given in {@link #alias()}.
 */
public enum NetBufferListInfo {
    TcpIpChecksumNetBufferListInfo("TcpOffloadBytesTransferred"),
    IPsecOffloadV1NetBufferListInfo("IPsecOffloadV2NetBufferListInfo"),
    TcpLargeSendNetBufferListInfo("TcpReceiveNoPush"),
    ClassificationHandleNetBufferListInfo(""),
    Ieee8021QNetBufferListInfo(""),
    NetBufferListCancelId(""),
    MediaSpecificInformation(""),
    NetBufferListFrameType("NetBufferListProtocolId"),
    NetBufferListHashValue(""),
    NetBufferListHashInfo(""),
    WfpNetBufferListInfo(""),
    IPsecOffloadV2TunnelNetBufferListInfo(""),
    IPsecOffloadV2HeaderNetBufferListInfo(""),
    NetBufferListCorrelationId(""),
    NetBufferListFilteringInfo(""),
    MediaSpecificInformationEx(""),
    NblOriginalInterfaceIfIndex("NblReAuthWfpFlowContext"),
    TcpReceiveBytesTransferred("NrtNameResolutionId"),
    SwitchForwardingReserved(""),
    SwitchForwardingDetail(""),
    VirtualSubnetInfo(""),
    IMReserved(""),
    TcpRecvSegCoalesceInfo("UdpSegmentationOffloadInfo"),
    RscTcpTimestampDelta("TcpSendOffloadsSupplementalNetBufferListInfo"),
    GftOffloadInformation(""),
    GftFlowEntryId(""),
    NetBufferListInfoReserved3("");

    /** {@code MaxNetBufferListInfo}: the number of slots a driver may address. */
    public static final int MaxNetBufferListInfo = 27;

    private static final NetBufferListInfo[] BY_INDEX = values();

    private final String alias;

    NetBufferListInfo(String alias) {
        this.alias = alias;
    }

    /** The slot's index in {@code NetBufferListInfo[]}. */
    public int index() {
        return ordinal();
    }

    /** The other enumerator with the same index, or the empty string. */
    public String alias() {
        return alias;
    }

    /** The slot at an index. */
    public static NetBufferListInfo ofIndex(int index) {
        return BY_INDEX[index];
    }
}
