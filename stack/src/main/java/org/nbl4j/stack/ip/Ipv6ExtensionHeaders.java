package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Walks and processes the extension headers of a received IPv6 packet (RFC 8200 §4) from the fixed header to the
 * upper-layer header, every length checked against the packet and the contiguous parse window.
 *
 * <p>RFC 8200 §4 splits the work: every node processes the Hop-by-Hop Options header; the other extension headers
 * are examined only by the node the Destination Address names. So a failure in the fixed header or Hop-by-Hop is the
 * walk's result (the packet is dropped wherever it goes), and a failure further on is recorded as the packet's
 * {@link PacketFacts#deliveryProblem}, acted on only if the packet is for this host; a forwarded packet goes on with
 * the headers it carries. The walk goes on past those headers anyway so that the hook is shown the upper-layer
 * protocol.
 *
 * <table>
 * <caption>What the walk checks</caption>
 * <tr><th>check</th><th>reason</th><th>ICMPv6 error</th></tr>
 * <tr><td>a header running past the packet</td><td>{@link IpDiscardReason#EXTENSION_HEADERS_FAILURE}</td>
 *     <td>none</td></tr>
 * <tr><td>a header running past the {@link PacketParser#PARSE_WINDOW}</td>
 *     <td>{@link IpDiscardReason#HEADER_NOT_CONTIGUOUS}</td><td>none</td></tr>
 * <tr><td>Next Header 0 (Hop-by-Hop) anywhere but in the fixed header (§4)</td>
 *     <td>{@link IpDiscardReason#EXTENSION_HEADERS_FAILURE}</td><td>4/1, pointer at that Next Header</td></tr>
 * <tr><td>an option running past its header, a Router Alert whose value is not 2 bytes (RFC 2711)</td>
 *     <td>{@link IpDiscardReason#BAD_OPTION}</td><td>none</td></tr>
 * <tr><td>an option of unrecognized type (§4.2): action bits 00 skip it, 01 drop, 10 drop and report, 11 drop and
 *     report unless the destination is multicast</td><td>{@link IpDiscardReason#BAD_OPTION}</td>
 *     <td>4/2, pointer at the option's type</td></tr>
 * <tr><td>a Routing header with Segments Left above 0: no routing type is implemented, and type 0 is deprecated
 *     (RFC 5095 §3), so every type is an unrecognized one (§4.4); Segments Left 0 is ignored</td>
 *     <td>{@link IpDiscardReason#EXTENSION_HEADERS_FAILURE}</td><td>4/0, pointer at the Routing Type</td></tr>
 * </table>
 *
 * <p>The walk stops at a Fragment header that makes the packet a fragment (what follows belongs to the fragmentable
 * part, walked again once reassembled), and goes on past an atomic fragment's (offset 0, M clear: a whole packet,
 * RFC 6946). Every other Next Header value, Authentication and Encapsulating Security Payload included (the layer
 * has no IPsec), is the upper-layer protocol.
 */
final class Ipv6ExtensionHeaders {
    /** Pad1: a single byte of padding, no length. */
    static final int OPTION_PAD1 = 0;
    /** PadN: padding with a length. */
    static final int OPTION_PADN = 1;
    /** Router Alert (RFC 2711), in Hop-by-Hop only: known, and ignored since the layer has no protocols that use it. */
    static final int OPTION_ROUTER_ALERT = 5;

    private static final int ROUTER_ALERT_VALUE_LENGTH = 2;
    private static final int OPTIONS_VALID = -1;
    private static final int OPTIONS_DROP = -2;

    private Ipv6ExtensionHeaders() {}

    /**
     * Walks the chain of the packet whose first {@code window} bytes are in {@code packet} and fills
     * {@code out.headerLength}, {@code protocol}, {@code protocolField} and the fragment fields.
     *
     * @param packetLength 40 + Payload Length
     * @return why every node must drop the packet (the fixed header or Hop-by-Hop failed), or null; a failure further
     *     on is left in {@link PacketFacts#deliveryProblem}
     */
    static @Nullable IpDiscardReason walk(MemorySegment packet, int window, int packetLength, PacketFacts out) {
        boolean multicast =
                IpAddresses.isMulticastOrBroadcast(AddressFamily.INET6, out.destinationHigh, out.destinationLow);
        int field = Ipv6Header.NEXT_HEADER;
        int at = Ipv6Header.LENGTH;
        int next = Ipv6Header.nextHeader(packet);
        while (true) {
            out.headerLength = at;
            out.protocol = next;
            out.protocolField = field;
            int length;
            switch (next) {
                case Ipv6Header.HOP_BY_HOP -> {
                    if (at != Ipv6Header.LENGTH) {
                        // §4: a Next Header of 0 anywhere but in the fixed header is an unrecognized one.
                        return deferred(
                                out,
                                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                                IcmpErrorKind.PROTOCOL_UNREACHABLE,
                                field);
                    }
                    length = -1;
                }
                case Ipv6Header.ROUTING, Ipv6Header.DESTINATION_OPTIONS -> length = -1;
                case Ipv6Header.FRAGMENT -> length = Ipv6Header.FRAGMENT_HEADER_LENGTH;
                default -> {
                    return null;
                }
            }
            // Only the fixed header and Hop-by-Hop are every node's: a failure beyond is the destination's.
            boolean everyNode = next == Ipv6Header.HOP_BY_HOP;
            if (at + 2 > packetLength) {
                return failed(out, everyNode, IpDiscardReason.EXTENSION_HEADERS_FAILURE, null, 0);
            }
            if (at + 2 > window) {
                return failed(out, everyNode, IpDiscardReason.HEADER_NOT_CONTIGUOUS, null, 0);
            }
            if (length < 0) {
                length = (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + 1)) + 1) * 8;
            }
            if (at + length > packetLength) {
                return failed(out, everyNode, IpDiscardReason.EXTENSION_HEADERS_FAILURE, null, 0);
            }
            if (at + length > window) {
                return failed(out, everyNode, IpDiscardReason.HEADER_NOT_CONTIGUOUS, null, 0);
            }
            int following = Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at));
            switch (next) {
                case Ipv6Header.HOP_BY_HOP, Ipv6Header.DESTINATION_OPTIONS -> {
                    int option = options(packet, at + 2, at + length, next == Ipv6Header.HOP_BY_HOP, multicast);
                    if (option == OPTIONS_DROP) {
                        return failed(out, everyNode, IpDiscardReason.BAD_OPTION, null, 0);
                    }
                    if (option != OPTIONS_VALID) {
                        return failed(
                                out, everyNode, IpDiscardReason.BAD_OPTION, IcmpErrorKind.UNRECOGNIZED_OPTION, option);
                    }
                }
                case Ipv6Header.ROUTING -> {
                    if (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + 3)) != 0) {
                        // §4.4, RFC 5095 §3: Segments Left above 0 in a type the node does not route by.
                        return deferred(
                                out,
                                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                                IcmpErrorKind.PARAMETER_PROBLEM,
                                at + 2);
                    }
                }
                case Ipv6Header.FRAGMENT -> {
                    out.fragmentHeaderOffset = at;
                    out.fragmentNextHeaderField = field;
                    out.fragmentOffset = Ipv6Header.fragmentOffset(packet, at);
                    out.moreFragments = Ipv6Header.moreFragments(packet, at);
                    out.identification = Ipv6Header.fragmentIdentification(packet, at);
                    // RFC 6946: an atomic fragment (offset 0, M clear) is processed as a whole packet.
                    out.fragment = out.fragmentOffset != 0 || out.moreFragments;
                    if (out.fragment) {
                        out.headerLength = at + length;
                        out.protocol = following;
                        out.protocolField = at;
                        return null;
                    }
                }
            }
            field = at;
            at += length;
            next = following;
        }
    }

    /** A failure of a header every node processes is the walk's result; one further on is the destination's. */
    private static @Nullable IpDiscardReason failed(
            PacketFacts out, boolean everyNode, IpDiscardReason reason, @Nullable IcmpErrorKind error, int pointer) {
        return everyNode ? out.failed(reason, error, pointer) : deferred(out, reason, error, pointer);
    }

    private static @Nullable IpDiscardReason deferred(
            PacketFacts out, IpDiscardReason reason, @Nullable IcmpErrorKind error, int pointer) {
        out.deliveryProblem = out.failed(reason, error, pointer);
        return null;
    }

    /**
     * Processes the options of a Hop-by-Hop or Destination Options header between {@code start} and {@code end}
     * (§4.2).
     *
     * @return {@link #OPTIONS_VALID}, {@link #OPTIONS_DROP} (drop silently), or the offset of an unrecognized option's
     *     type to report in a Parameter Problem
     */
    private static int options(MemorySegment packet, int start, int end, boolean hopByHop, boolean multicast) {
        int at = start;
        while (at < end) {
            int type = Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at));
            if (type == OPTION_PAD1) {
                at++;
                continue;
            }
            if (at + 2 > end) {
                return OPTIONS_DROP;
            }
            int length = Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + 1));
            if (at + 2 + length > end) {
                return OPTIONS_DROP;
            }
            if (hopByHop && type == OPTION_ROUTER_ALERT) {
                if (length != ROUTER_ALERT_VALUE_LENGTH) {
                    return OPTIONS_DROP;
                }
            } else if (type != OPTION_PADN) {
                // §4.2: the two high-order bits of an unrecognized type say what to do.
                switch (type >>> 6) {
                    case 0 -> {}
                    case 1 -> {
                        return OPTIONS_DROP;
                    }
                    case 2 -> {
                        return at;
                    }
                    default -> {
                        return multicast ? OPTIONS_DROP : at;
                    }
                }
            }
            at += 2 + length;
        }
        return OPTIONS_VALID;
    }
}
