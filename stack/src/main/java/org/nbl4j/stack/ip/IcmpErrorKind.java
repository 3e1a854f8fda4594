package org.nbl4j.stack.ip;

/** The ICMP errors the IP path sends, with their ICMPv4 (RFC 792, 1191) and ICMPv6 (RFC 4443) type and code. */
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
            IcmpMessages.CODE_REASSEMBLY_TIME_EXCEEDED);

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
}
