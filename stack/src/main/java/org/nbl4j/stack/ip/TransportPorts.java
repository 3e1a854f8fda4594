package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;

import java.lang.foreign.MemorySegment;

/**
 * The ports of a UDP (RFC 768) or TCP (RFC 9293) header, which both start with source and destination port; what
 * the IP path needs to fill transport fields without parsing the rest.
 */
public final class TransportPorts {
    /** Bytes of a UDP or TCP header that hold the two ports. */
    public static final int PORTS_LENGTH = 4;

    private TransportPorts() {}

    public static int sourcePort(MemorySegment transportHeader) {
        return Short.toUnsignedInt(transportHeader.get(U16, 0));
    }

    public static int destinationPort(MemorySegment transportHeader) {
        return Short.toUnsignedInt(transportHeader.get(U16, 2));
    }

    /** Whether {@code protocol} is one whose header starts with the two ports. */
    public static boolean hasPorts(int protocol) {
        return protocol == IcmpMessages.IPPROTO_TCP || protocol == IcmpMessages.IPPROTO_UDP;
    }
}
