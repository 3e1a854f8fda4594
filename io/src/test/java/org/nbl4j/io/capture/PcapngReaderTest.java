package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PcapngReaderTest {
    private static final byte[] ECHO_V4 = TestPackets.echoV4(1, new byte[] {1, 2, 3});
    private static final byte[] ECHO_V6 = TestPackets.echoV6(2, new byte[] {4, 5, 6, 7, 8});

    @ParameterizedTest
    @ValueSource(strings = {"big", "little"})
    void readsInterfacesAndEnhancedPacketsInEitherByteOrder(String byteOrder) throws IOException {
        ByteOrder order = byteOrder.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] file = new CaptureFileBuilder(order)
                .sectionHeader()
                .interfaceBlock(101, 0, "tun0", -1, 0)
                .interfaceBlock(1, 1514, "eth1", 9, 0)
                .enhancedPacket(0, 1_700_000_000_000_001L, ECHO_V4, ECHO_V4.length)
                .enhancedPacket(1, 1_700_000_000_000_000_002L, TestPackets.ethernet(0x86DD, 0, ECHO_V6), 14 + 45)
                .toByteArray();
        try (CaptureReader reader = Captures.reader(file)) {
            assertEquals(CaptureFormat.PCAPNG, reader.format());
            assertEquals(
                    List.of(
                            new CapturedPacket(0, 1_700_000_000_000_001_000L, ECHO_V4.length, ECHO_V4),
                            new CapturedPacket(1, 1_700_000_000_000_000_002L, ECHO_V6.length, ECHO_V6)),
                    reader.readAll());
            assertEquals(
                    List.of(
                            new CaptureInterface(0, 101, 0, "tun0", (byte) 6, 0),
                            new CaptureInterface(1, 1, 1514, "eth1", (byte) 9, 0)),
                    reader.interfaces());
        }
    }

    @Test
    void convertsEveryTimestampResolutionAndOffset() throws IOException {
        byte[] file = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .sectionHeader()
                .interfaceBlock(101, 0, "", 3, 0) // milliseconds
                .interfaceBlock(101, 0, "", 12, 0) // picoseconds
                .interfaceBlock(101, 0, "", 0x80 | 10, 0) // 1/1024 s
                .interfaceBlock(101, 0, "", 0x80 | 40, 0) // 2^-40 s
                .interfaceBlock(101, 0, "", 6, 100) // microseconds, 100 s later
                .enhancedPacket(0, 1_500, ECHO_V4, ECHO_V4.length)
                .enhancedPacket(1, 2_000_123_456_789L, ECHO_V4, ECHO_V4.length)
                .enhancedPacket(2, 3 * 1024 + 512, ECHO_V4, ECHO_V4.length)
                .enhancedPacket(3, (5L << 40) + (1L << 38), ECHO_V4, ECHO_V4.length)
                .enhancedPacket(4, 7, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        List<Long> timestamps = Captures.readAll(file).stream()
                .map(CapturedPacket::timestampNanos)
                .toList();
        assertEquals(
                List.of(1_500_000_000L, 2_000_123_456L, 3_500_000_000L, 5_250_000_000L, 100_000_007_000L), timestamps);
    }

    @Test
    void readsSimplePacketsAndSkipsObsoleteAndUnknownBlocks() throws IOException {
        byte[] big = TestPackets.echoV6(3, new byte[300]);
        byte[] file = new CaptureFileBuilder(ByteOrder.BIG_ENDIAN)
                .sectionHeader()
                .opaqueBlock(0x0000_0BAD, 44) // a custom block before any interface
                .interfaceBlock(229, 128, "", 9, 0)
                .opaqueBlock(2, 40) // obsolete packet block
                .opaqueBlock(5, 20) // interface statistics
                .simplePacket(java.util.Arrays.copyOf(big, 128), big.length)
                .simplePacket(ECHO_V6, ECHO_V6.length)
                .toByteArray();
        List<CapturedPacket> packets = Captures.readAll(file);
        assertEquals(
                List.of(
                        new CapturedPacket(0, 0, big.length, java.util.Arrays.copyOf(big, 128)),
                        new CapturedPacket(0, 0, ECHO_V6.length, ECHO_V6)),
                packets);
    }

    @Test
    void interfaceIdsStayUniqueAcrossSections() throws IOException {
        byte[] first = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .sectionHeader()
                .interfaceBlock(101, 0, "a", 9, 0)
                .interfaceBlock(101, 0, "b", 9, 0)
                .enhancedPacket(1, 10, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        byte[] second = new CaptureFileBuilder(ByteOrder.BIG_ENDIAN)
                .sectionHeader()
                .interfaceBlock(228, 0, "c", 9, 0)
                .enhancedPacket(0, 20, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        byte[] file = new CaptureFileBuilder(ByteOrder.BIG_ENDIAN)
                .raw(first)
                .raw(second)
                .toByteArray();
        try (CaptureReader reader = Captures.reader(file)) {
            assertEquals(
                    List.of(
                            new CapturedPacket(1, 10, ECHO_V4.length, ECHO_V4),
                            new CapturedPacket(2, 20, ECHO_V4.length, ECHO_V4)),
                    reader.readAll());
            assertEquals(
                    List.of("a", "b", "c"),
                    reader.interfaces().stream().map(CaptureInterface::name).toList());
        }
    }
}
