package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;
import static org.nbl4j.stack.ip.InternetChecksum.U32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The IPv6 fixed header (RFC 8200 §3) and its extension headers (§4), read and written in place over a
 * {@link MemorySegment} that starts at the fixed header. Addresses are handled as two big-endian longs.
 */
public final class Ipv6Header {
    /** The fixed header. */
    public static final int LENGTH = 40;
    /** The fragment header (§4.5). */
    public static final int FRAGMENT_HEADER_LENGTH = 8;

    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ENCAPSULATING_SECURITY_PAYLOAD = 50;
    public static final int AUTHENTICATION = 51;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int PAYLOAD_LENGTH = 4;
    static final int NEXT_HEADER = 6;
    static final int HOP_LIMIT = 7;
    static final int SOURCE = 8;
    static final int DESTINATION = 24;

    private Ipv6Header() {}

    public static int version(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, 0)) >>> 4;
    }

    public static int payloadLength(MemorySegment header) {
        return Short.toUnsignedInt(header.get(U16, PAYLOAD_LENGTH));
    }

    public static void setPayloadLength(MemorySegment header, int length) {
        header.set(U16, PAYLOAD_LENGTH, (short) length);
    }

    public static int nextHeader(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, NEXT_HEADER));
    }

    public static int hopLimit(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, HOP_LIMIT));
    }

    public static void setHopLimit(MemorySegment header, int hopLimit) {
        header.set(ValueLayout.JAVA_BYTE, HOP_LIMIT, (byte) hopLimit);
    }

    public static long sourceHigh(MemorySegment header) {
        return header.get(U64, SOURCE);
    }

    public static long sourceLow(MemorySegment header) {
        return header.get(U64, SOURCE + 8);
    }

    public static long destinationHigh(MemorySegment header) {
        return header.get(U64, DESTINATION);
    }

    public static long destinationLow(MemorySegment header) {
        return header.get(U64, DESTINATION + 8);
    }

    /** Writes a fixed header: version 6, traffic class and flow label 0. Addresses as two longs each. */
    public static void write(
            MemorySegment header,
            int payloadLength,
            int nextHeader,
            int hopLimit,
            long sourceHigh,
            long sourceLow,
            long destinationHigh,
            long destinationLow) {
        header.set(U32, 0, 0x60000000);
        setPayloadLength(header, payloadLength);
        header.set(ValueLayout.JAVA_BYTE, NEXT_HEADER, (byte) nextHeader);
        setHopLimit(header, hopLimit);
        header.set(U64, SOURCE, sourceHigh);
        header.set(U64, SOURCE + 8, sourceLow);
        header.set(U64, DESTINATION, destinationHigh);
        header.set(U64, DESTINATION + 8, destinationLow);
    }

    /** The fragment header's offset in bytes (§4.5), for a fragment header at {@code at}. */
    public static int fragmentOffset(MemorySegment header, int at) {
        return Short.toUnsignedInt(header.get(U16, at + 2)) & 0xFFF8;
    }

    /** The fragment header's M flag. */
    public static boolean moreFragments(MemorySegment header, int at) {
        return (header.get(U16, at + 2) & 1) != 0;
    }

    /** The fragment header's Identification. */
    public static int fragmentIdentification(MemorySegment header, int at) {
        return header.get(U32, at + 4);
    }

    /** The checksum of an ICMPv6 message of {@code length} bytes at {@code at}, with the pseudo-header. */
    public static int icmpChecksum(MemorySegment packet, int at, int length) {
        long sum = InternetChecksum.ipv6PseudoHeader(packet, SOURCE, DESTINATION, length, IcmpMessages.IPPROTO_ICMPV6);
        return InternetChecksum.finish(InternetChecksum.add(sum, packet, at, length));
    }
}
