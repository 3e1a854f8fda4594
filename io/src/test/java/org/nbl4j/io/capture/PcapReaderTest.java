package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PcapReaderTest {
    private static final byte[] ECHO_V4 = TestPackets.echoV4(1, new byte[] {1, 2, 3});
    private static final byte[] ECHO_V6 = TestPackets.echoV6(2, new byte[] {4, 5, 6, 7, 8});

    private static ByteOrder order(String name) {
        return name.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    @ParameterizedTest
    @ValueSource(strings = {"big", "little"})
    void readsMicrosecondFilesInEitherByteOrder(String byteOrder) throws IOException {
        byte[] file = new CaptureFileBuilder(order(byteOrder))
                .pcapHeader(false, 65535, 101)
                .pcapRecord(1_700_000_000L, 123_456, ECHO_V4, ECHO_V4.length)
                .pcapRecord(1_700_000_001L, 999_999, ECHO_V6, ECHO_V6.length)
                .toByteArray();
        try (CaptureReader reader = Captures.reader(file)) {
            assertEquals(CaptureFormat.PCAP, reader.format());
            assertEquals(List.of(new CaptureInterface(0, 101, 65535, "", (byte) 6, 0)), reader.interfaces());
            assertEquals(
                    List.of(
                            new CapturedPacket(0, 1_700_000_000_123_456_000L, ECHO_V4.length, ECHO_V4),
                            new CapturedPacket(0, 1_700_000_001_999_999_000L, ECHO_V6.length, ECHO_V6)),
                    reader.readAll());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"big", "little"})
    void readsNanosecondFilesInEitherByteOrder(String byteOrder) throws IOException {
        byte[] file = new CaptureFileBuilder(order(byteOrder))
                .pcapHeader(true, 65535, 228)
                .pcapRecord(0xF000_0000L, 999_999_999, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        // The seconds field is unsigned: 0xF0000000 is in 2097, not before 1970.
        assertEquals(
                List.of(new CapturedPacket(0, 0xF000_0000L * 1_000_000_000L + 999_999_999, ECHO_V4.length, ECHO_V4)),
                Captures.readAll(file));
    }

    @Test
    void linkTypeIpv6DeliversFramesAsTheyAre() throws IOException {
        byte[] file = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(true, 65535, 229)
                .pcapRecord(5, 6, ECHO_V6, ECHO_V6.length)
                .toByteArray();
        assertEquals(List.of(new CapturedPacket(0, 5_000_000_006L, ECHO_V6.length, ECHO_V6)), Captures.readAll(file));
    }

    @Test
    void stripsEthernetAndVlanTagsAndSkipsOtherEthertypes() throws IOException {
        byte[] arp = TestPackets.ethernet(0x0806, 0, new byte[28]);
        byte[] file = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 65535, 1)
                .pcapRecord(1, 0, TestPackets.ethernet(0x0800, 0, ECHO_V4), 60)
                .pcapRecord(2, 0, arp, arp.length)
                .pcapRecord(3, 0, TestPackets.ethernet(0x86DD, 1, ECHO_V6), 18 + ECHO_V6.length)
                .pcapRecord(4, 0, TestPackets.ethernet(0x0800, 2, ECHO_V4), 60)
                .pcapRecord(5, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12)
                .toByteArray();
        try (CaptureReader reader = Captures.reader(file)) {
            // Ethernet pads the 31-byte v4 echo to 60 bytes: the padding is not part of the IP packet.
            assertEquals(
                    List.of(
                            new CapturedPacket(0, 1_000_000_000L, ECHO_V4.length, ECHO_V4),
                            new CapturedPacket(0, 3_000_000_000L, ECHO_V6.length, ECHO_V6),
                            new CapturedPacket(0, 4_000_000_000L, ECHO_V4.length, ECHO_V4)),
                    reader.readAll());
            assertEquals(2, reader.skippedFrames(), "the ARP frame and the runt frame");
        }
    }

    /**
     * A BIG TCP packet's IP header gives no length (IPv4 Total Length 0, IPv6 Payload Length 0 before TCP or the
     * hop-by-hop jumbo option): cutting its Ethernet frame to that length would lose it, so it is read whole.
     */
    @Test
    void bigTcpPacketsInEthernetFramesAreReadWhole() throws IOException {
        byte[] v4 = new byte[70_000];
        v4[0] = 0x45;
        v4[9] = 6;
        byte[] v6 = new byte[80_000];
        v6[0] = 0x60;
        v6[6] = 6;
        byte[] jumbo = new byte[90_000];
        jumbo[0] = 0x60;
        jumbo[6] = 0;
        byte[] file = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 262144, 1)
                .pcapRecord(1, 0, TestPackets.ethernet(0x0800, 0, v4), 14 + v4.length)
                .pcapRecord(2, 0, TestPackets.ethernet(0x86DD, 0, v6), 14 + v6.length)
                .pcapRecord(3, 0, TestPackets.ethernet(0x86DD, 0, jumbo), 14 + jumbo.length)
                .toByteArray();
        List<CapturedPacket> packets = Captures.readAll(file);
        assertEquals(3, packets.size());
        assertArrayEquals(v4, packets.get(0).data());
        assertArrayEquals(v6, packets.get(1).data());
        assertArrayEquals(jumbo, packets.get(2).data());
    }

    @Test
    void readsLinuxCookedCapturesOfBothVersions() throws IOException {
        byte[] sll = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 262144, 113)
                .pcapRecord(1, 0, TestPackets.linuxSll(ECHO_V4), 16 + ECHO_V4.length)
                .toByteArray();
        byte[] sll2 = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 262144, 276)
                .pcapRecord(1, 0, TestPackets.linuxSll2(ECHO_V6), 20 + ECHO_V6.length)
                .toByteArray();
        assertEquals(List.of(new CapturedPacket(0, 1_000_000_000L, ECHO_V4.length, ECHO_V4)), Captures.readAll(sll));
        assertEquals(List.of(new CapturedPacket(0, 1_000_000_000L, ECHO_V6.length, ECHO_V6)), Captures.readAll(sll2));
    }

    @Test
    void aSnapshotCutShortKeepsTheOriginalLength() throws IOException {
        byte[] big = TestPackets.echoV4(3, new byte[1000]);
        byte[] frame = TestPackets.ethernet(0x0800, 0, big);
        byte[] file = new CaptureFileBuilder(ByteOrder.BIG_ENDIAN)
                .pcapHeader(false, 96, 1)
                .pcapRecord(1, 0, java.util.Arrays.copyOf(frame, 96), frame.length)
                .toByteArray();
        List<CapturedPacket> packets = Captures.readAll(file);
        assertEquals(1, packets.size());
        assertEquals(big.length, packets.getFirst().originalLength());
        assertArrayEquals(java.util.Arrays.copyOf(big, 82), packets.getFirst().data());
    }

    @Test
    void rawFramesThatAreNotIpAndUnknownLinkTypesAreSkipped() throws IOException {
        byte[] raw = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 65535, 101)
                .pcapRecord(1, 0, new byte[] {0x10, 0, 0, 0}, 4)
                .pcapRecord(1, 0, new byte[0], 0)
                .toByteArray();
        byte[] bluetooth = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 65535, 187)
                .pcapRecord(1, 0, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        for (byte[] file : List.of(raw, bluetooth)) {
            try (CaptureReader reader = Captures.reader(file)) {
                assertNull(reader.next());
                assertEquals(file == raw ? 2 : 1, reader.skippedFrames());
            }
        }
    }
}
