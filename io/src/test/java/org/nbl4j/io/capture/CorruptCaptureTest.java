package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Truncated and corrupt files name the record and the byte offset where reading stopped. */
class CorruptCaptureTest {
    private static final byte[] ECHO_V4 = TestPackets.echoV4(1, new byte[] {1, 2, 3});

    private static CaptureFormatException failure(byte[] file) {
        return assertThrows(CaptureFormatException.class, () -> Captures.readAll(file));
    }

    private static void assertFailure(byte[] file, long record, long offset, String problem) {
        CaptureFormatException failure = failure(file);
        assertEquals(record, failure.recordNumber(), failure.getMessage());
        assertEquals(offset, failure.byteOffset(), failure.getMessage());
        assertTrue(failure.getMessage().contains(problem), failure.getMessage());
    }

    private static CaptureFileBuilder pcap() {
        return new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN).pcapHeader(false, 65535, 101);
    }

    private static CaptureFileBuilder pcapng() {
        return new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader().interfaceBlock(101, 0, "x", 9, 0);
    }

    @Test
    void emptyFileAndBadMagic() {
        assertFailure(new byte[0], 0, 0, "truncated file header");
        assertFailure(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 0, "not a pcap or pcapng file: magic 0x1020304");
    }

    @Test
    void truncatedPcapFileHeader() {
        assertFailure(Arrays.copyOf(pcap().toByteArray(), 10), 0, 0, "truncated file header");
    }

    @Test
    void unsupportedPcapVersion() {
        byte[] file = pcap().toByteArray();
        file[4] = 1;
        assertFailure(file, 0, 0, "unsupported pcap version 1.4");
    }

    @Test
    void truncatedPcapRecordHeaderAndRecord() {
        byte[] whole = pcap().pcapRecord(1, 0, ECHO_V4, ECHO_V4.length)
                .pcapRecord(2, 0, ECHO_V4, ECHO_V4.length)
                .toByteArray();
        int second = 24 + 16 + ECHO_V4.length;
        assertFailure(Arrays.copyOf(whole, second + 8), 2, second, "truncated record header");
        assertFailure(Arrays.copyOf(whole, whole.length - 1), 2, second, "truncated record");
    }

    @Test
    void crazyCapturedLengthIsRefusedBeforeAnythingIsBuffered() {
        byte[] file = pcap().pcapRecord(1, 0, ECHO_V4, ECHO_V4.length)
                .rawInt(1)
                .rawInt(0)
                .rawInt(0x7FFF_FFFF)
                .rawInt(0x7FFF_FFFF)
                .toByteArray();
        assertFailure(file, 2, 24 + 16 + ECHO_V4.length, "captured length 2147483647 exceeds the limit of 262144");
        byte[] negative = pcap().rawInt(1).rawInt(0).rawInt(-1).rawInt(-1).toByteArray();
        assertFailure(negative, 1, 24, "captured length 4294967295 exceeds the limit");
    }

    @Test
    void badByteOrderMagic() {
        byte[] file = pcapng().toByteArray();
        file[8] = 0x55;
        assertFailure(file, 1, 0, "bad byte-order magic");
    }

    @Test
    void badBlockLengths() {
        int packets = pcapng().toByteArray().length;
        byte[] good = pcapng().enhancedPacket(0, 1, ECHO_V4, ECHO_V4.length).toByteArray();

        byte[] notAMultipleOfFour = good.clone();
        notAMultipleOfFour[packets + 4] += 1;
        assertFailure(notAMultipleOfFour, 3, packets, "bad block length");

        byte[] tooShort = pcapng().rawInt(6).rawInt(8).toByteArray();
        assertFailure(tooShort, 3, packets, "bad block length 8");

        byte[] trailingDiffers = good.clone();
        trailingDiffers[good.length - 4] += 4;
        assertFailure(trailingDiffers, 3, packets, "at the end");

        byte[] tooShortForItsType =
                pcapng().rawInt(6).rawInt(16).rawInt(0).rawInt(16).toByteArray();
        assertFailure(tooShortForItsType, 3, packets, "bad block length 16 for enhanced packet block");
    }

    @Test
    void truncatedBlocks() {
        byte[] good = pcapng().enhancedPacket(0, 1, ECHO_V4, ECHO_V4.length).toByteArray();
        int packets = pcapng().toByteArray().length;
        assertFailure(Arrays.copyOf(good, good.length - 4), 3, packets, "truncated enhanced packet block");
        assertFailure(Arrays.copyOf(good, packets + 5), 3, packets, "truncated block header");
        byte[] unknown = pcapng().opaqueBlock(0x4000_0001, 400).toByteArray();
        assertFailure(Arrays.copyOf(unknown, unknown.length - 100), 3, packets, "truncated block");
    }

    @Test
    void hugeBlockLengthsAreRefusedOrSkippedWithoutBuffering() {
        int packets = pcapng().toByteArray().length;
        byte[] hugePacket =
                pcapng().rawInt(6).rawInt(0x7FFF_FFF0).raw(new byte[64]).toByteArray();
        assertFailure(hugePacket, 3, packets, "exceeds the limit");
        // An unknown block is skipped without being buffered, so a huge one only runs into the end of the file.
        byte[] hugeUnknown = pcapng().rawInt(0x4000_0001)
                .rawInt(0x7FFF_FFF0)
                .raw(new byte[64])
                .toByteArray();
        assertFailure(hugeUnknown, 3, packets, "truncated block");
    }

    @Test
    void packetsOnUndescribedInterfacesAndOverlongFields() {
        int packets = pcapng().toByteArray().length;
        assertFailure(
                pcapng().enhancedPacket(1, 1, ECHO_V4, ECHO_V4.length).toByteArray(),
                3,
                packets,
                "packet on interface 1 but the section describes 1");
        byte[] capturedTooLong =
                pcapng().enhancedPacket(0, 1, ECHO_V4, ECHO_V4.length).toByteArray();
        capturedTooLong[packets + 20] = (byte) 200;
        assertFailure(capturedTooLong, 3, packets, "captured length 200 runs past the end of the block");
        byte[] simpleWithoutInterface = new CaptureFileBuilder(ByteOrder.BIG_ENDIAN)
                .sectionHeader()
                .simplePacket(ECHO_V4, ECHO_V4.length)
                .toByteArray();
        assertFailure(simpleWithoutInterface, 2, 28, "but the section describes 0");
    }

    @Test
    void optionRunningPastItsBlock() {
        byte[] file = new CaptureFileBuilder(ByteOrder.LITTLE_ENDIAN)
                .sectionHeader()
                .interfaceBlock(101, 0, "eth0", 9, 0)
                .toByteArray();
        int interfaceBlock = 28; // after the 28-byte section header block
        // The first option (a comment) starts 16 bytes into the block: give it a length longer than the block.
        file[interfaceBlock + 18] = (byte) 0xF0;
        assertFailure(file, 2, interfaceBlock, "runs past the end of the block");
    }

    @Test
    void packetsBeforeTheCorruptionAreDelivered() throws Exception {
        byte[] file = pcap().pcapRecord(1, 0, ECHO_V4, ECHO_V4.length).rawInt(0).toByteArray();
        try (CaptureReader reader = Captures.reader(file)) {
            assertNotNull(reader.next());
            assertThrows(CaptureFormatException.class, reader::next);
        }
    }
}
