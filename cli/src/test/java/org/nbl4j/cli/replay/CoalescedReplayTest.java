package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.stack.ip.OffloadMode;

/**
 * A capture that holds TSO-sized TCP packets, as tcpdump writes them on a host that sends with TSO or receives with
 * GRO: one of 40,000 bytes over IPv4 and one of 30,000 over IPv6, their checksum fields holding the pseudo-header sum
 * as Linux leaves it. Replayed, they are no longer skipped: they are offered as RSC indications and follow the offload
 * mode. A BIG TCP packet (IPv4 Total Length 0, longer than 64 KiB) still is.
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

    private final byte[] tsoV4 = superPacket(false, 40_000, 40_000, 4);
    private final byte[] tsoV6 = superPacket(true, 30_000, 0, 6);
    private final byte[] bigTcpV4 = superPacket(false, 70_000, 0, 70);

    /** The three packets captured arriving on r-b, the bundled router's side towards host B. */
    private CaptureSource capture() throws IOException {
        Path file = directory.resolve("tso.pcapng");
        try (CaptureWriter writer = CaptureWriter.create(file, CaptureFormat.PCAPNG, List.of("r-a", "r-b"))) {
            long nanos = 1_000_000_000L;
            for (byte[] packet : List.of(tsoV4, tsoV6, bigTcpV4)) {
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
        assertEquals(2, result.coalesced());
        assertEquals(1, result.skipped().get(SkipReason.LONGER_THAN_MTU), "the BIG TCP packet");
        List<CapturedPacket> sent = sentOnA(OffloadMode.OFF);
        int segments = SegmentsOf.check(forwarded(tsoV4), sent, 1500) + SegmentsOf.check(forwarded(tsoV6), sent, 1500);
        // 39,948 payload bytes in 1,448-byte segments (1,500 - 20 - 32), 29,928 in 1,428-byte ones (1,500 - 40 - 32).
        assertEquals(28 + 21, segments);
        assertEquals(segments, sent.size());
        assertEquals(segments, result.ip().segmentsCreated());
    }

    @Test
    void underThroughputTheTsoPacketsLeaveWholeWithLso() throws Exception {
        ReplayResult result = replay(OffloadMode.THROUGHPUT);

        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        assertEquals(2, result.ip().largeSends());
        List<CapturedPacket> sent = sentOnA(OffloadMode.THROUGHPUT);
        assertEquals(2, sent.size());
        assertArrayEquals(forwarded(tsoV4), sent.get(0).data());
        assertArrayEquals(forwarded(tsoV6), sent.get(1).data());
    }
}
