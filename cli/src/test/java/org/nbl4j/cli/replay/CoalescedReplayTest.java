package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.stack.ip.OffloadMode;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * A capture that holds TSO-sized TCP packets, as tcpdump writes them on a host that sends with TSO or receives with
 * GRO: one of 40,000 bytes over IPv4 and one of 30,000 over IPv6, their checksum fields holding the pseudo-header sum
 * as Linux leaves it. Replayed, they are no longer skipped: they are offered as RSC indications and follow the offload
 * mode. So are three BIG TCP packets, longer than 64 KiB (IPv4 with Total Length 0, IPv6 with Payload Length 0, and
 * IPv6 with the hop-by-hop jumbo option Linux puts in front of TCP inside a host): each is offered as the indications
 * a NIC would have made of its segments, none longer than an IP datagram may be, and cut or forwarded from there.
 */
class CoalescedReplayTest {
    private static final byte[] HOST_B_V4 = {(byte) 198, 51, 100, 2};
    private static final byte[] HOST_A_V4 = {(byte) 192, 0, 2, 2};
    private static final byte[] HOST_B_V6 = v6(2);
    private static final byte[] HOST_A_V6 = v6(1);

    @TempDir
    Path directory;

    private static byte[] v6(int subnet) {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[5] = (byte) subnet;
        address[15] = 2;
        return address;
    }

    /**
     * A TCP packet of {@code length} bytes from host B to host A (ACK|PSH, a timestamp option), with the TCP checksum
     * field as Linux leaves it in a super-packet: the folded pseudo-header sum, the TCP length included.
     *
     * @param totalLength what the IPv4 Total Length field says (0 for BIG TCP); ignored for IPv6
     */
    static byte[] superPacket(boolean v6, int length, int totalLength, long seed) {
        byte[] packet = new byte[length];
        new Random(seed).nextBytes(packet);
        ByteBuffer b = ByteBuffer.wrap(packet);
        int ip;
        if (v6) {
            b.putInt(0, 0x6000_0000);
            b.putShort(4, (short) (length - 40));
            b.put(6, (byte) 6);
            b.put(7, (byte) 64);
            b.put(8, HOST_B_V6).put(24, HOST_A_V6);
            ip = 40;
        } else {
            b.put(0, (byte) 0x45).put(1, (byte) 0);
            b.putShort(2, (short) totalLength);
            b.putShort(4, (short) 0x1234);
            b.putShort(6, (short) 0x4000); // DF
            b.put(8, (byte) 64).put(9, (byte) 6);
            b.putShort(10, (short) 0);
            b.put(12, HOST_B_V4).put(16, HOST_A_V4);
            b.putShort(10, (short) checksum(packet, 0, 20, 0));
            ip = 20;
        }
        b.putShort(ip, (short) 8080).putShort(ip + 2, (short) 40000);
        b.putInt(ip + 4, 0x1000_0000).putInt(ip + 8, 0x2000_0000);
        b.put(ip + 12, (byte) 0x80); // 32-byte header
        b.put(ip + 13, (byte) 0x18); // ACK|PSH
        b.putShort(ip + 14, (short) 502);
        b.putShort(ip + 18, (short) 0);
        b.putInt(ip + 20, 0x0101_080a); // NOP, NOP, timestamps
        long pseudo = (v6 ? words(packet, 8, 32) : words(packet, 12, 8)) + (length - ip) + 6;
        b.putShort(ip + 16, (short) (~checksum(new byte[0], 0, 0, pseudo) & 0xFFFF));
        return packet;
    }

    private static int checksum(byte[] data, int from, int length, long sum) {
        sum += words(data, from, length);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static long words(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((data[from + i] & 0xFF) << 8) | (i + 1 < length ? data[from + i + 1] & 0xFF : 0);
        }
        return sum;
    }

    /** The packet with another source port, so that the segments of packets with the same sequence numbers differ. */
    private static byte[] fromPort(byte[] packet, int port) {
        int ip = (packet[0] & 0xF0) == 0x40 ? (packet[0] & 0x0F) * 4 : 40;
        // The checksum field holds only the pseudo-header sum, which the ports are not part of.
        ByteBuffer.wrap(packet).putShort(ip, (short) port);
        return packet;
    }

    /** The packet with other TCP flags (CWR, FIN: which segments keep them is Linux's rule to check). */
    private static byte[] withFlags(byte[] packet, int flags) {
        packet[(packet[0] & 0x0F) * 4 + 13] = (byte) flags;
        return packet;
    }

    /** An IPv6 BIG TCP packet as it leaves a host: Payload Length 0 (Linux since 6.x drops the jumbo option there). */
    private static byte[] bigTcpV6(int length, int port, long seed) {
        byte[] packet = fromPort(superPacket(true, length, 0, seed), port);
        packet[4] = 0;
        packet[5] = 0;
        return packet;
    }

    /** The same packet as Linux's GRO holds it inside a host: a hop-by-hop header with the jumbo payload option. */
    private static byte[] withJumboOption(byte[] packet) {
        byte[] jumbo = new byte[packet.length + 8];
        System.arraycopy(packet, 0, jumbo, 0, 40);
        System.arraycopy(packet, 40, jumbo, 48, packet.length - 40);
        jumbo[6] = 0; // hop-by-hop next
        ByteBuffer.wrap(jumbo)
                .put(40, (byte) 6)
                .put(41, (byte) 0)
                .put(42, (byte) 0xC2)
                .put(43, (byte) 4);
        ByteBuffer.wrap(jumbo).putInt(44, jumbo.length - 40);
        return jumbo;
    }

    private final byte[] tsoV4 = superPacket(false, 40_000, 40_000, 4);
    private final byte[] tsoV6 = superPacket(true, 30_000, 0, 6);
    private final byte[] bigTcpV4 = withFlags(fromPort(superPacket(false, 70_000, 0, 70), 8081), 0x80 | 0x18 | 0x01);
    private final byte[] bigTcpV6 = bigTcpV6(80_000, 8082, 80);
    /** On the wire, without the option: what its segments are compared with. */
    private final byte[] jumboOnTheWire = bigTcpV6(90_000, 8083, 90);

    /** The packets captured arriving on r-b, the bundled router's side towards host B. */
    private CaptureSource capture() throws IOException {
        Path file = directory.resolve("tso.pcapng");
        try (CaptureWriter writer = CaptureWriter.create(file, CaptureFormat.PCAPNG, List.of("r-a", "r-b"))) {
            long nanos = 1_000_000_000L;
            for (byte[] packet : List.of(tsoV4, tsoV6, bigTcpV4, bigTcpV6, withJumboOption(jumboOnTheWire))) {
                writer.write(1, nanos += 1_000, packet.length, MemorySegment.ofArray(packet));
            }
        }
        return new CaptureSource(file);
    }

    private ReplayResult replay(OffloadMode mode) throws Exception {
        return new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING, mode)
                .replay(capture(), directory.resolve(mode.name()), ReplayObserver.NONE);
    }

    private List<CapturedPacket> sentOnA(OffloadMode mode) throws IOException {
        try (CaptureReader reader =
                CaptureReader.open(directory.resolve(mode.name()).resolve("r-a.pcapng"))) {
            return reader.readAll();
        }
    }

    /** The packet as a router one hop on forwards it whole: TTL or hop limit one lower, IPv4 checksum updated. */
    private static byte[] forwarded(byte[] packet) {
        byte[] copy = packet.clone();
        if ((copy[0] & 0xF0) == 0x60) {
            copy[7]--;
        } else {
            copy[8]--;
            copy[10] = 0;
            copy[11] = 0;
            int sum = checksum(copy, 0, 20, 0);
            copy[10] = (byte) (sum >>> 8);
            copy[11] = (byte) sum;
        }
        return copy;
    }

    @Test
    void withOffloadsOffTheTsoPacketsAreOfferedAndCutIntoSegments() throws Exception {
        ReplayResult result = replay(OffloadMode.OFF);

        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        assertEquals(0, result.skipped().getOrDefault(SkipReason.LONGER_THAN_MTU, 0L), "BIG TCP is offered");
        // Two TSO packets, then the BIG TCP ones in pieces of whole segments: 45 of 1,448 bytes fit 65,535 over
        // IPv4, 45 of 1,428 over IPv6; so 69,948 payload bytes make 2 pieces, 79,928 and 89,928 make 2 each.
        assertEquals(2 + 2 + 2 + 2, result.coalesced());
        List<CapturedPacket> sent = sentOnA(OffloadMode.OFF);
        // 39,948 payload bytes in 1,448-byte segments (1,500 - 20 - 32), 29,928 in 1,428-byte ones (1,500 - 40 - 32),
        // cut there (the size the count was made from goes with it), not at an even split of the count (1,427, 1,426).
        int segments = SegmentsOf.check(forwarded(tsoV4), sent, 1500, 1448)
                + SegmentsOf.check(forwarded(tsoV6), sent, 1500, 1428);
        assertEquals(28 + 21, segments);
        // The BIG TCP packets' segments are Linux's cut of the whole packet: Identification + index and the flags
        // run on across the pieces' boundaries.
        int big = SegmentsOf.check(forwarded(bigTcpV4), sent, 1500, 1448)
                + SegmentsOf.check(forwarded(bigTcpV6), sent, 1500, 1428)
                + SegmentsOf.check(forwarded(jumboOnTheWire), sent, 1500, 1428);
        assertEquals(49 + 56 + 63, big);
        assertEquals(segments + big, sent.size());
        assertEquals(segments + big, result.ip().segmentsCreated());
    }

    @Test
    void underThroughputTheTsoPacketsLeaveWholeWithLso() throws Exception {
        ReplayResult result = replay(OffloadMode.THROUGHPUT);

        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        assertEquals(2 + 6, result.ip().largeSends());
        List<CapturedPacket> sent = sentOnA(OffloadMode.THROUGHPUT);
        assertEquals(2 + 6, sent.size());
        assertArrayEquals(forwarded(tsoV4), sent.get(0).data());
        assertArrayEquals(forwarded(tsoV6), sent.get(1).data());
        assertPieces(forwarded(bigTcpV4), sent.subList(2, 4), 1448);
        assertPieces(forwarded(bigTcpV6), sent.subList(4, 6), 1428);
        assertPieces(forwarded(jumboOnTheWire), sent.subList(6, 8), 1428);
    }

    /**
     * A NIC recomputes the checksum of what it indicates (WDK, "Indicating Coalesced Segments"): each piece of a BIG
     * TCP packet whose partial checksum checks out carries a whole one and says so; a packet whose field is wrong
     * gives pieces the stack has to check.
     */
    @Test
    void bigTcpPiecesCarryWholeChecksumsOnlyWhenThePacketsCheckedOut() {
        MemorySegment piece = MemorySegment.ofArray(new byte[65_535]);
        for (byte[] bytes : List.of(bigTcpV4, bigTcpV6, withJumboOption(jumboOnTheWire))) {
            MemorySegment packet = MemorySegment.ofArray(bytes);
            int transport = CoalescedPackets.bigTcpTransport(packet, bytes.length);
            int bits = CoalescedPackets.receiveChecksumBits(packet, bytes.length, transport);
            assertEquals(
                    OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID, bits);
            for (int index = 0; index < 2; index++) {
                int length = CoalescedPackets.bigTcpPiece(packet, bytes.length, transport, 1500, bits, index, piece);
                assertEquals(OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED, CoalescedPackets.pieceChecksumBits(bits));
                assertEquals(
                        CoalescedPackets.pieceChecksumBits(bits),
                        CoalescedPackets.receiveChecksumBits(piece, length),
                        "piece " + index);
            }
            bytes[transport + 16] ^= 1;
            assertEquals(0, CoalescedPackets.receiveChecksumBits(packet, bytes.length, transport));
            int length = CoalescedPackets.bigTcpPiece(packet, bytes.length, transport, 1500, 0, 0, piece);
            assertEquals(0, CoalescedPackets.receiveChecksumBits(piece, length), "a wrong field stays wrong");
            assertEquals(0, CoalescedPackets.pieceChecksumBits(0));
            bytes[transport + 16] ^= 1;
        }
    }

    /**
     * Only Linux's own hop-by-hop header (the jumbo payload option alone, TCP next) marks an IPv6 BIG TCP packet: with
     * another option in it the packet is not one, and the replay skips it as longer than the MTU.
     */
    @Test
    void aHopByHopHeaderWithAnotherOptionIsNotBigTcp() {
        byte[] jumbo = withJumboOption(jumboOnTheWire);
        MemorySegment packet = MemorySegment.ofArray(jumbo);
        assertEquals(48, CoalescedPackets.bigTcpTransport(packet, jumbo.length));
        jumbo[42] = 5; // router alert in place of the jumbo option
        assertEquals(0, CoalescedPackets.bigTcpTransport(packet, jumbo.length));
        jumbo[42] = (byte) 0xC2;
        jumbo[40] = 17; // UDP next
        assertEquals(0, CoalescedPackets.bigTcpTransport(packet, jumbo.length));
    }

    /**
     * The pieces of a BIG TCP packet, sent whole with LSO: each at most 65,535 bytes with the packet's headers and
     * its own lengths, a whole number of {@code segment}-byte segments but the last, the packet's payload in order,
     * the Identification of the piece's first segment, and the checksum field as Linux's captures show an LSO send
     * (the pseudo-header sum with the TCP length).
     */
    private static void assertPieces(byte[] packet, List<CapturedPacket> pieces, int segment) {
        boolean v4 = (packet[0] & 0xF0) == 0x40;
        int ip = v4 ? 20 : 40;
        int headers = ip + 32;
        int offset = 0;
        for (int index = 0; index < pieces.size(); index++) {
            byte[] piece = pieces.get(index).data();
            ByteBuffer view = ByteBuffer.wrap(piece);
            int size = piece.length - headers;
            assertTrue(piece.length <= 65_535, piece.length + " bytes");
            assertTrue(index == pieces.size() - 1 || size % segment == 0, "whole segments: " + size);
            assertEquals(piece.length - (v4 ? 0 : 40), Short.toUnsignedInt(view.getShort(v4 ? 2 : 4)), "length");
            if (v4) {
                assertEquals(
                        (Short.toUnsignedInt(ByteBuffer.wrap(packet).getShort(4)) + offset / segment) & 0xFFFF,
                        Short.toUnsignedInt(view.getShort(4)),
                        "Identification of the first segment");
            }
            assertEquals(ByteBuffer.wrap(packet).getInt(ip + 4) + offset, view.getInt(ip + 4), "sequence number");
            assertArrayEquals(
                    Arrays.copyOfRange(packet, headers + offset, headers + offset + size),
                    Arrays.copyOfRange(piece, headers, piece.length),
                    "payload of piece " + index);
            long pseudo = (v4 ? words(piece, 12, 8) : words(piece, 8, 32)) + (piece.length - ip) + 6;
            assertEquals(~checksum(new byte[0], 0, 0, pseudo) & 0xFFFF, Short.toUnsignedInt(view.getShort(ip + 16)));
            offset += size;
        }
        assertEquals(packet.length - headers, offset, "the whole payload");
    }
}
