package org.nbl4j.stack.ip;

/**
 * The ICMP errors the IP path sends, with their ICMPv4 (RFC 792, 1191, 1812) and ICMPv6 (RFC 4443) type and code, and
 * what the four bytes after the checksum carry: the next-hop MTU, a pointer, or nothing.
 */
public enum IcmpErrorKind {
    /** No route: Destination Unreachable, net unreachable (v4 3/0) or no route to destination (v6 1/0). */
    NO_ROUTE(
            IcmpMessages.V4_DESTINATION_UNREACHABLE,
            IcmpMessages.V4_CODE_NET_UNREACHABLE,
            IcmpMessages.V6_DESTINATION_UNREACHABLE,
            IcmpMessages.V6_CODE_NO_ROUTE),
    /** Too big for the next hop: fragmentation needed and DF set (v4 3/4, next-hop MTU) or Packet Too Big (v6 2/0). */
    PACKET_TOO_BIG(
            IcmpMessages.V4_DESTINATION_UNREACHABLE,
            IcmpMessages.V4_CODE_FRAGMENTATION_NEEDED,
            IcmpMessages.V6_PACKET_TOO_BIG,
            0),
    /** TTL or hop limit exhausted in transit: Time Exceeded code 0 (v4 11/0, v6 3/0). */
    HOP_LIMIT_EXCEEDED(
            IcmpMessages.V4_TIME_EXCEEDED,
            IcmpMessages.CODE_HOP_LIMIT_EXCEEDED,
            IcmpMessages.V6_TIME_EXCEEDED,
            IcmpMessages.CODE_HOP_LIMIT_EXCEEDED),
    /** Reassembly did not finish in time: Time Exceeded code 1 (v4 11/1, v6 3/1). */
    REASSEMBLY_TIME_EXCEEDED(
            IcmpMessages.V4_TIME_EXCEEDED,
            IcmpMessages.CODE_REASSEMBLY_TIME_EXCEEDED,
            IcmpMessages.V6_TIME_EXCEEDED,
            IcmpMessages.CODE_REASSEMBLY_TIME_EXCEEDED),
    /**
     * A header field or IPv4 option in error: Parameter Problem with a pointer to the octet in error (v4 12/0, RFC 1812
     * §4.3.3.5; v6 4/0 erroneous header field, RFC 4443 §3.4).
     */
    PARAMETER_PROBLEM(
            IcmpMessages.V4_PARAMETER_PROBLEM,
            IcmpMessages.V4_CODE_POINTER,
            IcmpMessages.V6_PARAMETER_PROBLEM,
            IcmpMessages.V6_CODE_ERRONEOUS_HEADER_FIELD),
    /**
     * An IPv6 option of unrecognized type whose action bits ask for an error: Parameter Problem 4/2, pointer at the
     * option type (RFC 8200 §4.2). IPv4 ignores options it does not know (RFC 1122 §3.2.1.8); as an ICMPv4 message
     * it is 12/0.
     */
    UNRECOGNIZED_OPTION(
            IcmpMessages.V4_PARAMETER_PROBLEM,
            IcmpMessages.V4_CODE_POINTER,
            IcmpMessages.V6_PARAMETER_PROBLEM,
            IcmpMessages.V6_CODE_UNRECOGNIZED_OPTION),
    /**
     * No receiver for the upper-layer protocol: protocol unreachable (v4 3/2, RFC 1122 §3.2.2.1), or Parameter Problem
     * unrecognized Next Header (v6 4/1, RFC 8200 §4), its pointer at the Next Header field that names the protocol.
     */
    PROTOCOL_UNREACHABLE(
            IcmpMessages.V4_DESTINATION_UNREACHABLE,
            IcmpMessages.V4_CODE_PROTOCOL_UNREACHABLE,
            IcmpMessages.V6_PARAMETER_PROBLEM,
            IcmpMessages.V6_CODE_UNRECOGNIZED_NEXT_HEADER),
    /** No receiver for the UDP port: port unreachable (v4 3/3, RFC 1122 §4.1.3.1; v6 1/4). */
    PORT_UNREACHABLE(
            IcmpMessages.V4_DESTINATION_UNREACHABLE,
            IcmpMessages.V4_CODE_PORT_UNREACHABLE,
            IcmpMessages.V6_DESTINATION_UNREACHABLE,
            IcmpMessages.V6_CODE_PORT_UNREACHABLE),
    /**
     * Forwarding would take the packet beyond the scope of its source address: v6 1/2 (RFC 4443 §3.1, RFC 4007 §9).
     * IPv4 has no such code and the IPv4 path never sends it; as an ICMPv4 message it is communication
     * administratively prohibited, 3/13.
     */
    BEYOND_SCOPE(
            IcmpMessages.V4_DESTINATION_UNREACHABLE,
            IcmpMessages.V4_CODE_ADMINISTRATIVELY_PROHIBITED,
            IcmpMessages.V6_DESTINATION_UNREACHABLE,
            IcmpMessages.V6_CODE_BEYOND_SCOPE);

    private final int v4Type;
    private final int v4Code;
    private final int v6Type;
    private final int v6Code;

    IcmpErrorKind(int v4Type, int v4Code, int v6Type, int v6Code) {
        this.v4Type = v4Type;
        this.v4Code = v4Code;
        this.v6Type = v6Type;
        this.v6Code = v6Code;
    }

    public int type(AddressFamily family) {
        return family == AddressFamily.INET ? v4Type : v6Type;
    }

    public int code(AddressFamily family) {
        return family == AddressFamily.INET ? v4Code : v6Code;
    }

    /**
     * The 32-bit word after the checksum, from the kind's parameter: the next-hop MTU of a {@link #PACKET_TOO_BIG}
     * (ICMPv4: its low 16 bits, RFC 1191), the pointer of a Parameter Problem (ICMPv4: one octet in the word's high
     * byte, RFC 792; ICMPv6: the whole word, RFC 4443 §3.4), 0 for the others.
     */
    public int restOfHeader(AddressFamily family, int parameter) {
        boolean v4 = family == AddressFamily.INET;
        return switch (this) {
            case PACKET_TOO_BIG -> v4 ? parameter & 0xFFFF : parameter;
            case PARAMETER_PROBLEM, UNRECOGNIZED_OPTION -> v4 ? (parameter & 0xFF) << 24 : parameter;
            case PROTOCOL_UNREACHABLE -> v4 ? 0 : parameter;
            default -> 0;
        };
    }
}
