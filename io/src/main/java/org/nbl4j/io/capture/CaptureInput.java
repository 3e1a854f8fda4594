package org.nbl4j.io.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * The bytes of a capture file, read ahead into one fixed buffer so that a whole record can be looked at in place. The
 * buffer never grows: a record longer than {@link #MAX_RECORD} is refused by the readers before they ask for it.
 */
final class CaptureInput implements AutoCloseable {
    /** The longest packet nbl4j accepts from a file: libpcap's own upper bound on a snapshot length. */
    static final int MAX_PACKET = 262_144;
    /** The longest record kept in memory at once: a packet plus room for a pcapng block's fields and options. */
    static final int MAX_RECORD = MAX_PACKET + 65_536;

    private final ReadableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_RECORD);
    private final MemorySegment memory = MemorySegment.ofBuffer(buffer);
    private long offset;
    private boolean endOfFile;

    CaptureInput(ReadableByteChannel channel) {
        this.channel = channel;
        buffer.limit(0);
    }

    /** The file offset of the next unconsumed byte. */
    long offset() {
        return offset;
    }

    /** Sets the byte order of the multi-byte fields read next. */
    void order(ByteOrder order) {
        buffer.order(order);
    }

    /** Whether the file ends here, at a record boundary. */
    boolean atEnd() throws IOException {
        return !fill(1);
    }

    /** Reads ahead until {@code length} bytes are buffered; false when the file ends before that. */
    boolean fill(int length) throws IOException {
        if (buffer.remaining() >= length) {
            return true;
        }
        buffer.compact();
        while (buffer.position() < length && !endOfFile) {
            if (channel.read(buffer) < 0) {
                endOfFile = true;
            }
        }
        buffer.flip();
        return buffer.remaining() >= length;
    }

    /** Like {@link #fill}, but a short file is a truncated record. */
    void require(int length, String what, long record, long recordOffset) throws IOException {
        if (!fill(length)) {
            throw new CaptureFormatException(
                    "truncated " + what + ": needs " + length + " bytes, the file has " + buffer.remaining(),
                    record,
                    recordOffset);
        }
    }

    int intAt(int relative) {
        return buffer.getInt(buffer.position() + relative);
    }

    int unsignedShortAt(int relative) {
        return Short.toUnsignedInt(buffer.getShort(buffer.position() + relative));
    }

    long longAt(int relative) {
        return buffer.getLong(buffer.position() + relative);
    }

    byte byteAt(int relative) {
        return buffer.get(buffer.position() + relative);
    }

    /** The whole buffer as a segment; buffered bytes start at {@link #position()}. */
    MemorySegment memory() {
        return memory;
    }

    int position() {
        return buffer.position();
    }

    /** Moves past {@code length} buffered bytes. */
    void consume(int length) {
        buffer.position(buffer.position() + length);
        offset += length;
    }

    /** Moves past {@code length} bytes that need not be buffered at once (a block nbl4j does not read). */
    void skip(long length, String what, long record, long recordOffset) throws IOException {
        long left = length;
        while (left > 0) {
            if (!fill(1)) {
                throw new CaptureFormatException(
                        "truncated " + what + ": " + left + " of its bytes are missing", record, recordOffset);
            }
            int step = (int) Math.min(left, buffer.remaining());
            consume(step);
            left -= step;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
