package org.nbl4j.io.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;

/** Writes a classic libpcap file with the nanosecond magic, so that nbl4j's timestamps keep their precision. */
final class PcapWriter extends CaptureWriter {
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    PcapWriter(WritableByteChannel channel) throws IOException {
        super(channel);
        buffer.putInt(PcapReader.MAGIC_NANOSECONDS);
        buffer.putShort((short) 2);
        buffer.putShort((short) 4);
        buffer.putInt(0); // thiszone: timestamps are UTC
        buffer.putInt(0); // sigfigs: always 0
        buffer.putInt(CaptureInput.MAX_PACKET);
        buffer.putInt(LinkType.RAW.value());
    }

    @Override
    public void write(int interfaceId, long timestampNanos, int originalLength, MemorySegment packet)
            throws IOException {
        checkPacket(timestampNanos, originalLength, packet);
        long seconds = timestampNanos / NANOS_PER_SECOND;
        if (seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is past what pcap can hold");
        }
        int length = (int) packet.byteSize();
        reserve(PcapReader.RECORD_HEADER + length);
        buffer.putInt((int) seconds);
        buffer.putInt((int) (timestampNanos % NANOS_PER_SECOND));
        buffer.putInt(length);
        buffer.putInt(originalLength);
        putPadded(packet, 1);
    }
}
