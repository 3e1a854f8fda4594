package org.nbl4j.io.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The wire protocol between a user-mode client and a device's socket (docs/devices.md). Every frame is little-endian
 * and starts with its length (the bytes after the length field). One connection is one handle.
 *
 * <pre>
 * request: u32 length, u8 op, u8[3] zero, u32 requestId, then by op:
 *   CREATE (1)  nothing                                      CreateFile
 *   IOCTL  (2)  u32 ioControlCode, u32 outputLength, input   DeviceIoControl (overlapped: requestId names it)
 *   CANCEL (3)  nothing: requestId is the IOCTL to cancel    CancelIoEx
 *   CLOSE  (4)  nothing                                      CloseHandle
 *   MAP    (5)  u64 size, path (UTF-8, the rest)             the shared memory of IOCTL_MAPPED's output buffers
 *   IOCTL_MAPPED (6)  u32 ioControlCode, u32 outputLength, u64 outputOffset, input
 *                                                            DeviceIoControl with an output buffer in the mapping
 * reply:   u32 length, u32 requestId, i32 status, u64 information, output (the rest of the frame)
 * </pre>
 *
 * CREATE, IOCTL, MAP, IOCTL_MAPPED and CLOSE get exactly one reply each, when their IRP completes (MAP at once), in
 * completion order; CANCEL gets none (the cancelled IOCTL's reply says {@code STATUS_CANCELLED}). The replies of MAP
 * and IOCTL_MAPPED carry no output: IOCTL_MAPPED's is in the mapping, {@code [outputOffset, outputOffset +
 * outputLength)} of the file MAP named, which client and server both map (docs/devices.md, "Mapped output buffers").
 */
public final class DeviceProtocol {
    private DeviceProtocol() {}

    /** {@code CreateFile}. */
    public static final int OP_CREATE = 1;
    /** {@code DeviceIoControl}. */
    public static final int OP_IOCTL = 2;
    /** {@code CancelIoEx} of one request. */
    public static final int OP_CANCEL = 3;
    /** {@code CloseHandle}. */
    public static final int OP_CLOSE = 4;
    /** Maps a file of the client's, shared with it, for the handle's life: where IOCTL_MAPPED's output goes. */
    public static final int OP_MAP = 5;
    /** {@code DeviceIoControl} whose output buffer is a range of the handle's mapping. */
    public static final int OP_IOCTL_MAPPED = 6;

    /** The largest frame either side accepts: 16 MiB, far above any IOCTL buffer a driver expects. */
    public static final int MAX_FRAME = 16 << 20;

    /**
     * A request as the server reads it.
     *
     * @param outputLength IOCTL's and IOCTL_MAPPED's; IOCTL_MAPPED's is unsigned
     * @param outputOffset IOCTL_MAPPED's, unsigned
     * @param size MAP's, unsigned
     * @param path MAP's file, as the client wrote it
     * @param input IOCTL's and IOCTL_MAPPED's
     */
    record Request(
            int op,
            int requestId,
            int ioControlCode,
            int outputLength,
            long outputOffset,
            long size,
            String path,
            byte[] input) {}

    /** A reply as the client reads it. */
    record Reply(int requestId, int status, long information, byte[] output) {}

    /**
     * A request frame, ready to write: for a client that speaks the protocol itself (or a test that plays one that
     * misbehaves). {@code ioControlCode}, {@code outputLength} and {@code input} are only sent for {@link #OP_IOCTL}.
     */
    public static ByteBuffer request(int op, int requestId, int ioControlCode, int outputLength, byte[] input) {
        boolean ioctl = op == OP_IOCTL;
        int length = 8 + (ioctl ? 8 + input.length : 0);
        ByteBuffer frame = ByteBuffer.allocate(4 + length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).put((byte) op).put((byte) 0).putShort((short) 0).putInt(requestId);
        if (ioctl) {
            frame.putInt(ioControlCode).putInt(outputLength).put(input);
        }
        return frame.flip();
    }

    /**
     * A MAP frame, ready to write: the server maps {@code size} bytes of {@code path} from offset 0, which the client
     * has mapped itself.
     */
    public static ByteBuffer mapRequest(int requestId, long size, String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = header(OP_MAP, requestId, 8 + name.length);
        frame.putLong(size).put(name);
        return frame.flip();
    }

    /** An IOCTL_MAPPED frame, ready to write: the output buffer is that range of the handle's mapping. */
    public static ByteBuffer mappedIoctlRequest(
            int requestId, int ioControlCode, int outputLength, long outputOffset, byte[] input) {
        ByteBuffer frame = header(OP_IOCTL_MAPPED, requestId, 16 + input.length);
        frame.putInt(ioControlCode).putInt(outputLength).putLong(outputOffset).put(input);
        return frame.flip();
    }

    /** A request frame with its header written, room for {@code bodyLength} bytes after it. */
    private static ByteBuffer header(int op, int requestId, int bodyLength) {
        int length = 8 + bodyLength;
        ByteBuffer frame = ByteBuffer.allocate(4 + length).order(ByteOrder.LITTLE_ENDIAN);
        return frame.putInt(length)
                .put((byte) op)
                .put((byte) 0)
                .putShort((short) 0)
                .putInt(requestId);
    }

    static Request readRequest(ReadableByteChannel channel) throws IOException {
        ByteBuffer frame = readFrame(channel);
        int op = frame.get() & 0xff;
        frame.position(frame.position() + 3);
        int requestId = frame.getInt();
        switch (op) {
            case OP_IOCTL -> {
                int ioControlCode = frame.getInt();
                int outputLength = frame.getInt();
                if (outputLength < 0 || outputLength > MAX_FRAME) {
                    throw new IOException("output length " + outputLength + " out of range");
                }
                return new Request(op, requestId, ioControlCode, outputLength, 0, 0, "", rest(frame));
            }
            case OP_MAP -> {
                requireBody(frame, 8, "MAP");
                long size = frame.getLong();
                return new Request(op, requestId, 0, 0, 0, size, new String(rest(frame), StandardCharsets.UTF_8), NONE);
            }
            case OP_IOCTL_MAPPED -> {
                // outputLength and outputOffset are checked against the mapping, so no frame limit applies to them
                requireBody(frame, 16, "IOCTL_MAPPED");
                int ioControlCode = frame.getInt();
                int outputLength = frame.getInt();
                long outputOffset = frame.getLong();
                return new Request(op, requestId, ioControlCode, outputLength, outputOffset, 0, "", rest(frame));
            }
            default -> {
                return new Request(op, requestId, 0, 0, 0, 0, "", NONE);
            }
        }
    }

    private static final byte[] NONE = new byte[0];

    private static void requireBody(ByteBuffer frame, int length, String op) throws IOException {
        if (frame.remaining() < length) {
            throw new IOException(op + " frame of " + frame.remaining() + " bytes after its header, not " + length);
        }
    }

    private static byte[] rest(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }

    /** The length of a reply's header: the length field, requestId, status and information. */
    static final int REPLY_HEADER_LENGTH = 20;

    /** Puts a reply's header for {@code outputLength} bytes of output into a little-endian {@code frame}. */
    static void putReplyHeader(ByteBuffer frame, int requestId, int status, long information, int outputLength) {
        frame.putInt(16 + outputLength).putInt(requestId).putInt(status).putLong(information);
    }

    static Reply readReply(ReadableByteChannel channel) throws IOException {
        ByteBuffer frame = readFrame(channel);
        int requestId = frame.getInt();
        int status = frame.getInt();
        long information = frame.getLong();
        byte[] output = new byte[frame.remaining()];
        frame.get(output);
        return new Reply(requestId, status, information, output);
    }

    /** Writes the whole frame to a blocking channel. */
    public static void write(WritableByteChannel channel, ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    private static ByteBuffer readFrame(ReadableByteChannel channel) throws IOException {
        ByteBuffer header = readFully(channel, 4);
        int length = header.getInt();
        if (length < 8 || length > MAX_FRAME) {
            throw new IOException("frame length " + length + " out of range");
        }
        return readFully(channel, length);
    }

    private static ByteBuffer readFully(ReadableByteChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
        return buffer.flip();
    }
}
