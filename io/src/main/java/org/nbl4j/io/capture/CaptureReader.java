package org.nbl4j.io.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the IP packets of a pcap or pcapng file, one at a time, either straight into memory the caller owns
 * ({@link #readInto}, which allocates nothing) or as {@link CapturedPacket} records ({@link #next}).
 *
 * <p>Link-layer headers are stripped (see {@link LinkType}); frames that carry no IP packet, or come from an interface
 * whose link type nbl4j cannot decode, are skipped and counted in {@link #skippedFrames()}. Ethernet and Linux cooked
 * frames are cut to the length that the IP header gives, so that Ethernet padding and a frame check sequence do not
 * reach the stack. A truncated or corrupt file raises {@link CaptureFormatException}; no length read from the file
 * makes the reader buffer more than {@link CaptureInput#MAX_RECORD} bytes.
 */
public abstract sealed class CaptureReader implements AutoCloseable permits PcapReader, PcapngReader {
    private static final ValueLayout.OfShort NETWORK_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int IPV6_HEADER = 40;
    private static final int HOP_BY_HOP = 0;
    private static final int TCP = 6;
    /** The most a 16-bit length field gives: IPv4's Total Length, IPv6's Payload Length. */
    private static final int MAXIMUM_IP_LENGTH = 0xFFFF;

    final CaptureInput input;
    final List<CaptureInterface> interfaces = new ArrayList<>();
    private final List<CaptureInterface> interfacesView = Collections.unmodifiableList(interfaces);
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[CaptureInput.MAX_PACKET]);
    // Set by nextFrame: where the frame lies in the buffered record and what the record says of it.
    int frameStart;
    int frameCaptured;
    int frameOriginal;
    int frameInterfaceId;
    long frameTimestampNanos;
    int recordLength;

    private long skippedFrames;
    private int interfaceId;
    private long timestampNanos;
    private int originalLength;

    CaptureReader(CaptureInput input) {
        this.input = input;
    }

    /** Opens a capture file, telling pcap from pcapng by its first four bytes. */
    public static CaptureReader open(Path file) throws IOException {
        return open(FileChannel.open(file, StandardOpenOption.READ));
    }

    /**
     * Reads a capture from a channel (a file, a pipe from {@code tcpdump -w -}), telling pcap from pcapng by its first
     * four bytes. The reader owns the channel and closes it.
     */
    public static CaptureReader open(ReadableByteChannel channel) throws IOException {
        CaptureInput input = new CaptureInput(channel);
        try {
            input.require(4, "file header", 0, 0);
            input.order(ByteOrder.BIG_ENDIAN);
            int magic = input.intAt(0);
            if (magic == PcapngReader.SECTION_HEADER_BLOCK) {
                return new PcapngReader(input);
            }
            if (PcapReader.isMagic(magic)) {
                return new PcapReader(input);
            }
            throw new CaptureFormatException("not a pcap or pcapng file: magic 0x" + Integer.toHexString(magic), 0, 0);
        } catch (IOException | RuntimeException e) {
            input.close();
            throw e;
        }
    }

    /** Which format the file is in. */
    public abstract CaptureFormat format();

    /**
     * The interfaces described so far (pcapng describes them as it goes; a pcap file has one). Indexed by
     * {@link CaptureInterface#id()}.
     */
    public List<CaptureInterface> interfaces() {
        return interfacesView;
    }

    /**
     * Reads the next IP packet into {@code destination}, from its offset 0. Returns the packet's captured length, or
     * -1 at the end of the file. Like {@code recv} with {@code MSG_TRUNC}, a packet longer than the destination is
     * copied only as far as it fits and its full length is returned: the caller sees the loss. Afterwards
     * {@link #interfaceId()}, {@link #timestampNanos()} and {@link #originalLength()} describe this packet.
     */
    public int readInto(MemorySegment destination) throws IOException {
        while (nextFrame()) {
            int start = input.position() + frameStart;
            CaptureInterface frameInterface = interfaces.get(frameInterfaceId);
            LinkType linkType = frameInterface.decodedLinkType();
            int header = linkType == null ? -1 : linkType.ipOffset(input.memory(), start, frameCaptured);
            if (header < 0) {
                skippedFrames++;
                input.consume(recordLength);
                continue;
            }
            int captured = frameCaptured - header;
            int original = Math.max(frameOriginal - header, captured);
            if (linkType.mayPad()) {
                int ipLength = ipTotalLength(start + header, captured);
                if (ipLength >= 0 && ipLength < original) {
                    original = ipLength;
                    captured = Math.min(captured, ipLength);
                }
            }
            MemorySegment.copy(
                    input.memory(), start + header, destination, 0, Math.min(captured, destination.byteSize()));
            interfaceId = frameInterfaceId;
            timestampNanos = frameTimestampNanos;
            originalLength = original;
            input.consume(recordLength);
            return captured;
        }
        return -1;
    }

    /** Reads the next IP packet onto the heap, or returns null at the end of the file. */
    public @Nullable CapturedPacket next() throws IOException {
        int length = readInto(scratch);
        if (length < 0) {
            return null;
        }
        return new CapturedPacket(
                interfaceId,
                timestampNanos,
                originalLength,
                scratch.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }

    /** Reads every remaining IP packet onto the heap. */
    public List<CapturedPacket> readAll() throws IOException {
        List<CapturedPacket> packets = new ArrayList<>();
        for (CapturedPacket packet = next(); packet != null; packet = next()) {
            packets.add(packet);
        }
        return packets;
    }

    /** The interface of the packet last read. */
    public int interfaceId() {
        return interfaceId;
    }

    /** The capture time of the packet last read, in nanoseconds since the epoch. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** The length on the wire of the IP packet last read. */
    public int originalLength() {
        return originalLength;
    }

    /** How many frames were passed over because they carried no IP packet nbl4j could take out. */
    public long skippedFrames() {
        return skippedFrames;
    }

    @Override
    public void close() throws IOException {
        input.close();
    }

    /**
     * Buffers the next record that holds a frame and sets the frame fields, consuming every record before it that
     * holds none; false at the end of the file. The caller consumes {@link #recordLength} bytes once done.
     */
    abstract boolean nextFrame() throws IOException;

    /** The length the IP header gives for the whole packet, or -1 when the header is cut short or says nothing. */
    private int ipTotalLength(int at, int captured) {
        if (captured < 1) {
            return -1;
        }
        int version = (input.memory().get(ValueLayout.JAVA_BYTE, at) >> 4) & 0xF;
        if (version == 4 && captured >= 4) {
            int total = Short.toUnsignedInt(input.memory().get(NETWORK_SHORT, at + 2));
            // Total Length 0 in a frame longer than any IPv4 packet is a BIG TCP packet (Linux's GSO and GRO beyond
            // 64 KiB), whose length only the frame gives: leave it whole.
            return total == 0 && captured > MAXIMUM_IP_LENGTH ? -1 : total;
        }
        if (version == 6 && captured >= 7) {
            int payload = Short.toUnsignedInt(input.memory().get(NETWORK_SHORT, at + 4));
            int next = input.memory().get(ValueLayout.JAVA_BYTE, at + 6);
            // A zero payload length before a hop-by-hop header announces a jumbogram (RFC 2675), whose length is in
            // an option; before TCP in a frame longer than any other IPv6 packet, a BIG TCP packet without that
            // option. Either is left whole.
            boolean jumbo = next == HOP_BY_HOP || next == TCP && captured > IPV6_HEADER + MAXIMUM_IP_LENGTH;
            return payload == 0 && jumbo ? -1 : IPV6_HEADER + payload;
        }
        return -1;
    }
}
