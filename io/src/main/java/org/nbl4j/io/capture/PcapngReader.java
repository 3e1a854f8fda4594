package org.nbl4j.io.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a pcapng file: sections that each start with a Section Header Block (in either byte order; its section length
 * is not needed, blocks are read in turn), Interface Description Blocks, and the packets of Enhanced and Simple Packet
 * Blocks. Obsolete Packet Blocks and block types nbl4j does not know are skipped by their length.
 */
final class PcapngReader extends CaptureReader {
    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int SIMPLE_PACKET_BLOCK = 3;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPTION_END = 0;
    static final int OPTION_IF_NAME = 2;
    static final int OPTION_IF_TSRESOL = 9;
    static final int OPTION_IF_TSOFFSET = 14;
    /** The block type, total length and trailing total length around every block body. */
    static final int BLOCK_FRAMING = 12;

    private static final int ENHANCED_PACKET_FIELDS = 28;
    private static final int SIMPLE_PACKET_FIELDS = 12;
    private static final int INTERFACE_DESCRIPTION_FIELDS = 16;

    private long blockNumber;
    private long blockOffset;
    /** The id of the current section's interface 0 among all the file's interfaces. */
    private int sectionFirstInterface;

    PcapngReader(CaptureInput input) {
        super(input);
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAPNG;
    }

    @Override
    boolean nextFrame() throws IOException {
        while (!input.atEnd()) {
            blockNumber++;
            blockOffset = input.offset();
            input.require(8, "block header", blockNumber, blockOffset);
            int type = input.intAt(0);
            if (type == SECTION_HEADER_BLOCK) {
                startSection();
            } else if (blockNumber == 1) {
                throw corrupt("the file does not start with a section header block");
            }
            int length = blockLength();
            switch (type) {
                case SECTION_HEADER_BLOCK -> readSectionHeader(length);
                case INTERFACE_DESCRIPTION_BLOCK -> readInterface(length);
                case ENHANCED_PACKET_BLOCK -> {
                    if (enhancedPacket(length)) {
                        return true;
                    }
                }
                case SIMPLE_PACKET_BLOCK -> {
                    if (simplePacket(length)) {
                        return true;
                    }
                }
                default -> {
                    // Obsolete Packet Blocks, statistics, name resolution, custom blocks: nothing the stack needs.
                    input.skip(length - 4, "block", blockNumber, blockOffset);
                    input.require(4, "block", blockNumber, blockOffset);
                    checkTrailingLength(length, 0);
                    input.consume(4);
                }
            }
        }
        return false;
    }

    /** Reads the byte-order magic, which decides how every later field of the section is read. */
    private void startSection() throws IOException {
        input.require(12, "section header block", blockNumber, blockOffset);
        input.order(ByteOrder.BIG_ENDIAN);
        int magic = input.intAt(8);
        if (magic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            input.order(ByteOrder.LITTLE_ENDIAN);
        } else if (magic != BYTE_ORDER_MAGIC) {
            throw corrupt("bad byte-order magic 0x" + Integer.toHexString(magic));
        }
    }

    private int blockLength() throws CaptureFormatException {
        int length = input.intAt(4);
        if (length < BLOCK_FRAMING || length % 4 != 0) {
            throw corrupt("bad block length " + Integer.toUnsignedString(length));
        }
        return length;
    }

    /** Buffers a block that is read field by field, refusing one too long to hold. */
    private void buffer(int length, int minimum, String what) throws IOException {
        if (length < minimum) {
            throw corrupt("bad block length " + length + " for " + what + " (at least " + minimum + ")");
        }
        if (length > CaptureInput.MAX_RECORD) {
            throw corrupt(what + " of " + length + " bytes exceeds the limit of " + CaptureInput.MAX_RECORD);
        }
        input.require(length, what, blockNumber, blockOffset);
        checkTrailingLength(length, length - 4);
    }

    private void checkTrailingLength(int length, int at) throws CaptureFormatException {
        int trailing = input.intAt(at);
        if (trailing != length) {
            throw corrupt("bad block length: " + length + " at the start, " + Integer.toUnsignedString(trailing)
                    + " at the end");
        }
    }

    private void readSectionHeader(int length) throws IOException {
        buffer(length, 28, "section header block");
        int major = input.unsignedShortAt(12);
        if (major != 1) {
            throw corrupt("unsupported pcapng version " + major + "." + input.unsignedShortAt(14));
        }
        sectionFirstInterface = interfaces.size();
        input.consume(length);
    }

    private void readInterface(int length) throws IOException {
        buffer(length, BLOCK_FRAMING + 8, "interface description block");
        int linkType = input.unsignedShortAt(8);
        int snapLength = input.intAt(12);
        String name = "";
        byte resolution = CaptureInterface.MICROSECONDS;
        long offsetSeconds = 0;
        int end = length - 4;
        int at = INTERFACE_DESCRIPTION_FIELDS;
        while (at + 4 <= end) {
            int code = input.unsignedShortAt(at);
            int valueLength = input.unsignedShortAt(at + 2);
            int value = at + 4;
            if (code == OPTION_END) {
                break;
            }
            if (value + valueLength > end) {
                throw corrupt("option " + code + " of " + valueLength + " bytes runs past the end of the block");
            }
            switch (code) {
                case OPTION_IF_NAME -> name = utf8(value, valueLength);
                case OPTION_IF_TSRESOL -> resolution = input.byteAt(value);
                case OPTION_IF_TSOFFSET -> offsetSeconds = valueLength == 8 ? input.longAt(value) : 0;
                default -> {
                    // Other options (description, addresses, speed, filter) change nothing nbl4j does.
                }
            }
            at = value + ((valueLength + 3) & ~3);
        }
        interfaces.add(new CaptureInterface(interfaces.size(), linkType, snapLength, name, resolution, offsetSeconds));
        input.consume(length);
    }

    private boolean enhancedPacket(int length) throws IOException {
        buffer(length, BLOCK_FRAMING + 20, "enhanced packet block");
        int interfaceId = sectionInterface(input.intAt(8));
        long units = (Integer.toUnsignedLong(input.intAt(12)) << 32) | Integer.toUnsignedLong(input.intAt(16));
        int captured = input.intAt(20);
        int original = input.intAt(24);
        if (captured < 0 || captured > length - ENHANCED_PACKET_FIELDS - 4) {
            throw corrupt("captured length " + Integer.toUnsignedString(captured) + " runs past the end of the block");
        }
        frame(ENHANCED_PACKET_FIELDS, captured, original, interfaceId, length);
        frameTimestampNanos = interfaces.get(interfaceId).toNanos(units);
        return true;
    }

    private boolean simplePacket(int length) throws IOException {
        buffer(length, BLOCK_FRAMING + 4, "simple packet block");
        int interfaceId = sectionInterface(0);
        int original = input.intAt(8);
        int snapLength = interfaces.get(interfaceId).snapLength();
        // The captured length is not stored: it is the original length, cut by the snapshot length and the block.
        long captured = Integer.toUnsignedLong(original);
        if (snapLength > 0) {
            captured = Math.min(captured, Integer.toUnsignedLong(snapLength));
        }
        captured = Math.min(captured, length - SIMPLE_PACKET_FIELDS - 4);
        frame(SIMPLE_PACKET_FIELDS, (int) captured, original, interfaceId, length);
        // A simple packet block has no timestamp.
        frameTimestampNanos = 0;
        return true;
    }

    private void frame(int start, int captured, int original, int interfaceId, int length)
            throws CaptureFormatException {
        if (captured > CaptureInput.MAX_PACKET) {
            throw corrupt("captured length " + captured + " exceeds the limit of " + CaptureInput.MAX_PACKET);
        }
        frameStart = start;
        frameCaptured = captured;
        frameOriginal = original < captured ? captured : original;
        frameInterfaceId = interfaceId;
        recordLength = length;
    }

    /** The file-wide id of the current section's interface {@code sectionId}, which must have been described. */
    private int sectionInterface(int sectionId) throws CaptureFormatException {
        int described = interfaces.size() - sectionFirstInterface;
        if (sectionId < 0 || sectionId >= described) {
            throw corrupt("packet on interface " + Integer.toUnsignedString(sectionId) + " but the section describes "
                    + described);
        }
        return sectionFirstInterface + sectionId;
    }

    private String utf8(int at, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = input.byteAt(at + i);
        }
        // The option may carry its C string terminator.
        int end = length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private CaptureFormatException corrupt(String problem) {
        return new CaptureFormatException(problem, blockNumber, blockOffset);
    }
}
