package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words, over
 * {@link MemorySegment}s without allocating. Also the incremental update of RFC 1624 (equation 3) used when a router
 * changes one word, the TTL, and the IPv6 pseudo-header sum (RFC 8200 §8.1) that ICMPv6 checksums cover.
 */
public final class InternetChecksum {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {}

    /**
     * Adds {@code length} bytes at {@code offset} to a running (unfolded) sum. An odd final byte counts as the high
     * byte of a word padded with zero, so a range of odd length must be the last one summed.
     */
    public static long add(long sum, MemorySegment segment, long offset, int length) {
        long at = offset;
        long end = offset + length;
        while (at + 4 <= end) {
            sum += Integer.toUnsignedLong(segment.get(U32, at));
            at += 4;
        }
        if (at + 2 <= end) {
            sum += Short.toUnsignedInt(segment.get(U16, at));
            at += 2;
        }
        if (at < end) {
            sum += (Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, at))) << 8;
        }
        return sum;
    }

    /** Folds a running sum to 16 bits and complements it: the value to store in a checksum field. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** The checksum of {@code length} bytes; 0 over data that includes a correct checksum field. */
    public static int compute(MemorySegment segment, long offset, int length) {
        return finish(add(0, segment, offset, length));
    }

    /**
     * Adds {@code value} to a 16-bit field at {@code field} (big-endian) that holds a folded, uncomplemented sum: how
     * a pseudo-header sum left for a NIC (a partial checksum) gains a term, such as the TCP length that Linux's GSO
     * field includes and Windows' LSO field leaves out.
     */
    public static void addToPartialSum(MemorySegment packet, long field, int value) {
        int sum = Short.toUnsignedInt(packet.get(U16, field)) + value;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        packet.set(U16, field, (short) sum);
    }

    /**
     * RFC 1624 equation 3: the checksum after one 16-bit word of the covered data changes from {@code oldWord} to
     * {@code newWord}, {@code HC' = ~(~HC + ~m + m')}. Unlike equation 2 it never yields 0xFFFF from a correct sum.
     */
    public static int update(int oldChecksum, int oldWord, int newWord) {
        long sum = (~oldChecksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return finish(sum);
    }

    /**
     * The running sum of the pseudo-header that UDP, TCP and ICMPv6 checksums cover (RFC 768, RFC 9293 §3.1, RFC 8200
     * §8.1), from addresses as the path holds them ({@link IpAddresses}): source, destination, the upper-layer length
     * and protocol. The IPv4 and IPv6 layouts differ but sum alike: a zero byte beside the protocol, the length as one
     * 16-bit word (IPv4) or a 32-bit one (IPv6).
     */
    public static long pseudoHeader(
            AddressFamily family,
            long sourceHigh,
            long sourceLow,
            long destinationHigh,
            long destinationLow,
            int upperLayerLength,
            int protocol) {
        long sum = words(sourceHigh) + words(sourceLow) + words(destinationHigh) + words(destinationLow);
        return sum + (upperLayerLength >>> 16) + (upperLayerLength & 0xFFFF) + protocol;
    }

    /** The sum of the four 16-bit words of a 64-bit value (an IPv4 address's two, with the high ones 0). */
    private static long words(long value) {
        return (value >>> 48) + ((value >>> 32) & 0xFFFF) + ((value >>> 16) & 0xFFFF) + (value & 0xFFFF);
    }

    /**
     * The IPv6 pseudo-header's running sum (RFC 8200 §8.1): source and destination addresses at the given offsets
     * of {@code header} (16 bytes each), the upper-layer length and the next-header value.
     */
    public static long ipv6PseudoHeader(
            MemorySegment header, long sourceOffset, long destinationOffset, int upperLayerLength, int nextHeader) {
        long sum = add(0, header, sourceOffset, 16);
        sum = add(sum, header, destinationOffset, 16);
        return sum + (upperLayerLength >>> 16) + (upperLayerLength & 0xFFFF) + nextHeader;
    }
}
