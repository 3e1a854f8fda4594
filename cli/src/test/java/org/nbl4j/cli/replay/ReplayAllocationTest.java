package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.stack.ip.OffloadMode;

/**
 * The replay loop allocates nothing per packet: replaying five times as many packets (with the verifier off, whose
 * sampled tracking would allocate, and with output files) must cost the replaying thread almost no more heap.
 *
 * <p>The bound is measurement noise only: the replay's own code (capture reading, the loop, the output files) and the
 * router's per-packet poll allocate nothing ({@code Router.pollAll} walks its adapters by index, because a for-each
 * iterator, 32 bytes, was not always scalar-replaced by C2).
 * A {@code byte[]} copy of each packet (540 bytes) exceeds it, and so does a second object per packet next to the
 * iterator.
 */
class ReplayAllocationTest {
    /** Measurement noise per packet (JIT and JFR bookkeeping on the replaying thread). */
    private static final long STACK_ALLOWANCE = 8;

    @TempDir
    Path directory;

    /** An IPv4 UDP datagram from host A's side to host B's side, header checksum filled in. */
    private static byte[] datagram(int sequence) {
        byte[] packet = new byte[28 + 512];
        packet[0] = 0x45;
        packet[2] = (byte) (packet.length >> 8);
        packet[3] = (byte) packet.length;
        packet[4] = (byte) (sequence >> 8);
        packet[5] = (byte) sequence;
        packet[8] = 64;
        packet[9] = 17;
        byte[] source = {(byte) 192, 0, 2, 2};
        byte[] destination = {(byte) 198, 51, 100, 2};
        System.arraycopy(source, 0, packet, 12, 4);
        System.arraycopy(destination, 0, packet, 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        int checksum = ~sum & 0xFFFF;
        packet[10] = (byte) (checksum >> 8);
        packet[11] = (byte) checksum;
        packet[20] = 0x30; // source port 12345, destination port 9999, no UDP checksum
        packet[21] = 0x39;
        packet[22] = 0x27;
        packet[23] = 0x0F;
        packet[24] = 0;
        packet[25] = (byte) (packet.length - 20);
        return packet;
    }

    /**
     * A TSO packet from host A's side to host B's side: IPv4, TCP with a timestamp option, 2,900 payload bytes (three
     * 1,448-byte segments at most), the checksum field holding the pseudo-header sum as Linux leaves it.
     */
    private static byte[] superPacket(int sequence) {
        byte[] packet = new byte[20 + 32 + 2900];
        ByteBuffer b = ByteBuffer.wrap(packet);
        b.put(0, (byte) 0x45).putShort(2, (short) packet.length).putShort(4, (short) sequence);
        b.putShort(6, (short) 0x4000).put(8, (byte) 64).put(9, (byte) 6);
        b.put(12, new byte[] {(byte) 192, 0, 2, 2}).put(16, new byte[] {(byte) 198, 51, 100, 2});
        b.putShort(10, (short) ~fold(words(packet, 0, 20)));
        b.putShort(20, (short) 40000).putShort(22, (short) 8080).putInt(24, sequence * 2900);
        b.put(32, (byte) 0x80).put(33, (byte) 0x10).putInt(40, 0x0101_080a);
        b.putShort(36, (short) fold(words(packet, 12, 8) + packet.length - 20 + 6));
        return packet;
    }

    private static long words(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((data[from + i] & 0xFF) << 8) | (data[from + i + 1] & 0xFF);
        }
        return sum;
    }

    private static int fold(long sum) {
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    private Path capture(String name, int packets, IntFunction<byte[]> packetNumber) throws Exception {
        Path file = directory.resolve(name);
        try (CaptureWriter writer = CaptureWriter.create(file, CaptureFormat.PCAPNG, List.of("r-a"))) {
            for (int i = 0; i < packets; i++) {
                byte[] packet = packetNumber.apply(i);
                writer.write(
                        0, 1_000_000_000L * 1_700_000_000L + i * 1000L, packet.length, MemorySegment.ofArray(packet));
            }
        }
        return file;
    }

    private long allocatedByReplay(Path file, int expectedForwarded, OffloadMode mode) throws Exception {
        RouterConfig config = new ConfigParser().option("verifier", "off").build();
        ReplayEngine engine = new ReplayEngine(config, PacketSelection.ARRIVING, mode);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ReplayResult result = engine.replay(new CaptureSource(file), directory.resolve("out"), ReplayObserver.NONE);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(expectedForwarded, result.ip().forwarded());
        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        return allocated;
    }

    @Test
    void fiveTimesThePacketsCostNoMoreHeap() throws Exception {
        int few = 20_000;
        int many = 100_000;
        Path small = capture("small.pcapng", few, ReplayAllocationTest::datagram);
        Path large = capture("large.pcapng", many, ReplayAllocationTest::datagram);
        allocatedByReplay(small, few, OffloadMode.OFF); // warm up: JIT, class loading, first-use paths
        long smallBytes = allocatedByReplay(small, few, OffloadMode.OFF);
        long largeBytes = allocatedByReplay(large, many, OffloadMode.OFF);
        long perExtraPacket = (largeBytes - smallBytes) / (many - few);
        assertTrue(
                perExtraPacket < STACK_ALLOWANCE,
                "replay allocates per packet: " + smallBytes + " B for " + few + " packets, " + largeBytes + " B for "
                        + many);
    }

    @Test
    void coalescedPacketsForwardedWithLsoCostNoMoreHeapEither() throws Exception {
        int few = 2_000;
        int many = 10_000;
        Path small = capture("tso-small.pcapng", few, ReplayAllocationTest::superPacket);
        Path large = capture("tso-large.pcapng", many, ReplayAllocationTest::superPacket);
        allocatedByReplay(small, few, OffloadMode.THROUGHPUT);
        long smallBytes = allocatedByReplay(small, few, OffloadMode.THROUGHPUT);
        long largeBytes = allocatedByReplay(large, many, OffloadMode.THROUGHPUT);
        long perExtraPacket = (largeBytes - smallBytes) / (many - few);
        assertTrue(
                perExtraPacket < STACK_ALLOWANCE,
                "replaying coalesced packets allocates per packet: " + smallBytes + " B for " + few + ", " + largeBytes
                        + " B for " + many);
    }
}
