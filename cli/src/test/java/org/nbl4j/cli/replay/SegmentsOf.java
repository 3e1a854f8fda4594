package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.nbl4j.io.capture.CapturedPacket;

/**
 * Checks that packets a replay transmitted are the segments of one TCP super-packet, with the rules a segmenting NIC
 * or Linux's GSO keep: the super-packet's payload in order, every segment within the MTU, the headers copied with
 * only the per-segment fields changed (lengths, IPv4 Identification + index, sequence number, PSH and FIN on the last
 * segment only, CWR on the first only) and every checksum whole. Written from those rules, not from nbl4j's code.
 */
final class SegmentsOf {
    private SegmentsOf() {}

    /**
     * Finds the segments of {@code superPacket} (raw IP) among {@code sent} and checks them.
     *
     * @return how many segments it has
     */
    static int check(byte[] superPacket, List<CapturedPacket> sent, int mtu) {
        return check(superPacket, sent, mtu, 0);
    }

    /**
     * {@link #check(byte[], List, int)}, and every segment but the last carries {@code segmentSize} payload bytes (the
     * sender's size, where Linux's GSO cuts; 0: not checked).
     */
    static int check(byte[] superPacket, List<CapturedPacket> sent, int mtu, int segmentSize) {
        ByteBuffer whole = ByteBuffer.wrap(superPacket);
        boolean v4 = (superPacket[0] & 0xF0) == 0x40;
        int ip = v4 ? (superPacket[0] & 0x0F) * 4 : 40;
        int tcp = ((superPacket[ip + 12] & 0xF0) >>> 4) * 4;
        int headers = ip + tcp;
        long firstSequence = Integer.toUnsignedLong(whole.getInt(ip + 4));
        int payload = superPacket.length - headers;

        List<byte[]> segments = new ArrayList<>();
        for (CapturedPacket packet : sent) {
            byte[] data = packet.data();
            if (data.length > headers && sameFlow(superPacket, data, ip) && ((data[ip + 12] & 0xF0) >>> 4) * 4 == tcp) {
                long offset = Integer.toUnsignedLong(ByteBuffer.wrap(data).getInt(ip + 4)) - firstSequence;
                if (offset >= 0 && offset < payload) {
                    segments.add(data);
                }
            }
        }
        segments.sort(Comparator.comparingLong(
                data -> Integer.toUnsignedLong(ByteBuffer.wrap(data).getInt(ip + 4))));
        assertTrue(segments.size() > 1, "segments of a " + superPacket.length + "-byte packet");

        byte[] joined = new byte[0];
        for (int index = 0; index < segments.size(); index++) {
            byte[] segment = segments.get(index);
            ByteBuffer view = ByteBuffer.wrap(segment);
            assertTrue(segment.length <= mtu, segment.length + " bytes within the MTU");
            if (segmentSize != 0 && index < segments.size() - 1) {
                assertEquals(segmentSize, segment.length - headers, "payload of segment " + index);
            }
            assertEquals(
                    firstSequence + joined.length, Integer.toUnsignedLong(view.getInt(ip + 4)), "no gap, no overlap");
            if (v4) {
                assertEquals(segment.length, Short.toUnsignedInt(view.getShort(2)), "Total Length");
                assertEquals(
                        (Short.toUnsignedInt(whole.getShort(4)) + index) & 0xFFFF,
                        Short.toUnsignedInt(view.getShort(4)),
                        "Identification + index");
                assertEquals(0, checksum(segment, 0, ip, 0), "IPv4 header checksum");
                assertSameExcept(superPacket, segment, 0, ip, 2, 3, 4, 5, 10, 11);
            } else {
                assertEquals(segment.length - 40, Short.toUnsignedInt(view.getShort(4)), "Payload Length");
                assertSameExcept(superPacket, segment, 0, ip, 4, 5);
            }
            int flags = segment[ip + 13] & 0xFF;
            int expectedFlags = superPacket[ip + 13] & 0xFF;
            if (index < segments.size() - 1) {
                expectedFlags &= ~0x09; // PSH and FIN: last segment only
            }
            if (index > 0) {
                expectedFlags &= ~0x80; // CWR: first segment only
            }
            assertEquals(expectedFlags, flags, "TCP flags of segment " + index);
            assertSameExcept(superPacket, segment, ip, tcp, 4, 5, 6, 7, 13, 16, 17);
            assertEquals(0, checksum(segment, ip, segment.length - ip, pseudoHeader(segment, v4, ip)), "TCP checksum");
            byte[] more = Arrays.copyOfRange(segment, headers, segment.length);
            byte[] grown = Arrays.copyOf(joined, joined.length + more.length);
            System.arraycopy(more, 0, grown, joined.length, more.length);
            joined = grown;
        }
        assertArrayEquals(
                Arrays.copyOfRange(superPacket, headers, superPacket.length), joined, "the payload, in order");
        return segments.size();
    }

    private static boolean sameFlow(byte[] a, byte[] b, int ip) {
        if ((a[0] & 0xF0) != (b[0] & 0xF0)) {
            return false;
        }
        boolean v4 = (a[0] & 0xF0) == 0x40;
        // Addresses, then the two ports.
        return Arrays.equals(a, v4 ? 12 : 8, v4 ? 20 : 40, b, v4 ? 12 : 8, v4 ? 20 : 40)
                && Arrays.equals(a, ip, ip + 4, b, ip, ip + 4);
    }

    /** Asserts {@code length} bytes at {@code from} are equal in both, except at the given offsets from there. */
    private static void assertSameExcept(byte[] original, byte[] segment, int from, int length, int... except) {
        for (int i = 0; i < length; i++) {
            final int at = i;
            if (Arrays.stream(except).noneMatch(skip -> skip == at)) {
                assertEquals(original[from + i], segment[from + i], "header byte " + (from + i));
            }
        }
    }

    private static long pseudoHeader(byte[] packet, boolean v4, int ip) {
        long sum = v4 ? words(packet, 12, 8) : words(packet, 8, 32);
        return sum + (packet.length - ip) + 6;
    }

    /** The Internet checksum of {@code length} bytes at {@code from}, starting from {@code sum}. */
    private static int checksum(byte[] packet, int from, int length, long sum) {
        sum += words(packet, from, length);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static long words(byte[] packet, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = packet[from + i] & 0xFF;
            int low = i + 1 < length ? packet[from + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        return sum;
    }
}
