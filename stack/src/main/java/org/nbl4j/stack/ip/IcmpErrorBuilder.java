package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import org.nbl4j.core.buffer.NetBuffer;

/**
 * Writes an ICMP or ICMPv6 error message about an offending packet: IP header, ICMP header, and as much of the
 * offending packet as fits the size limit, with every checksum. Callers outside the layer go through
 * {@link IpStack#sendIcmpError}, which also routes and sends it: a WinDivert-style reinjector that must answer a
 * {@code STATUS_INVALID_BUFFER_SIZE} completion with "fragmentation needed" or "packet too big" toward the source
 * (wfp-callouts-and-injection §5.6, S-WD-4).
 */
final class IcmpErrorBuilder {
    /** RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes. */
    static final int V4_MAXIMUM_ERROR_LENGTH = 576;
    /** RFC 4443 §2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU, 1280 bytes. */
    static final int V6_MAXIMUM_ERROR_LENGTH = 1280;
    /** The TTL or hop limit of the messages the layer originates. */
    static final int DEFAULT_HOP_LIMIT = 64;

    private IcmpErrorBuilder() {}

    /** How long the error about an offending packet of {@code offendingLength} bytes is. */
    static int errorLength(AddressFamily family, int offendingLength) {
        int headers = headerLength(family) + IcmpMessages.HEADER_LENGTH;
        int limit = family == AddressFamily.INET ? V4_MAXIMUM_ERROR_LENGTH : V6_MAXIMUM_ERROR_LENGTH;
        return headers + Math.min(offendingLength, limit - headers);
    }

    private static int headerLength(AddressFamily family) {
        return family == AddressFamily.INET ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
    }

    /**
     * Writes the error into {@code out}, which must hold {@link #errorLength} bytes. The source and destination are
     * the error's own (the destination is normally the offending packet's source).
     *
     * @param parameter the next-hop MTU of a {@link IcmpErrorKind#PACKET_TOO_BIG}, the pointer of a Parameter Problem
     *     (an offset into the offending packet), ignored otherwise ({@link IcmpErrorKind#restOfHeader})
     * @param offending the offending packet, its data starting at its IP header
     * @param offendingLength its length (its header's, not the NB's DataLength)
     * @param identification the IPv4 Identification of the error
     */
    static void write(
            MemorySegment out,
            AddressFamily family,
            IcmpErrorKind kind,
            int parameter,
            long sourceHigh,
            long sourceLow,
            long destinationHigh,
            long destinationLow,
            NetBuffer offending,
            int offendingLength,
            int identification) {
        int length = errorLength(family, offendingLength);
        int ipHeader = headerLength(family);
        int icmpLength = length - ipHeader;
        MemorySegment icmp = out.asSlice(ipHeader, icmpLength);
        IcmpMessages.writeHeader(icmp, kind.type(family), kind.code(family), kind.restOfHeader(family, parameter));
        offending.copyTo(0, icmp, IcmpMessages.HEADER_LENGTH, icmpLength - IcmpMessages.HEADER_LENGTH);
        if (family == AddressFamily.INET) {
            Ipv4Header.write(
                    out, length, identification, 0, DEFAULT_HOP_LIMIT, IcmpMessages.IPPROTO_ICMP, (int) sourceLow, (int)
                            destinationLow);
            IcmpMessages.setChecksum(icmp, InternetChecksum.compute(icmp, 0, icmpLength));
        } else {
            Ipv6Header.write(
                    out,
                    icmpLength,
                    IcmpMessages.IPPROTO_ICMPV6,
                    DEFAULT_HOP_LIMIT,
                    sourceHigh,
                    sourceLow,
                    destinationHigh,
                    destinationLow);
            IcmpMessages.setChecksum(icmp, Ipv6Header.icmpChecksum(out, ipHeader, icmpLength));
        }
    }
}
