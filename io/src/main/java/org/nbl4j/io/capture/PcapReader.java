package org.nbl4j.io.capture;

import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Reads a classic libpcap file: a 24-byte file header in the writer's byte order (microsecond magic
 * {@code 0xA1B2C3D4} or nanosecond magic {@code 0xA1B23C4D}), then 16-byte record headers each followed by a frame.
 */
final class PcapReader extends CaptureReader {
    static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;

    private final boolean nanoseconds;
    private long recordNumber;

    PcapReader(CaptureInput input) throws IOException {
        super(input);
        input.require(FILE_HEADER, "file header", 0, 0);
        int magic = input.intAt(0);
        if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
            input.order(ByteOrder.LITTLE_ENDIAN);
            magic = Integer.reverseBytes(magic);
        }
        nanoseconds = magic == MAGIC_NANOSECONDS;
        int major = input.unsignedShortAt(4);
        if (major != 2) {
            throw new CaptureFormatException(
                    "unsupported pcap version " + major + "." + input.unsignedShortAt(6), 0, 0);
        }
        int snapLength = input.intAt(16);
        // The top bits of the link type field carry the FCS length, not the link type.
        int linkType = input.intAt(20) & 0xFFFF;
        byte resolution = nanoseconds ? CaptureInterface.NANOSECONDS : CaptureInterface.MICROSECONDS;
        interfaces.add(new CaptureInterface(0, linkType, snapLength, "", resolution, 0));
        input.consume(FILE_HEADER);
    }

    static boolean isMagic(int bigEndianMagic) {
        return bigEndianMagic == MAGIC_MICROSECONDS
                || bigEndianMagic == MAGIC_NANOSECONDS
                || Integer.reverseBytes(bigEndianMagic) == MAGIC_MICROSECONDS
                || Integer.reverseBytes(bigEndianMagic) == MAGIC_NANOSECONDS;
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAP;
    }

    @Override
    boolean nextFrame() throws IOException {
        if (input.atEnd()) {
            return false;
        }
        recordNumber++;
        long recordOffset = input.offset();
        input.require(RECORD_HEADER, "record header", recordNumber, recordOffset);
        long seconds = Integer.toUnsignedLong(input.intAt(0));
        long fraction = Integer.toUnsignedLong(input.intAt(4));
        int captured = input.intAt(8);
        int original = input.intAt(12);
        if (captured < 0 || captured > CaptureInput.MAX_PACKET) {
            throw new CaptureFormatException(
                    "captured length " + Integer.toUnsignedString(captured) + " exceeds the limit of "
                            + CaptureInput.MAX_PACKET,
                    recordNumber,
                    recordOffset);
        }
        input.require(RECORD_HEADER + captured, "record", recordNumber, recordOffset);
        frameStart = RECORD_HEADER;
        frameCaptured = captured;
        // A writer that recorded an original length shorter than the capture (or a negative one) is not believed.
        frameOriginal = original < captured ? captured : original;
        frameInterfaceId = 0;
        frameTimestampNanos = seconds * 1_000_000_000L + (nanoseconds ? fraction : fraction * 1_000L);
        recordLength = RECORD_HEADER + captured;
        return true;
    }
}
