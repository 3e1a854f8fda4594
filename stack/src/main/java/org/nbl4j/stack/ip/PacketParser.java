package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Validates a received packet's IP header and fills a {@link ParsedPacket}. Each failure maps to one
 * {@link IpDiscardReason}:
 *
 * <table>
 * <caption>Receive validation failures</caption>
 * <tr><th>failure</th><th>reason</th></tr>
 * <tr><td>no data, shorter than the fixed header, than IHL×4, or than Total Length / 40 + Payload Length; Total
 *     Length below IHL×4; a fragment ending beyond 65535</td><td>{@link IpDiscardReason#BAD_LENGTH}</td></tr>
 * <tr><td>version neither 4 nor 6; IHL below 5; a non-final fragment whose payload is not a multiple of 8</td>
 *     <td>{@link IpDiscardReason#MALFORMED_HEADER}</td></tr>
 * <tr><td>IPv4 header checksum wrong</td><td>{@link IpDiscardReason#BAD_CHECKSUM}</td></tr>
 * <tr><td>IPv4 option running past the header or with a length below 2</td>
 *     <td>{@link IpDiscardReason#BAD_OPTION}</td></tr>
 * <tr><td>IPv6 extension header running past the packet, or Hop-by-Hop not first</td>
 *     <td>{@link IpDiscardReason#EXTENSION_HEADERS_FAILURE}</td></tr>
 * <tr><td>IPv6 extension headers longer than the {@link #PARSE_WINDOW} bytes parsed contiguously</td>
 *     <td>{@link IpDiscardReason#HEADER_NOT_CONTIGUOUS}</td></tr>
 * <tr><td>source address multicast or limited broadcast</td><td>{@link IpDiscardReason#BAD_SOURCE_ADDRESS}</td></tr>
 * </table>
 *
 * <p>A packet longer than its header says (link padding) is accepted; the path uses the header's length.
 */
final class PacketParser {
    /** Bytes of a packet's start that are made contiguous for parsing. */
    static final int PARSE_WINDOW = 512;

    private PacketParser() {}

    /**
     * Parses the packet whose first {@code available} bytes are in {@code header}.
     *
     * @param dataLength the NB's DataLength
     * @return null if the packet is valid, else why it is not
     */
    static @Nullable IpDiscardReason parse(MemorySegment header, int available, int dataLength, ParsedPacket out) {
        if (available < 1) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int version = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, 0)) >>> 4;
        return switch (version) {
            case 4 -> parseV4(header, available, dataLength, out);
            case 6 -> parseV6(header, available, dataLength, out);
            default -> IpDiscardReason.MALFORMED_HEADER;
        };
    }

    private static @Nullable IpDiscardReason parseV4(
            MemorySegment header, int available, int dataLength, ParsedPacket out) {
        out.reset(AddressFamily.INET);
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
        if (!Ipv4Header.optionsValid(header, headerLength)) {
            return IpDiscardReason.BAD_OPTION;
        }
        out.headerLength = headerLength;
        out.packetLength = totalLength;
        out.protocol = Ipv4Header.protocol(header);
        out.hopLimit = Ipv4Header.ttl(header);
        out.sourceLow = Integer.toUnsignedLong(Ipv4Header.source(header));
        out.destinationLow = Integer.toUnsignedLong(Ipv4Header.destination(header));
        out.identification = Ipv4Header.identification(header);
        out.dontFragment = Ipv4Header.dontFragment(header);
        if (Ipv4Header.isFragment(header)) {
            out.fragment = true;
            out.fragmentOffset = Ipv4Header.fragmentOffset(header);
            out.moreFragments = Ipv4Header.moreFragments(header);
            IpDiscardReason bad = checkFragment(out);
            if (bad != null) {
                return bad;
            }
        }
        if (IpAddresses.isMulticastOrBroadcast(AddressFamily.INET, out.sourceHigh, out.sourceLow)) {
            return IpDiscardReason.BAD_SOURCE_ADDRESS;
        }
        return null;
    }

    private static @Nullable IpDiscardReason parseV6(
            MemorySegment header, int available, int dataLength, ParsedPacket out) {
        out.reset(AddressFamily.INET6);
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
        IpDiscardReason bad = walkExtensionHeaders(header, Math.min(available, packetLength), packetLength, out);
        if (bad != null) {
            return bad;
        }
        if (out.fragment) {
            bad = checkFragment(out);
            if (bad != null) {
                return bad;
            }
        }
        if (IpAddresses.isMulticastOrBroadcast(AddressFamily.INET6, out.sourceHigh, out.sourceLow)) {
            return IpDiscardReason.BAD_SOURCE_ADDRESS;
        }
        return null;
    }

    /**
     * Walks the extension headers (RFC 8200 §4.1) up to the upper-layer header or the fragment header, every length
     * checked against the packet and the contiguous window. Stops at a fragment header: what follows it belongs to
     * the fragmentable part.
     */
    private static @Nullable IpDiscardReason walkExtensionHeaders(
            MemorySegment header, int window, int packetLength, ParsedPacket out) {
        int nextHeaderField = Ipv6Header.NEXT_HEADER;
        int at = Ipv6Header.LENGTH;
        int next = Ipv6Header.nextHeader(header);
        while (true) {
            int length;
            switch (next) {
                case Ipv6Header.HOP_BY_HOP -> {
                    if (at != Ipv6Header.LENGTH) {
                        return IpDiscardReason.EXTENSION_HEADERS_FAILURE;
                    }
                    length = -1;
                }
                case Ipv6Header.ROUTING, Ipv6Header.DESTINATION_OPTIONS, Ipv6Header.AUTHENTICATION -> length = -1;
                case Ipv6Header.FRAGMENT -> length = Ipv6Header.FRAGMENT_HEADER_LENGTH;
                default -> {
                    out.headerLength = at;
                    out.protocol = next;
                    return null;
                }
            }
            if (at + 2 > packetLength) {
                return IpDiscardReason.EXTENSION_HEADERS_FAILURE;
            }
            if (at + 2 > window) {
                return IpDiscardReason.HEADER_NOT_CONTIGUOUS;
            }
            if (length < 0) {
                int lengthByte = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 1));
                length = next == Ipv6Header.AUTHENTICATION ? (lengthByte + 2) * 4 : (lengthByte + 1) * 8;
            }
            if (at + length > packetLength) {
                return IpDiscardReason.EXTENSION_HEADERS_FAILURE;
            }
            if (at + length > window) {
                return IpDiscardReason.HEADER_NOT_CONTIGUOUS;
            }
            int following = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at));
            if (next == Ipv6Header.FRAGMENT) {
                out.fragment = true;
                out.fragmentHeaderOffset = at;
                out.fragmentNextHeaderField = nextHeaderField;
                out.fragmentOffset = Ipv6Header.fragmentOffset(header, at);
                out.moreFragments = Ipv6Header.moreFragments(header, at);
                out.identification = Ipv6Header.fragmentIdentification(header, at);
                out.headerLength = at + length;
                out.protocol = following;
                // RFC 6946: an atomic fragment (offset 0, M clear) is processed as a whole packet.
                out.fragment = out.fragmentOffset != 0 || out.moreFragments;
                return null;
            }
            nextHeaderField = at;
            at += length;
            next = following;
        }
    }

    private static @Nullable IpDiscardReason checkFragment(ParsedPacket out) {
        int payload = out.fragmentPayloadLength();
        if (out.moreFragments && payload % 8 != 0) {
            return IpDiscardReason.MALFORMED_HEADER;
        }
        if (out.moreFragments && payload == 0) {
            return IpDiscardReason.MALFORMED_HEADER;
        }
        if (out.fragmentOffset + payload > 0xFFFF) {
            return IpDiscardReason.BAD_LENGTH;
        }
        return null;
    }
}
