package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Validates a received packet's IP header and fills a {@link PacketFacts}. Each failure maps to one
 * {@link IpDiscardReason}, and to the ICMP error the RFCs call for, if any ({@link PacketFacts#problem}):
 *
 * <table>
 * <caption>Receive validation failures</caption>
 * <tr><th>failure</th><th>reason</th><th>ICMP error</th></tr>
 * <tr><td>no data, shorter than the fixed header, than IHL×4, or than Total Length / 40 + Payload Length; Total
 *     Length below IHL×4</td><td>{@link IpDiscardReason#BAD_LENGTH}</td><td rowspan="3">none (RFC 1812 §5.2.2: the
 *     header cannot be trusted)</td></tr>
 * <tr><td>version neither 4 nor 6; IHL below 5</td><td>{@link IpDiscardReason#MALFORMED_HEADER}</td></tr>
 * <tr><td>IPv4 header checksum wrong</td><td>{@link IpDiscardReason#BAD_CHECKSUM}</td></tr>
 * <tr><td>IPv4 option running past the header, with a length below 2, or a route or timestamp option with a length
 *     or pointer too small ({@link Ipv4Header#optionProblem})</td><td>{@link IpDiscardReason#BAD_OPTION}</td>
 *     <td>Parameter Problem 12/0, pointer at the octet in error</td></tr>
 * <tr><td>IPv6 fixed header or Hop-by-Hop Options header ({@link Ipv6ExtensionHeaders})</td>
 *     <td colspan="2">as that class's table says</td></tr>
 * <tr><td>source address multicast or limited broadcast</td><td>{@link IpDiscardReason#BAD_SOURCE_ADDRESS}</td>
 *     <td>none</td></tr>
 * </table>
 *
 * <p>Checks only the packet's destination makes are left in {@link PacketFacts#deliveryProblem}: the IPv6
 * extension headers after Hop-by-Hop, and a fragment's lengths (RFC 8200 §4.5 for IPv6; the reassembling node's job
 * for IPv4 too):
 *
 * <table>
 * <caption>Fragment failures, at the destination</caption>
 * <tr><th>failure</th><th>reason</th><th>ICMP error</th></tr>
 * <tr><td>a non-final fragment whose payload is not a multiple of 8</td>
 *     <td>{@link IpDiscardReason#MALFORMED_HEADER}</td><td>IPv6: 4/0, pointer at Payload Length; IPv4: none</td></tr>
 * <tr><td>a non-final fragment without payload</td><td>{@link IpDiscardReason#MALFORMED_HEADER}</td><td>none</td></tr>
 * <tr><td>a fragment whose datagram would be longer than 65535 bytes (IPv6: its payload)</td>
 *     <td>{@link IpDiscardReason#BAD_LENGTH}</td><td>IPv6: 4/0, pointer at the Fragment Offset; IPv4: none</td></tr>
 * </table>
 *
 * <p>A packet longer than its header says (link padding) is accepted; the path trims it to the header's length.
 */
final class PacketParser {
    /** Bytes of a packet's start that are made contiguous for parsing. */
    static final int PARSE_WINDOW = 512;

    private PacketParser() {}

    /**
     * Parses the packet whose first {@code available} bytes are in {@code header}.
     *
     * @param dataLength the NB's DataLength
     * @return null if the packet is valid (its {@link PacketFacts#deliveryProblem} aside), else why it is not
     */
    static @Nullable IpDiscardReason parse(MemorySegment header, int available, int dataLength, PacketFacts out) {
        if (available < 1) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int version = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, 0)) >>> 4;
        return switch (version) {
            case 4 -> parseV4(header, available, dataLength, out);
            case 6 -> parseV6(header, available, dataLength, out);
            default -> {
                out.clearHeader(AddressFamily.INET);
                yield IpDiscardReason.MALFORMED_HEADER;
            }
        };
    }

    private static @Nullable IpDiscardReason parseV4(
            MemorySegment header, int available, int dataLength, PacketFacts out) {
        out.clearHeader(AddressFamily.INET);
        if (available < Ipv4Header.MINIMUM_LENGTH) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int headerLength = Ipv4Header.headerLength(header);
        if (headerLength < Ipv4Header.MINIMUM_LENGTH) {
            return IpDiscardReason.MALFORMED_HEADER;
        }
        if (available < headerLength) {
            return IpDiscardReason.BAD_LENGTH;
        }
        if (!Ipv4Header.checksumValid(header, headerLength)) {
            return IpDiscardReason.BAD_CHECKSUM;
        }
        int totalLength = Ipv4Header.totalLength(header);
        if (totalLength < headerLength || totalLength > dataLength) {
            return IpDiscardReason.BAD_LENGTH;
        }
        out.headerLength = headerLength;
        out.packetLength = totalLength;
        out.protocol = Ipv4Header.protocol(header);
        out.protocolField = Ipv4Header.PROTOCOL;
        out.hopLimit = Ipv4Header.ttl(header);
        out.sourceLow = Integer.toUnsignedLong(Ipv4Header.source(header));
        out.destinationLow = Integer.toUnsignedLong(Ipv4Header.destination(header));
        out.identification = Ipv4Header.identification(header);
        out.dontFragment = Ipv4Header.dontFragment(header);
        if (Ipv4Header.isFragment(header)) {
            out.fragment = true;
            out.fragmentOffset = Ipv4Header.fragmentOffset(header);
            out.moreFragments = Ipv4Header.moreFragments(header);
        }
        // Filled in first: the Parameter Problem's rules look at the addresses and the fragment offset.
        int option = Ipv4Header.optionProblem(header, headerLength);
        if (option != Ipv4Header.OPTIONS_VALID) {
            return out.failed(IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, option);
        }
        if (IpAddresses.isMulticastOrBroadcast(AddressFamily.INET, out.sourceHigh, out.sourceLow)) {
            return IpDiscardReason.BAD_SOURCE_ADDRESS;
        }
        if (out.fragment) {
            checkFragment(out);
        }
        return null;
    }

    private static @Nullable IpDiscardReason parseV6(
            MemorySegment header, int available, int dataLength, PacketFacts out) {
        out.clearHeader(AddressFamily.INET6);
        if (available < Ipv6Header.LENGTH) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int packetLength = Ipv6Header.LENGTH + Ipv6Header.payloadLength(header);
        if (packetLength > dataLength) {
            return IpDiscardReason.BAD_LENGTH;
        }
        out.packetLength = packetLength;
        out.hopLimit = Ipv6Header.hopLimit(header);
        out.sourceHigh = Ipv6Header.sourceHigh(header);
        out.sourceLow = Ipv6Header.sourceLow(header);
        out.destinationHigh = Ipv6Header.destinationHigh(header);
        out.destinationLow = Ipv6Header.destinationLow(header);
        IpDiscardReason bad = Ipv6ExtensionHeaders.walk(header, Math.min(available, packetLength), packetLength, out);
        if (bad != null) {
            return bad;
        }
        if (IpAddresses.isMulticastOrBroadcast(AddressFamily.INET6, out.sourceHigh, out.sourceLow)) {
            return out.failed(IpDiscardReason.BAD_SOURCE_ADDRESS, null, 0);
        }
        if (out.fragment) {
            checkFragment(out);
        }
        return null;
    }

    /** The reassembling node's checks of a fragment's lengths; a failure becomes the delivery problem. */
    private static void checkFragment(PacketFacts out) {
        boolean v6 = out.family == AddressFamily.INET6;
        int payload = out.fragmentPayloadLength();
        if (out.moreFragments && payload % 8 != 0) {
            // RFC 8200 §4.5: Parameter Problem code 0 pointing at the fragment packet's Payload Length.
            out.deliveryProblem = out.failed(
                    IpDiscardReason.MALFORMED_HEADER,
                    v6 ? IcmpErrorKind.PARAMETER_PROBLEM : null,
                    Ipv6Header.PAYLOAD_LENGTH);
        } else if (out.moreFragments && payload == 0) {
            out.deliveryProblem = out.failed(IpDiscardReason.MALFORMED_HEADER, null, 0);
        } else if (unfragmentableLength(out) + out.fragmentOffset + payload > 0xFFFF) {
            // RFC 8200 §4.5: a reassembled payload over 65535 bytes; the pointer is at the Fragment Offset.
            out.deliveryProblem = out.failed(
                    IpDiscardReason.BAD_LENGTH,
                    v6 ? IcmpErrorKind.PARAMETER_PROBLEM : null,
                    out.fragmentHeaderOffset + 2);
        }
    }

    /** What the datagram's length limit counts besides the fragments: the IPv4 header, IPv6 extension headers. */
    private static int unfragmentableLength(PacketFacts out) {
        return out.family == AddressFamily.INET ? out.headerLength : out.fragmentHeaderOffset - Ipv6Header.LENGTH;
    }
}
