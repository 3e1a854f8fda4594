package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;

/**
 * The three task-offload info slots of an NBL, read and written as NDIS lays them out in the slot's pointer-sized
 * value, so that a ported driver's bit tests mean the same here:
 *
 * <ul>
 *   <li>{@code TcpIpChecksumNetBufferListInfo}: {@code NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO} (nblchecksum.h).
 *       On receive the bits mean "the NIC already checked"; on transmit "the NIC will compute".
 *   <li>{@code TcpLargeSendNetBufferListInfo}: {@code NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO} (nbllso.h):
 *       MSS (20 bits), TcpHeaderOffset (10), Type (1), IPVersion (1, LSOv2). On completion of an LSOv1 send the
 *       miniport writes the TCP payload bytes it sent over the same slot ({@code LsoV1TransmitComplete.TcpPayload}).
 *   <li>{@code TcpRecvSegCoalesceInfo}: {@code NDIS_RSC_NBL_INFO} (nblrsc.h): {@code CoalescedSegCount} in the low
 *       16 bits and {@code DupAckCount} in the next 16. Zero on a packet that is not coalesced. nbl4j's own
 *       extension, not NDIS's: the size of the sender's segments in bits 32 to 47 (see {@link
 *       #coalescedSegmentSize}).
 * </ul>
 *
 * <p>All accessors are static and allocate nothing: they run on the per-packet path.
 */
public final class OffloadInfo {
    // Receive (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO.Receive), bit by bit in declaration order.
    public static final int RECEIVE_TCP_CHECKSUM_FAILED = 1;
    public static final int RECEIVE_UDP_CHECKSUM_FAILED = 1 << 1;
    public static final int RECEIVE_IP_CHECKSUM_FAILED = 1 << 2;
    public static final int RECEIVE_TCP_CHECKSUM_SUCCEEDED = 1 << 3;
    public static final int RECEIVE_UDP_CHECKSUM_SUCCEEDED = 1 << 4;
    public static final int RECEIVE_IP_CHECKSUM_SUCCEEDED = 1 << 5;
    public static final int RECEIVE_LOOPBACK = 1 << 6;
    /**
     * The NIC checked the TCP checksum of every coalesced segment but the value in the coalesced header is not a
     * valid checksum of it (WDK "Indicating Coalesced Segments"); nbl4j also sets it where the field holds only the
     * pseudo-header part (Linux's CHECKSUM_PARTIAL, virtio {@code NEEDS_CSUM}).
     */
    public static final int RECEIVE_TCP_CHECKSUM_VALUE_INVALID = 1 << 7;

    public static final int RECEIVE_IP_CHECKSUM_VALUE_INVALID = 1 << 8;

    // Transmit (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO.Transmit).
    public static final int TRANSMIT_IS_IPV4 = 1;
    public static final int TRANSMIT_IS_IPV6 = 1 << 1;
    public static final int TRANSMIT_TCP_CHECKSUM = 1 << 2;
    public static final int TRANSMIT_UDP_CHECKSUM = 1 << 3;
    public static final int TRANSMIT_IP_HEADER_CHECKSUM = 1 << 4;
    private static final int TRANSMIT_TCP_HEADER_OFFSET_SHIFT = 16;

    /** {@code NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE}. */
    public static final int NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE = 0;
    /** {@code NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE}. */
    public static final int NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE = 1;
    /** {@code NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4}, the LSOv2 IPVersion value. */
    public static final int NDIS_TCP_LARGE_SEND_OFFLOAD_IPV4 = 0;
    /** {@code NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6}. */
    public static final int NDIS_TCP_LARGE_SEND_OFFLOAD_IPV6 = 1;

    private static final int MSS_MASK = (1 << 20) - 1;
    private static final int TCP_HEADER_OFFSET_MASK = (1 << 10) - 1;
    private static final int LSO_TYPE_SHIFT = 30;
    private static final int LSO_IP_VERSION_SHIFT = 31;
    private static final int TCP_PAYLOAD_MASK = (1 << 30) - 1;
    /** Where nbl4j keeps {@link #coalescedSegmentSize} in the RSC slot's value: above {@code NDIS_RSC_NBL_INFO.Info}. */
    private static final int SEGMENT_SIZE_SHIFT = 32;

    private OffloadInfo() {}

    // ---- checksum ----

    /** The receive checksum bits ({@code Receive.*}) of an NBL. */
    public static int receiveChecksum(NetBufferList nbl) {
        return (int) nbl.infoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo);
    }

    /** The transmit checksum request of an NBL ({@code Transmit.*}), TcpHeaderOffset included. */
    public static int transmitChecksum(NetBufferList nbl) {
        return (int) nbl.infoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo);
    }

    /** Sets the checksum slot's 32 bits (receive or transmit, by who writes it). */
    public static void setChecksum(NetBufferList nbl, int bits) {
        nbl.setInfoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo, Integer.toUnsignedLong(bits));
    }

    /** {@code Transmit} bits asking the NIC for the given checksums, with the TCP/UDP header's offset. */
    public static int transmit(int flags, int transportHeaderOffset) {
        return flags | (transportHeaderOffset & TCP_HEADER_OFFSET_MASK) << TRANSMIT_TCP_HEADER_OFFSET_SHIFT;
    }

    /** {@code Transmit.TcpHeaderOffset}. */
    public static int transmitTransportHeaderOffset(int transmitBits) {
        return (transmitBits >>> TRANSMIT_TCP_HEADER_OFFSET_SHIFT) & TCP_HEADER_OFFSET_MASK;
    }

    // ---- large send ----

    /** The raw LSO slot as a 32-bit value (0: no large send). */
    public static int largeSend(NetBufferList nbl) {
        return (int) nbl.infoValue(NetBufferListInfo.TcpLargeSendNetBufferListInfo);
    }

    /** {@code LsoV2Transmit} (or {@code LsoV1Transmit} with {@code v1}) for a packet to be cut at {@code mss}. */
    public static void setLargeSend(NetBufferList nbl, int type, int mss, int tcpHeaderOffset, boolean ipv6) {
        if (mss <= 0 || mss > MSS_MASK) {
            throw new IllegalArgumentException("LSO MSS outside [1, 2^20): " + mss);
        }
        int value = mss
                | (tcpHeaderOffset & TCP_HEADER_OFFSET_MASK) << 20
                | type << LSO_TYPE_SHIFT
                | (type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE && ipv6 ? 1 << LSO_IP_VERSION_SHIFT : 0);
        nbl.setInfoValue(NetBufferListInfo.TcpLargeSendNetBufferListInfo, Integer.toUnsignedLong(value));
    }

    /** {@code LsoV*Transmit.MSS}: 0 if the NBL asks for no large send. */
    public static int largeSendMss(int lso) {
        return lso & MSS_MASK;
    }

    /** {@code LsoV*Transmit.TcpHeaderOffset}. */
    public static int largeSendTcpHeaderOffset(int lso) {
        return (lso >>> 20) & TCP_HEADER_OFFSET_MASK;
    }

    /** {@code Transmit.Type}. */
    public static int largeSendType(int lso) {
        return (lso >>> LSO_TYPE_SHIFT) & 1;
    }

    /**
     * What a miniport writes over the slot when it completes a large send (nbllso.h): for LSOv1
     * {@code LsoV1TransmitComplete.TcpPayload}, the TCP payload bytes sent; for LSOv2 only {@code Type}.
     */
    public static void completeLargeSend(NetBufferList nbl, int type, int tcpPayloadBytes) {
        int value = type == NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE
                ? tcpPayloadBytes & TCP_PAYLOAD_MASK
                : NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE << LSO_TYPE_SHIFT;
        nbl.setInfoValue(NetBufferListInfo.TcpLargeSendNetBufferListInfo, Integer.toUnsignedLong(value));
    }

    /** {@code LsoV1TransmitComplete.TcpPayload}. */
    public static int largeSendPayloadSent(NetBufferList nbl) {
        return largeSend(nbl) & TCP_PAYLOAD_MASK;
    }

    // ---- receive segment coalescing ----

    /** {@code NET_BUFFER_LIST_COALESCED_SEG_COUNT}: 0 for a packet that is not coalesced. */
    public static int coalescedSegmentCount(NetBufferList nbl) {
        return (int) (nbl.infoValue(NetBufferListInfo.TcpRecvSegCoalesceInfo) & 0xFFFF);
    }

    /** {@code NET_BUFFER_LIST_DUP_ACK_COUNT}. */
    public static int duplicateAckCount(NetBufferList nbl) {
        return (int) ((nbl.infoValue(NetBufferListInfo.TcpRecvSegCoalesceInfo) >>> 16) & 0xFFFF);
    }

    /**
     * The payload size of the segments a coalesced packet was made of, where the miniport knew it (the virtio-net
     * header's {@code gso_size} on a TUN device); 0 when unknown. This is nbl4j's, not NDIS's: Windows' RSC info
     * carries only {@code CoalescedSegCount} and {@code DupAckCount} (WDK, "NDIS_RSC_NBL_INFO union"), since Windows'
     * TCP takes the MSS from its connection. nbl4j keeps the size in bits 32 to 47 of the slot's pointer-sized value,
     * above the 32 bits of {@code NDIS_RSC_NBL_INFO.Info}, so that software segmentation can cut where the sender's
     * segments ended, as Linux's GSO does. A driver reading the counts never sees it; every copy of the slot (clones,
     * {@code NdisCopyReceiveNetBufferListInfo}) carries it; a driver that writes the slot whole clears it.
     */
    public static int coalescedSegmentSize(NetBufferList nbl) {
        return (int) ((nbl.infoValue(NetBufferListInfo.TcpRecvSegCoalesceInfo) >>> SEGMENT_SIZE_SHIFT) & 0xFFFF);
    }

    /**
     * Sets {@code NDIS_RSC_NBL_INFO.Info} (0 segments clears it, as NDIS asks for packets that are not coalesced), with
     * no segment size known.
     */
    public static void setCoalesced(NetBufferList nbl, int segments, int duplicateAcks) {
        setCoalesced(nbl, segments, duplicateAcks, 0);
    }

    /**
     * Sets {@code NDIS_RSC_NBL_INFO.Info} and nbl4j's {@link #coalescedSegmentSize} ({@code segmentSize} 0: unknown;
     * 0 segments clears both).
     */
    public static void setCoalesced(NetBufferList nbl, int segments, int duplicateAcks, int segmentSize) {
        long value = segments == 0
                ? 0
                : (segments & 0xFFFF)
                        | (long) (duplicateAcks & 0xFFFF) << 16
                        | (long) (segmentSize & 0xFFFF) << SEGMENT_SIZE_SHIFT;
        nbl.setInfoValue(NetBufferListInfo.TcpRecvSegCoalesceInfo, value);
    }

    /** How many segments of at most {@code segmentSize} payload bytes {@code payload} bytes make (at least 1). */
    public static int segmentCount(int payload, int segmentSize) {
        return Math.max(1, (payload + segmentSize - 1) / segmentSize);
    }
}
