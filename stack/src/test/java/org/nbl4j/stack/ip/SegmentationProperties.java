package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Software segmentation against a plain model of Linux's GSO ({@code tcp_gso_segment}, {@code inet_gso_segment},
 * {@code udp4_ufo_fragment}'s successor {@code __udp_gso_segment}): a coalesced packet forwarded under
 * {@link OffloadMode#THROUGHPUT} to an egress without LSO leaves as exactly the segments the model cuts, byte for
 * byte: headers copied, lengths, IPv4 IDs counting up, TCP sequence numbers advanced, FIN and PSH only on the last
 * segment and CWR only on the first, every checksum computed in full. The cut falls at the sender's segment size where
 * the miniport carried it (a TUN device's gso_size), the last segment short; else at an even split of the count.
 */
class SegmentationProperties {

    @Property(tries = 60)
    void coalescedPacketsAreCutAsLinuxCutsThem(
            @ForAll boolean v6,
            @ForAll boolean udp,
            @ForAll @IntRange(min = 1, max = 20_000) int payloadLength,
            @ForAll @IntRange(min = 1, max = 45) int segmentsWanted,
            @ForAll @IntRange(min = 0, max = 255) int tcpFlags,
            @ForAll int sequence,
            @ForAll @IntRange(min = 0, max = 65_535) int identification,
            @ForAll boolean sizeCarried,
            @ForAll @IntRange(min = 0, max = 1000) int sizePermille) {
        byte[] data = TestPackets.bytes(payloadLength, sequence);
        byte[] transport =
                udp ? TestPackets.udp(4000, 5001, data) : TestPackets.tcp(4000, 5001, sequence, 77, tcpFlags, data);
        int protocol = udp ? 17 : 6;
        byte[] packet = TestPackets.withChecksum(
                v6
                        ? TestPackets.ipv6("2001:db8:1::10", "2001:db8:3::5", protocol, 64, new byte[0], transport)
                        : TestPackets.ipv4(
                                "192.0.2.10",
                                "203.0.113.5",
                                protocol,
                                64,
                                identification,
                                0x4000,
                                new byte[0],
                                transport));
        // The egress MTU is 9000: no segment may be larger, or the packet is refused rather than cut.
        int wanted = Math.min(payloadLength, Math.max(segmentsWanted, (payloadLength + 8899) / 8900));
        int even = (payloadLength + wanted - 1) / wanted;
        // A sender's segment size near that count: from the even split up to the largest that still leaves something
        // for a last segment (Linux's GSO cuts at it, the last segment short), and the count it gives; or none carried.
        int largest = Math.min(8900, wanted == 1 ? payloadLength : (payloadLength - 1) / (wanted - 1));
        int carried = sizeCarried ? even + (int) ((long) Math.max(0, largest - even) * sizePermille / 1000) : 0;
        int mss = sizeCarried ? carried : even;
        int segments = sizeCarried ? (payloadLength + carried - 1) / carried : wanted;

        List<byte[]> sent;
        try (IpTestBed router = new IpTestBed(20_100, 9000, builder -> builder, false)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(packet, 0, segments, carried);
            sent = router.wire2.takeSent();
            assertEquals(1, router.classified(HookPoint.IPFORWARD).size(), "the super-packet is shown whole");
        }
        List<byte[]> expected = linuxSegments(forwarded(packet), mss);
        assertEquals(expected.size(), sent.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), sent.get(i), "segment " + i);
        }
    }

    /** The packet after a router's TTL or hop-limit decrement (the IPv4 checksum is recomputed per segment). */
    private static byte[] forwarded(byte[] packet) {
        byte[] copy = packet.clone();
        int at = (copy[0] & 0xF0) == 0x40 ? 8 : 7;
        copy[at]--;
        return copy;
    }

    /** The model: Linux's segmentation of a TCP or UDP super-packet, the plain way. */
    static List<byte[]> linuxSegments(byte[] packet, int mss) {
        boolean v4 = (packet[0] & 0xF0) == 0x40;
        int ipLength = v4 ? (packet[0] & 0x0F) * 4 : 40;
        boolean tcp = (packet[v4 ? 9 : 6] & 0xFF) == 6;
        int headers = ipLength + (tcp ? ((packet[ipLength + 12] & 0xF0) >>> 4) * 4 : 8);
        int payload = packet.length - headers;
        int count = (payload + mss - 1) / mss;
        List<byte[]> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = Math.min(mss, payload - i * mss);
            byte[] segment = new byte[headers + size];
            System.arraycopy(packet, 0, segment, 0, headers);
            System.arraycopy(packet, headers + i * mss, segment, headers, size);
            if (v4) {
                TestPackets.put16(segment, 2, segment.length);
                TestPackets.put16(segment, 4, (TestPackets.u16(packet, 4) + i) & 0xFFFF);
                TestPackets.put16(segment, 10, 0);
                TestPackets.put16(segment, 10, TestPackets.checksum(segment, 0, ipLength));
            } else {
                TestPackets.put16(segment, 4, segment.length - 40);
            }
            if (tcp) {
                TestPackets.put32(segment, ipLength + 4, TestPackets.u32(packet, ipLength + 4) + i * mss);
                int flags = segment[ipLength + 13] & 0xFF;
                if (i < count - 1) {
                    flags &= ~0x09; // FIN and PSH: the last segment's
                }
                if (i > 0) {
                    flags &= ~0x80; // CWR: the first segment's
                }
                segment[ipLength + 13] = (byte) flags;
            } else {
                TestPackets.put16(segment, ipLength + 4, segment.length - ipLength);
            }
            TestPackets.withChecksum(segment);
            if (!tcp && TestPackets.u16(segment, ipLength + 6) == 0) {
                TestPackets.put16(segment, ipLength + 6, 0xFFFF);
            }
            segments.add(segment);
        }
        return segments;
    }
}
