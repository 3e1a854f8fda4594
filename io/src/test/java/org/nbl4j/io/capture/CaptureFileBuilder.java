package org.nbl4j.io.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds pcap and pcapng files byte by byte, in either byte order, independently of the writers under test, so that
 * the readers are checked against the formats rather than against nbl4j's own output. Offsets of what was appended are
 * kept so that corruption tests can name them.
 */
final class CaptureFileBuilder {
    private ByteBuffer bytes;

    CaptureFileBuilder(ByteOrder order) {
        bytes = ByteBuffer.allocate(1 << 16).order(order);
    }

    /** The offset the next record starts at. */
    int offset() {
        return bytes.position();
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes.array(), bytes.position());
    }

    private void room(int length) {
        if (bytes.remaining() < length) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(bytes.capacity() * 2, bytes.position() + length))
                    .order(bytes.order());
            larger.put(bytes.flip());
            bytes = larger;
        }
    }

    CaptureFileBuilder pcapHeader(boolean nanoseconds, int snapLength, int linkType) {
        room(24);
        bytes.putInt(nanoseconds ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4);
        bytes.putInt(0).putInt(0).putInt(snapLength).putInt(linkType);
        return this;
    }

    CaptureFileBuilder pcapRecord(long seconds, long fraction, byte[] frame, int originalLength) {
        room(16 + frame.length);
        bytes.putInt((int) seconds).putInt((int) fraction).putInt(frame.length).putInt(originalLength);
        bytes.put(frame);
        return this;
    }

    CaptureFileBuilder sectionHeader() {
        return block(
                0x0A0D0D0A,
                body -> body.putInt(0x1A2B3C4D)
                        .putShort((short) 1)
                        .putShort((short) 0)
                        .putLong(-1));
    }

    /** An interface description block; {@code resolution} below 0 leaves out if_tsresol. */
    CaptureFileBuilder interfaceBlock(int linkType, int snapLength, String name, int resolution, long offsetSeconds) {
        return block(1, body -> {
            body.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
            option(body, 1, "a comment that nbl4j skips".getBytes(StandardCharsets.UTF_8));
            if (!name.isEmpty()) {
                option(body, 2, name.getBytes(StandardCharsets.UTF_8));
            }
            if (resolution >= 0) {
                option(body, 9, new byte[] {(byte) resolution});
            }
            if (offsetSeconds != 0) {
                byte[] value = ByteBuffer.allocate(8)
                        .order(bytes.order())
                        .putLong(offsetSeconds)
                        .array();
                option(body, 14, value);
            }
            body.putInt(0);
        });
    }

    CaptureFileBuilder enhancedPacket(int interfaceId, long units, byte[] frame, int originalLength) {
        return block(6, body -> {
            body.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units);
            body.putInt(frame.length).putInt(originalLength).put(frame);
            pad(body);
            option(body, 1, "an EPB comment".getBytes(StandardCharsets.UTF_8));
            body.putInt(0);
        });
    }

    CaptureFileBuilder simplePacket(byte[] frame, int originalLength) {
        return block(3, body -> {
            body.putInt(originalLength).put(frame);
            pad(body);
        });
    }

    /** A block of any type with an opaque body of {@code bodyLength} bytes. */
    CaptureFileBuilder opaqueBlock(int type, int bodyLength) {
        return block(type, body -> body.put(new byte[bodyLength]));
    }

    /** Raw bytes, for corrupt files. */
    CaptureFileBuilder raw(byte[] raw) {
        room(raw.length);
        bytes.put(raw);
        return this;
    }

    CaptureFileBuilder rawInt(int value) {
        room(4);
        bytes.putInt(value);
        return this;
    }

    private interface Body {
        void write(ByteBuffer body);
    }

    private CaptureFileBuilder block(int type, Body content) {
        ByteBuffer body = ByteBuffer.allocate(1 << 16).order(bytes.order());
        content.write(body);
        int length = 12 + body.position();
        room(length);
        bytes.putInt(type).putInt(length).put(body.flip()).putInt(length);
        return this;
    }

    private static void option(ByteBuffer body, int code, byte[] value) {
        body.putShort((short) code).putShort((short) value.length).put(value);
        pad(body);
    }

    private static void pad(ByteBuffer body) {
        while (body.position() % 4 != 0) {
            body.put((byte) 0);
        }
    }
}
