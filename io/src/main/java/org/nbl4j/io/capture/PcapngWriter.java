package org.nbl4j.io.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a pcapng file of one section: a Section Header Block, one Interface Description Block per interface name
 * (raw IP, {@code if_name}, {@code if_tsresol} = 9 for nanoseconds), then one Enhanced Packet Block per packet.
 */
final class PcapngWriter extends CaptureWriter {
    private static final int OPTION_SHB_USERAPPL = 4;
    private static final int ENHANCED_PACKET_OVERHEAD = 32;
    private static final byte[] APPLICATION = "nbl4j".getBytes(StandardCharsets.UTF_8);

    private final int interfaceCount;

    PcapngWriter(WritableByteChannel channel, List<String> interfaceNames) throws IOException {
        super(channel);
        if (interfaceNames.isEmpty()) {
            throw new IllegalArgumentException("a pcapng file needs at least one interface");
        }
        interfaceCount = interfaceNames.size();
        writeSectionHeader();
        for (String name : interfaceNames) {
            writeInterface(name.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void writeSectionHeader() {
        int length = 28 + option(APPLICATION.length) + 4;
        buffer.putInt(PcapngReader.SECTION_HEADER_BLOCK).putInt(length);
        buffer.putInt(PcapngReader.BYTE_ORDER_MAGIC);
        buffer.putShort((short) 1).putShort((short) 0);
        buffer.putLong(-1); // section length not given: the writer does not seek back
        putOption(OPTION_SHB_USERAPPL, APPLICATION);
        buffer.putInt(PcapngReader.OPTION_END).putInt(length);
    }

    private void writeInterface(byte[] name) throws IOException {
        if (name.length > 0xFFFF) {
            throw new IllegalArgumentException("an interface name of " + name.length + " bytes is too long");
        }
        int length = 20 + (name.length == 0 ? 0 : option(name.length)) + option(1) + 4;
        reserve(length);
        buffer.putInt(PcapngReader.INTERFACE_DESCRIPTION_BLOCK).putInt(length);
        buffer.putShort((short) LinkType.RAW.value()).putShort((short) 0);
        buffer.putInt(CaptureInput.MAX_PACKET);
        if (name.length > 0) {
            putOption(PcapngReader.OPTION_IF_NAME, name);
        }
        putOption(PcapngReader.OPTION_IF_TSRESOL, new byte[] {CaptureInterface.NANOSECONDS});
        buffer.putInt(PcapngReader.OPTION_END).putInt(length);
    }

    @Override
    public void write(int interfaceId, long timestampNanos, int originalLength, MemorySegment packet)
            throws IOException {
        checkPacket(timestampNanos, originalLength, packet);
        if (interfaceId < 0 || interfaceId >= interfaceCount) {
            throw new IllegalArgumentException(
                    "interface " + interfaceId + " is not one of the file's " + interfaceCount + " interfaces");
        }
        int captured = (int) packet.byteSize();
        int length = ENHANCED_PACKET_OVERHEAD + ((captured + 3) & ~3);
        reserve(length);
        buffer.putInt(PcapngReader.ENHANCED_PACKET_BLOCK).putInt(length);
        buffer.putInt(interfaceId);
        buffer.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        buffer.putInt(captured).putInt(originalLength);
        putPadded(packet, 4);
        buffer.putInt(length);
    }

    /** The bytes an option with a value of {@code valueLength} bytes takes, padding included. */
    private static int option(int valueLength) {
        return 4 + ((valueLength + 3) & ~3);
    }

    private void putOption(int code, byte[] value) {
        buffer.putShort((short) code).putShort((short) value.length);
        putPadded(MemorySegment.ofArray(value), 4);
    }
}
