package org.nbl4j.cli.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.ip.Ipv4Header;
import org.nbl4j.stack.ip.Ipv6Header;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * How a replay offers a captured TCP packet longer than the interface MTU: as the RSC indication ({@code
 * NDIS_RSC_NBL_INFO} in {@code TcpRecvSegCoalesceInfo}) a NIC that coalesced it would have made. Such packets are GRO
 * super-segments and TSO packets that a capture point saw before the segmentation or after the coalescing (a veth
 * pair, tcpdump on a host). The capture does not say how big the sender's segments were; a segment that fills the MTU
 * is assumed, which is what a TCP sender whose MSS comes from that MTU sends, so the segment count is the payload
 * divided by {@code MTU - headers}, rounded up.
 *
 * <p>Only what RSC coalesces qualifies: TCP over IPv4 (not a fragment, the Total Length the packet's length) or over
 * IPv6 without extension headers (the Payload Length the packet's). BIG TCP packets (IPv4 Total Length 0, IPv6
 * jumbograms) are longer than an NBL's IP packet may be and do not.
 */
final class CoalescedPackets {
    private static final int PROTOCOL_TCP = 6;
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
     * The receive checksum bits an RSC NIC sets on the packet ({@code NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO}): a
     * correct TCP checksum is {@code TcpChecksumSucceeded}; a field that holds only the pseudo-header sum, as Linux
     * leaves it in a super-packet (CHECKSUM_PARTIAL, the sum with the TCP length), is {@code TcpChecksumSucceeded}
     * with {@code TcpChecksumValueInvalid}, as a NIC marks a coalesced packet whose checksum it checked but did not
     * recompute (WDK, "Indicating Coalesced Segments"). Anything else gets no bits: the stack checks it where it must.
     * The packet must be one {@link #segmentCount} accepted.
     */
    static int receiveChecksumBits(MemorySegment packet, int length) {
        int ipLength = ipHeaderLength(packet);
        int tcpLength = length - ipLength;
        long pseudo = Ipv4Header.version(packet) == 4
                ? InternetChecksum.add(0, packet, 12, 8) + tcpLength + PROTOCOL_TCP
                : InternetChecksum.ipv6PseudoHeader(packet, 8, 24, tcpLength, PROTOCOL_TCP);
        if (InternetChecksum.finish(InternetChecksum.add(pseudo, packet, ipLength, tcpLength)) == 0) {
            return OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED;
        }
        int folded = ~InternetChecksum.finish(pseudo) & 0xFFFF;
        if (Short.toUnsignedInt(packet.get(U16, ipLength + 16)) == folded) {
            return OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID;
        }
        return 0;
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
