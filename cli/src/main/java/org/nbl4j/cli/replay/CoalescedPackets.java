package org.nbl4j.cli.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.ip.Ipv4Header;
import org.nbl4j.stack.ip.Ipv6Header;
import org.nbl4j.stack.ip.SegmentHeaders;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * How a replay offers a captured TCP packet longer than the interface MTU: as the RSC indication ({@code
 * NDIS_RSC_NBL_INFO} in {@code TcpRecvSegCoalesceInfo}) a NIC that coalesced it would have made. Such packets are GRO
 * super-segments and TSO packets that a capture point saw before the segmentation or after the coalescing (a veth
 * pair, tcpdump on a host). The capture does not say how big the sender's segments were; a segment that fills the MTU
 * is assumed, which is what a TCP sender whose MSS comes from that MTU sends, so the segment count is the payload
 * divided by {@code MTU - headers}, rounded up, and that size goes with it ({@link #segmentSize}).
 *
 * <p>Only what RSC coalesces qualifies: TCP over IPv4 (not a fragment, the Total Length the packet's length) or over
 * IPv6 without extension headers (the Payload Length the packet's).
 *
 * <p>A BIG TCP packet (Linux's GSO and GRO beyond 64 KiB: IPv4 with Total Length 0, IPv6 with Payload Length 0 and
 * TCP next or a hop-by-hop header holding only the jumbo payload option of RFC 2675) is longer than any RSC
 * indication may be: an indication is "no larger than the maximum legal IP datagram length" (WDK, "Indicating
 * Coalesced Segments"). A coalescing NIC that received its segments would have indicated them as several units, so the
 * replay offers it as {@link #bigTcpPiece pieces}: consecutive runs of whole segments, each an indication of at most
 * {@link ReplayEngine#LARGEST_COALESCED} bytes with the headers the segments it holds give it.
 */
final class CoalescedPackets {
    private static final int PROTOCOL_TCP = 6;
    /** The hop-by-hop header Linux puts in front of an IPv6 BIG TCP packet's TCP: the jumbo payload option only. */
    private static final int JUMBO_HOP_BY_HOP_LENGTH = 8;

    private static final int JUMBO_OPTION = 0xC2;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private CoalescedPackets() {}

    /**
     * The {@code CoalescedSegCount} of the {@code length}-byte packet at the start of {@code packet}, arriving on an
     * interface of {@code mtu}; 0 when it is not a TCP packet RSC could have coalesced, or would fit one segment.
     */
    static int segmentCount(MemorySegment packet, int length, int mtu) {
        int headers = headersLength(packet, length);
        if (headers == 0 || headers >= mtu) {
            return 0;
        }
        int segments = OffloadInfo.segmentCount(length - headers, mtu - headers);
        return segments > 1 ? segments : 0;
    }

    /**
     * The payload size of the segments {@link #segmentCount} assumed for the same packet and MTU (one that fills the
     * MTU), which the replay carries with the count as nbl4j's {@link OffloadInfo#coalescedSegmentSize}.
     */
    static int segmentSize(MemorySegment packet, int length, int mtu) {
        return mtu - headersLength(packet, length);
    }

    /**
     * The receive checksum bits an RSC NIC sets on the packet ({@code NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO}): a
     * correct TCP checksum is {@code TcpChecksumSucceeded}; a field that holds only the pseudo-header sum, as Linux
     * leaves it in a super-packet (CHECKSUM_PARTIAL, the sum with the TCP length), is {@code TcpChecksumSucceeded}
     * with {@code TcpChecksumValueInvalid}, as a NIC marks a coalesced packet whose checksum it checked but did not
     * recompute (WDK, "Indicating Coalesced Segments"). Anything else gets no bits: the stack checks it where it must.
     * The packet must be one {@link #segmentCount} accepted.
     */
    static int receiveChecksumBits(MemorySegment packet, int length) {
        return receiveChecksumBits(packet, length, ipHeaderLength(packet));
    }

    /** {@link #receiveChecksumBits(MemorySegment, int)} of a packet whose TCP header starts at {@code transport}. */
    static int receiveChecksumBits(MemorySegment packet, int length, int transport) {
        int tcpLength = length - transport;
        long pseudo = Ipv4Header.version(packet) == 4
                ? InternetChecksum.add(0, packet, 12, 8) + tcpLength + PROTOCOL_TCP
                : InternetChecksum.ipv6PseudoHeader(packet, 8, 24, tcpLength, PROTOCOL_TCP);
        if (InternetChecksum.finish(InternetChecksum.add(pseudo, packet, transport, tcpLength)) == 0) {
            return OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED;
        }
        if (Short.toUnsignedInt(packet.get(U16, transport + 16)) == partialField(pseudo)) {
            return OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID;
        }
        return 0;
    }

    /** What Linux leaves in the checksum field of a CHECKSUM_PARTIAL packet: the folded pseudo-header sum. */
    private static int partialField(long pseudo) {
        return ~InternetChecksum.finish(pseudo) & 0xFFFF;
    }

    /**
     * Where the TCP header of the {@code length}-byte BIG TCP packet at the start of {@code packet} begins, or 0 when
     * it is not one (shorter than 64 KiB, a fragment, not TCP, or its IPv6 hop-by-hop header holds more than the
     * jumbo payload option, or another length).
     */
    static int bigTcpTransport(MemorySegment packet, int length) {
        if (length <= ReplayEngine.LARGEST_COALESCED) {
            return 0;
        }
        int transport;
        if (Ipv4Header.version(packet) == 4) {
            transport = Ipv4Header.headerLength(packet);
            if (transport < Ipv4Header.MINIMUM_LENGTH
                    || Ipv4Header.totalLength(packet) != 0
                    || Ipv4Header.isFragment(packet)
                    || Ipv4Header.protocol(packet) != PROTOCOL_TCP) {
                return 0;
            }
        } else if (Ipv4Header.version(packet) == 6 && Short.toUnsignedInt(packet.get(U16, 4)) == 0) {
            int next = Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, 6));
            transport = Ipv6Header.LENGTH;
            if (next == Ipv6Header.HOP_BY_HOP) {
                if (!jumboOnly(packet, length)) {
                    return 0;
                }
                transport += JUMBO_HOP_BY_HOP_LENGTH;
            } else if (next != PROTOCOL_TCP) {
                return 0;
            }
        } else {
            return 0;
        }
        int tcpLength = (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, transport + 12)) >>> 4) * 4;
        return tcpLength >= 20 && transport + tcpLength < length ? transport : 0;
    }

    /** Whether the IPv6 hop-by-hop header after the fixed one is Linux's: TCP next, the jumbo option, our length. */
    private static boolean jumboOnly(MemorySegment packet, int length) {
        int at = Ipv6Header.LENGTH;
        return Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at)) == PROTOCOL_TCP
                && packet.get(ValueLayout.JAVA_BYTE, at + 1) == 0
                && Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + 2)) == JUMBO_OPTION
                && packet.get(ValueLayout.JAVA_BYTE, at + 3) == 4
                && Integer.toUnsignedLong(packet.get(U32, at + 4)) == length - Ipv6Header.LENGTH;
    }

    /**
     * Writes piece {@code index} of a BIG TCP packet into {@code piece} and returns its length, or 0 when the packet
     * has no such piece. A piece holds as many whole segments of {@code MTU - headers} payload bytes as fit an
     * indication (the last piece the rest), behind the packet's IP header (an IPv6 one without the hop-by-hop header,
     * which Linux adds only inside the host) and TCP header, fixed for the segments it holds by
     * {@link SegmentHeaders#fix}: the Identification of its first segment, CWR only on the first piece, PSH and FIN
     * only on the last. Its TCP checksum is computed whole where the packet's checked out (whole or partial, see
     * {@link #receiveChecksumBits(MemorySegment, int)}); otherwise the packet's field is kept.
     *
     * @param transport where the packet's TCP header starts, from {@link #bigTcpTransport}
     * @param checksumBits the packet's {@link #receiveChecksumBits(MemorySegment, int, int)}; the piece's are
     *     {@link #pieceChecksumBits} of them
     */
    static int bigTcpPiece(
            MemorySegment packet,
            int length,
            int transport,
            int mtu,
            int checksumBits,
            int index,
            MemorySegment piece) {
        int ipLength = Ipv4Header.version(packet) == 4 ? transport : Ipv6Header.LENGTH;
        int headers = bigTcpPieceHeaders(packet, transport);
        int tcpLength = headers - ipLength;
        int segment = mtu - headers;
        if (segment <= 0) {
            return 0;
        }
        int segmentsPerPiece = (ReplayEngine.LARGEST_COALESCED - headers) / segment;
        int payload = length - transport - tcpLength;
        long offset = (long) index * segmentsPerPiece * segment;
        if (segmentsPerPiece == 0 || offset >= payload) {
            return 0;
        }
        int size = (int) Math.min((long) segmentsPerPiece * segment, payload - offset);
        MemorySegment.copy(packet, 0, piece, 0, ipLength);
        if (ipLength != transport) {
            piece.set(ValueLayout.JAVA_BYTE, 6, (byte) PROTOCOL_TCP);
        }
        MemorySegment.copy(packet, transport, piece, ipLength, tcpLength);
        MemorySegment.copy(packet, transport + tcpLength + offset, piece, headers, size);
        boolean last = offset + size == payload;
        long pseudo =
                SegmentHeaders.fix(piece, 0, headers, index * segmentsPerPiece, index == 0, last, (int) offset, size);
        // A NIC recomputes the checksum of what it indicates (WDK, "Indicating Coalesced Segments"); one that failed
        // the packet's check would not have coalesced its segments, and its field is kept for the stack to judge.
        int field = checksumBits != 0
                ? InternetChecksum.finish(InternetChecksum.add(pseudo, piece, ipLength, tcpLength + size))
                : packet.get(U16, transport + 16);
        piece.set(U16, ipLength + 16, (short) field);
        return headers + size;
    }

    /**
     * The IP and TCP headers' length of each {@link #bigTcpPiece} of a BIG TCP packet (an IPv6 piece has no hop-by-hop
     * header): the packet can be cut into pieces only for an MTU longer than this.
     */
    static int bigTcpPieceHeaders(MemorySegment packet, int transport) {
        int ipLength = Ipv4Header.version(packet) == 4 ? transport : Ipv6Header.LENGTH;
        return ipLength + (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, transport + 12)) >>> 4) * 4;
    }

    /** The receive checksum bits of a {@link #bigTcpPiece} of a packet with {@code checksumBits}. */
    static int pieceChecksumBits(int checksumBits) {
        return checksumBits == 0 ? 0 : OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED;
    }

    /** The IP and TCP headers' length of a packet RSC could have coalesced, or 0. */
    private static int headersLength(MemorySegment packet, int length) {
        if (length < Ipv6Header.LENGTH) {
            return 0;
        }
        int version = Ipv4Header.version(packet);
        int ipLength = ipHeaderLength(packet);
        if (version == 4) {
            if (ipLength < Ipv4Header.MINIMUM_LENGTH
                    || Ipv4Header.totalLength(packet) != length
                    || Ipv4Header.isFragment(packet)
                    || Ipv4Header.protocol(packet) != PROTOCOL_TCP) {
                return 0;
            }
        } else if (version != 6
                || Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, 6)) != PROTOCOL_TCP
                || Short.toUnsignedInt(packet.get(U16, 4)) != length - Ipv6Header.LENGTH) {
            return 0;
        }
        if (ipLength + 20 > length) {
            return 0;
        }
        int tcpLength = (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, ipLength + 12)) >>> 4) * 4;
        return tcpLength >= 20 && ipLength + tcpLength <= length ? ipLength + tcpLength : 0;
    }

    private static int ipHeaderLength(MemorySegment packet) {
        return Ipv4Header.version(packet) == 4 ? Ipv4Header.headerLength(packet) : Ipv6Header.LENGTH;
    }
}
