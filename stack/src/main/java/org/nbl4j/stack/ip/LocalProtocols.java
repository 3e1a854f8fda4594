package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * The upper-layer protocols of this host, which has no sockets: what becomes of a packet delivered locally once the
 * IP layer is done with it (the hand-off to the transports that tcpip.sys would make). The answers are a host's
 * without listeners, as RFC 1122 asks of one:
 *
 * <table>
 * <caption>Local protocols</caption>
 * <tr><th>protocol</th><th>outcome</th></tr>
 * <tr><td>ICMP / ICMPv6 echo request to a unicast address</td><td>{@link Disposition#ECHO_REQUEST}: answered</td></tr>
 * <tr><td>any other ICMP or ICMPv6 message (errors, echo replies, neighbour discovery, MLD), IGMP, IPv6 No Next
 *     Header (RFC 8200 §4.7)</td><td>{@link Disposition#CONSUMED}: taken, no answer</td></tr>
 * <tr><td>UDP</td><td>{@link Disposition#UDP_NO_RECEIVER}: port unreachable (RFC 1122 §4.1.3.1)</td></tr>
 * <tr><td>TCP</td><td>{@link Disposition#TCP_NO_CONNECTION}: a reset, as TCP answers in state CLOSED (RFC 9293
 *     §3.10.7.1); that is what a Linux or Windows router does for a port nothing listens on</td></tr>
 * <tr><td>any other (IPsec's AH and ESP included)</td><td>{@link Disposition#NO_PROTOCOL}: protocol unreachable
 *     (RFC 1122 §3.2.2.1; IPv6: Parameter Problem code 1, RFC 8200 §4)</td></tr>
 * </table>
 *
 * <p>A message is only answered once its checksum is right (a corrupt segment gets no reset, a corrupt datagram no
 * port unreachable): ICMP without pseudo-header, ICMPv6, UDP and TCP with it; UDP over IPv4 may carry none (0), UDP
 * over IPv6 must (RFC 8200 §8.1). A message shorter than its header is {@link Disposition#BAD_LENGTH}.
 */
final class LocalProtocols {
    /** What becomes of a locally delivered packet. */
    enum Disposition {
        /** An echo request to a unicast address: the layer answers it. */
        ECHO_REQUEST,
        /** Taken by the layer, no answer due. */
        CONSUMED,
        /** UDP: no port has a receiver. */
        UDP_NO_RECEIVER,
        /** TCP: no connection and no listener. */
        TCP_NO_CONNECTION,
        /** No receiver for the protocol. */
        NO_PROTOCOL,
        /** The upper-layer checksum is wrong, or UDP over IPv6 has none. */
        BAD_CHECKSUM,
        /** Shorter than its upper-layer header, or than the length it states. */
        BAD_LENGTH
    }

    static final int UDP_HEADER_LENGTH = 8;
    static final int TCP_MINIMUM_HEADER_LENGTH = 20;
    private static final int UDP_LENGTH = 4;
    private static final int UDP_CHECKSUM = 6;
    private static final int TCP_DATA_OFFSET = 12;

    private LocalProtocols() {}

    /**
     * Decides what becomes of a packet parsed into {@code facts}, delivered locally.
     *
     * @param scratch receives the upper-layer header's first bytes (at most {@value #TCP_MINIMUM_HEADER_LENGTH}) at
     *     offset 0
     * @param receiveChecksum the NBL's receive checksum bits ({@link OffloadInfo}): a TCP or UDP checksum the NIC
     *     says succeeded is not checked again, as tcpip.sys trusts {@code TcpChecksumSucceeded}
     */
    static Disposition classify(NetBuffer nb, PacketFacts facts, MemorySegment scratch, int receiveChecksum) {
        boolean v4 = facts.family == AddressFamily.INET;
        int protocol = facts.protocol;
        if (protocol == (v4 ? IcmpMessages.IPPROTO_ICMP : IcmpMessages.IPPROTO_ICMPV6)) {
            return icmp(nb, facts, scratch);
        }
        if (v4 ? protocol == IcmpMessages.IPPROTO_IGMP : protocol == Ipv6Header.NO_NEXT_HEADER) {
            return Disposition.CONSUMED;
        }
        return switch (protocol) {
            case IcmpMessages.IPPROTO_UDP ->
                udp(nb, facts, scratch, (receiveChecksum & OffloadInfo.RECEIVE_UDP_CHECKSUM_SUCCEEDED) != 0);
            case IcmpMessages.IPPROTO_TCP ->
                tcp(nb, facts, scratch, (receiveChecksum & OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED) != 0);
            default -> Disposition.NO_PROTOCOL;
        };
    }

    private static Disposition icmp(NetBuffer nb, PacketFacts facts, MemorySegment scratch) {
        int length = facts.packetLength - facts.headerLength;
        if (length < IcmpMessages.HEADER_LENGTH) {
            return Disposition.BAD_LENGTH;
        }
        boolean v4 = facts.family == AddressFamily.INET;
        long sum = v4 ? 0 : pseudoHeader(facts, length, IcmpMessages.IPPROTO_ICMPV6);
        if (!checksumValid(nb, facts.headerLength, length, sum)) {
            return Disposition.BAD_CHECKSUM;
        }
        nb.copyTo(facts.headerLength, scratch, 0, 1);
        int request = v4 ? IcmpMessages.V4_ECHO_REQUEST : IcmpMessages.V6_ECHO_REQUEST;
        boolean unicast =
                !IpAddresses.isMulticastOrBroadcast(facts.family, facts.destinationHigh, facts.destinationLow);
        return IcmpMessages.type(scratch) == request && unicast ? Disposition.ECHO_REQUEST : Disposition.CONSUMED;
    }

    private static Disposition udp(NetBuffer nb, PacketFacts facts, MemorySegment scratch, boolean checked) {
        int length = facts.packetLength - facts.headerLength;
        if (length < UDP_HEADER_LENGTH) {
            return Disposition.BAD_LENGTH;
        }
        nb.copyTo(facts.headerLength, scratch, 0, UDP_HEADER_LENGTH);
        // RFC 768: the datagram's own length may be shorter than the IP payload (the rest is ignored), never longer.
        int udpLength = Short.toUnsignedInt(scratch.get(U16, UDP_LENGTH));
        if (udpLength < UDP_HEADER_LENGTH || udpLength > length) {
            return Disposition.BAD_LENGTH;
        }
        if (scratch.get(U16, UDP_CHECKSUM) == 0) {
            return facts.family == AddressFamily.INET ? Disposition.UDP_NO_RECEIVER : Disposition.BAD_CHECKSUM;
        }
        long sum = pseudoHeader(facts, udpLength, IcmpMessages.IPPROTO_UDP);
        return checked || checksumValid(nb, facts.headerLength, udpLength, sum)
                ? Disposition.UDP_NO_RECEIVER
                : Disposition.BAD_CHECKSUM;
    }

    private static Disposition tcp(NetBuffer nb, PacketFacts facts, MemorySegment scratch, boolean checked) {
        int length = facts.packetLength - facts.headerLength;
        if (length < TCP_MINIMUM_HEADER_LENGTH) {
            return Disposition.BAD_LENGTH;
        }
        nb.copyTo(facts.headerLength, scratch, 0, TCP_MINIMUM_HEADER_LENGTH);
        int dataOffset = (Byte.toUnsignedInt(scratch.get(ValueLayout.JAVA_BYTE, TCP_DATA_OFFSET)) >>> 4) * 4;
        if (dataOffset < TCP_MINIMUM_HEADER_LENGTH || dataOffset > length) {
            return Disposition.BAD_LENGTH;
        }
        long sum = pseudoHeader(facts, length, IcmpMessages.IPPROTO_TCP);
        return checked || checksumValid(nb, facts.headerLength, length, sum)
                ? Disposition.TCP_NO_CONNECTION
                : Disposition.BAD_CHECKSUM;
    }

    private static long pseudoHeader(PacketFacts facts, int length, int protocol) {
        return InternetChecksum.pseudoHeader(
                facts.family,
                facts.sourceHigh,
                facts.sourceLow,
                facts.destinationHigh,
                facts.destinationLow,
                length,
                protocol);
    }

    private static boolean checksumValid(NetBuffer nb, int offset, int length, long pseudoHeaderSum) {
        long sum = NetBufferBytes.checksum(nb, offset, length, pseudoHeaderSum);
        return sum >= 0 && InternetChecksum.finish(sum) == 0;
    }
}
