package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) message types and codes the IP path sends or answers, and field access to the
 * 8-byte message header in place.
 */
final class IcmpMessages {
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_IGMP = 2;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;
    static final int IPPROTO_ICMPV6 = 58;
    /** The ICMP header: type, code, checksum and four bytes whose meaning depends on the type. */
    static final int HEADER_LENGTH = 8;

    static final int V4_ECHO_REPLY = 0;
    static final int V4_DESTINATION_UNREACHABLE = 3;
    static final int V4_ECHO_REQUEST = 8;
    static final int V4_TIME_EXCEEDED = 11;
    static final int V4_PARAMETER_PROBLEM = 12;
    /** Destination Unreachable code 0: net unreachable. */
    static final int V4_CODE_NET_UNREACHABLE = 0;
    /** Destination Unreachable code 2: protocol unreachable. */
    static final int V4_CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination Unreachable code 3: port unreachable. */
    static final int V4_CODE_PORT_UNREACHABLE = 3;
    /** Destination Unreachable code 4: fragmentation needed and DF set (RFC 1191 puts the next-hop MTU in). */
    static final int V4_CODE_FRAGMENTATION_NEEDED = 4;
    /** Destination Unreachable code 13: communication administratively prohibited (RFC 1812 §5.2.7.1). */
    static final int V4_CODE_ADMINISTRATIVELY_PROHIBITED = 13;
    /** Parameter Problem code 0: the pointer shows the octet in error (RFC 792). */
    static final int V4_CODE_POINTER = 0;

    static final int V6_DESTINATION_UNREACHABLE = 1;
    static final int V6_PACKET_TOO_BIG = 2;
    static final int V6_TIME_EXCEEDED = 3;
    static final int V6_PARAMETER_PROBLEM = 4;
    static final int V6_ECHO_REQUEST = 128;
    static final int V6_ECHO_REPLY = 129;
    /** Destination Unreachable code 0: no route to destination. */
    static final int V6_CODE_NO_ROUTE = 0;
    /** Destination Unreachable code 2: beyond scope of source address. */
    static final int V6_CODE_BEYOND_SCOPE = 2;
    /** Destination Unreachable code 4: port unreachable. */
    static final int V6_CODE_PORT_UNREACHABLE = 4;
    /** Parameter Problem code 0: erroneous header field encountered. */
    static final int V6_CODE_ERRONEOUS_HEADER_FIELD = 0;
    /** Parameter Problem code 1: unrecognized Next Header type encountered. */
    static final int V6_CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    /** Parameter Problem code 2: unrecognized IPv6 option encountered. */
    static final int V6_CODE_UNRECOGNIZED_OPTION = 2;

    /** Time Exceeded code 0 (both versions): hop limit exceeded in transit. */
    static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    /** Time Exceeded code 1 (both versions): fragment reassembly time exceeded. */
    static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private IcmpMessages() {}

    static int type(MemorySegment message) {
        return Byte.toUnsignedInt(message.get(ValueLayout.JAVA_BYTE, 0));
    }

    static int code(MemorySegment message) {
        return Byte.toUnsignedInt(message.get(ValueLayout.JAVA_BYTE, 1));
    }

    static int checksum(MemorySegment message) {
        return Short.toUnsignedInt(message.get(U16, 2));
    }

    /** Writes type, code, a zero checksum and the 32-bit rest-of-header word. */
    static void writeHeader(MemorySegment message, int type, int code, int rest) {
        message.set(ValueLayout.JAVA_BYTE, 0, (byte) type);
        message.set(ValueLayout.JAVA_BYTE, 1, (byte) code);
        message.set(U16, 2, (short) 0);
        message.set(InternetChecksum.U32, 4, rest);
    }

    static void setChecksum(MemorySegment message, int checksum) {
        message.set(U16, 2, (short) checksum);
    }

    /**
     * Whether an ICMP or ICMPv6 type is an error message: no ICMP error is ever sent about one (RFC 1812 §4.3.2.7,
     * RFC 4443 §2.4(e)). ICMPv6 errors are the types below 128; ICMPv4 errors are 3, 4, 5, 11 and 12.
     */
    static boolean isError(AddressFamily family, int type) {
        if (family == AddressFamily.INET6) {
            return type < 128;
        }
        return type == V4_DESTINATION_UNREACHABLE
                || type == 4
                || type == 5
                || type == V4_TIME_EXCEEDED
                || type == V4_PARAMETER_PROBLEM;
    }
}
