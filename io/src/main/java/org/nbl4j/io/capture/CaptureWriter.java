package org.nbl4j.io.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes IP packets to a pcap or pcapng file as raw IP frames ({@code LINKTYPE_RAW}) with nanosecond timestamps, in
 * little-endian byte order whatever the machine, through one fixed buffer: writing a packet allocates nothing.
 */
public abstract sealed class CaptureWriter implements AutoCloseable permits PcapWriter, PcapngWriter {
    static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final WritableByteChannel channel;
    final ByteBuffer buffer = ByteBuffer.allocateDirect(CaptureInput.MAX_RECORD).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment memory = MemorySegment.ofBuffer(buffer);

    CaptureWriter(WritableByteChannel channel) {
        this.channel = channel;
    }

    /**
     * Creates (or replaces) a capture file. A pcapng file gets one interface per name, in order, and its packets name
     * them by index; a pcap file has a single interface and ignores the names.
     */
    public static CaptureWriter create(Path file, CaptureFormat format, List<String> interfaceNames)
            throws IOException {
        FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return switch (format) {
                case PCAP -> new PcapWriter(channel);
                case PCAPNG -> new PcapngWriter(channel, interfaceNames);
            };
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Writes a pcap file to a channel, which the writer owns and closes. */
    public static CaptureWriter pcap(WritableByteChannel channel) throws IOException {
        return new PcapWriter(channel);
    }

    /** Writes a pcapng file with one interface per name to a channel, which the writer owns and closes. */
    public static CaptureWriter pcapng(WritableByteChannel channel, List<String> interfaceNames) throws IOException {
        return new PcapngWriter(channel, interfaceNames);
    }

    /**
     * Appends one IP packet.
     *
     * @param interfaceId the interface it was seen on: an index into the pcapng writer's names (a pcap file has one
     *     interface, so its writer ignores this)
     * @param timestampNanos nanoseconds since the epoch, not negative
     * @param originalLength its length on the wire, at least the length of {@code packet}
     * @param packet the bytes captured, from the IP header on, at most 262,144 of them
     */
    public abstract void write(int interfaceId, long timestampNanos, int originalLength, MemorySegment packet)
            throws IOException;

    /** Appends one packet read earlier. */
    public void write(CapturedPacket packet) throws IOException {
        write(packet.interfaceId(), packet.timestampNanos(), packet.originalLength(), packet.segment());
    }

    /** Hands everything written so far to the channel. */
    public void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Flushes and closes the channel. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }

    /** Checks what every format requires of a packet. */
    static void checkPacket(long timestampNanos, int originalLength, MemorySegment packet) {
        if (packet.byteSize() > CaptureInput.MAX_PACKET) {
            throw new IllegalArgumentException(
                    "a packet of " + packet.byteSize() + " bytes exceeds the limit of " + CaptureInput.MAX_PACKET);
        }
        if (originalLength < packet.byteSize()) {
            throw new IllegalArgumentException("original length " + originalLength + " is shorter than the "
                    + packet.byteSize() + " captured bytes");
        }
        if (timestampNanos < 0) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is before the epoch");
        }
    }

    /** Makes room for a record of {@code length} bytes, flushing what is buffered if needed. */
    void reserve(int length) throws IOException {
        if (buffer.remaining() < length) {
            flush();
        }
    }

    /** Appends a packet's bytes, then zeros up to the next multiple of {@code alignment}. */
    void putPadded(MemorySegment packet, int alignment) {
        int length = (int) packet.byteSize();
        MemorySegment.copy(packet, 0, memory, buffer.position(), length);
        buffer.position(buffer.position() + length);
        while (buffer.position() % alignment != 0) {
            buffer.put((byte) 0);
        }
    }
}
