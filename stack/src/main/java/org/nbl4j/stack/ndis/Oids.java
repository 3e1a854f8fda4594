package org.nbl4j.stack.ndis;

/**
 * The OIDs ({@code NDIS_OID}, ntddndis.h) nbl4j's miniports answer, and the request types of {@code NDIS_OID_REQUEST}:
 * literal compile-time constants, so that a ported driver's {@code switch (Oid)} compiles as in C.
 *
 * <p>What each miniport answers and what it refuses: docs/ndis-adapter.md ("OID requests").
 */
public final class Oids {
    private Oids() {}

    /** {@code NdisRequestQueryInformation}: read {@code Oid} into the information buffer. */
    public static final int NdisRequestQueryInformation = 0;
    /** {@code NdisRequestSetInformation}: write the information buffer to {@code Oid}. */
    public static final int NdisRequestSetInformation = 1;
    /** {@code NdisRequestQueryStatistics}: a query that comes from WMI or NDIS's statistics. */
    public static final int NdisRequestQueryStatistics = 2;
    /** {@code NdisRequestMethod}: an input buffer in, an output buffer back. */
    public static final int NdisRequestMethod = 12;

    /** {@code OID_GEN_SUPPORTED_LIST}. */
    public static final int OID_GEN_SUPPORTED_LIST = 0x00010101;
    /** {@code OID_GEN_MEDIA_SUPPORTED}: the NDIS_MEDIUM of the adapter. */
    public static final int OID_GEN_MEDIA_SUPPORTED = 0x00010103;
    /** {@code OID_GEN_MEDIA_IN_USE}: the NDIS_MEDIUM of the adapter. */
    public static final int OID_GEN_MEDIA_IN_USE = 0x00010104;
    /** {@code OID_GEN_MAXIMUM_FRAME_SIZE}: the largest packet without the link header, the MTU here. */
    public static final int OID_GEN_MAXIMUM_FRAME_SIZE = 0x00010106;
    /** {@code OID_GEN_LINK_SPEED}: in units of 100 bit/s, a ULONG. */
    public static final int OID_GEN_LINK_SPEED = 0x00010107;
    /** {@code OID_GEN_CURRENT_PACKET_FILTER}: the NDIS_PACKET_TYPE_* bits the protocol wants indicated. */
    public static final int OID_GEN_CURRENT_PACKET_FILTER = 0x0001010E;
    /** {@code OID_GEN_MAXIMUM_TOTAL_SIZE}: the largest packet with the link header, the MTU on a raw-IP medium. */
    public static final int OID_GEN_MAXIMUM_TOTAL_SIZE = 0x00010111;
    /** {@code OID_GEN_MEDIA_CONNECT_STATUS}. */
    public static final int OID_GEN_MEDIA_CONNECT_STATUS = 0x00010114;
    /** {@code OID_GEN_PHYSICAL_MEDIUM}. */
    public static final int OID_GEN_PHYSICAL_MEDIUM = 0x00010202;
    /** {@code OID_GEN_LINK_STATE}: an {@code NDIS_LINK_STATE}. */
    public static final int OID_GEN_LINK_STATE = 0x00010207;
    /** {@code OID_GEN_XMIT_OK}. */
    public static final int OID_GEN_XMIT_OK = 0x00020101;
    /** {@code OID_GEN_RCV_OK}. */
    public static final int OID_GEN_RCV_OK = 0x00020102;
    /** {@code OID_GEN_STATISTICS}: an {@code NDIS_STATISTICS_INFO}. */
    public static final int OID_GEN_STATISTICS = 0x00020106;
    /** {@code OID_802_3_PERMANENT_ADDRESS}: the MAC address an Ethernet medium has; a raw-IP medium has none. */
    public static final int OID_802_3_PERMANENT_ADDRESS = 0x01010101;
    /** {@code OID_802_3_CURRENT_ADDRESS}: the MAC address an Ethernet medium has; a raw-IP medium has none. */
    public static final int OID_802_3_CURRENT_ADDRESS = 0x01010102;

    /** {@code NDIS_PACKET_TYPE_DIRECTED}. */
    public static final int NDIS_PACKET_TYPE_DIRECTED = 0x00000001;
    /** {@code NDIS_PACKET_TYPE_MULTICAST}. */
    public static final int NDIS_PACKET_TYPE_MULTICAST = 0x00000002;
    /** {@code NDIS_PACKET_TYPE_ALL_MULTICAST}. */
    public static final int NDIS_PACKET_TYPE_ALL_MULTICAST = 0x00000004;
    /** {@code NDIS_PACKET_TYPE_BROADCAST}. */
    public static final int NDIS_PACKET_TYPE_BROADCAST = 0x00000008;
    /** {@code NDIS_PACKET_TYPE_PROMISCUOUS}. */
    public static final int NDIS_PACKET_TYPE_PROMISCUOUS = 0x00000020;

    /** {@code NDIS_STATUS_LINK_STATE}: the status code of a link-state indication (a status, not an error). */
    public static final int NDIS_STATUS_LINK_STATE = 0x40010017;
    /** {@code NDIS_STATUS_MEDIA_CONNECT} (NDIS 5 name of a link-up indication). */
    public static final int NDIS_STATUS_MEDIA_CONNECT = 0x4001000B;
    /** {@code NDIS_STATUS_MEDIA_DISCONNECT} (NDIS 5 name of a link-down indication). */
    public static final int NDIS_STATUS_MEDIA_DISCONNECT = 0x4001000C;

    /** {@code sizeof(NDIS_STATISTICS_INFO)} revision 1: header, SupportedStatistics and 18 ULONG64 counters. */
    public static final int NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 = 152;
    /** {@code sizeof(NDIS_LINK_STATE)} revision 1. */
    public static final int NDIS_SIZEOF_LINK_STATE_REVISION_1 = 40;
}
