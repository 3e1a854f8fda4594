package org.nbl4j.io.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A user-mode handle on a driver's device, for Java programs: {@link #open} is {@code CreateFile},
 * {@link #deviceIoControl} and {@link #deviceIoControlAsync} are {@code DeviceIoControl} without and with an
 * {@code OVERLAPPED}, {@link #cancel} is {@code CancelIoEx}, {@link #close} is {@code CloseHandle}. Any number of
 * requests may be outstanding; a reader thread completes each one's future when its reply comes. {@link #map} and
 * {@link #deviceIoControlMapped} give output buffers in memory shared with the server, as the direct methods give a
 * Windows driver the caller's own pages.
 */
public final class DeviceHandle implements AutoCloseable {
    private final SocketChannel channel;
    private final Map<Integer, CompletableFuture<IoResult>> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    /** Why the reader ended, once it has: a request sent after that can never get its reply. */
    private volatile @Nullable IOException ended;
    /** Holds the client's side of the handle's mapping ({@link #map}) once the server mapped it too. */
    private volatile @Nullable Arena mapping;

    private DeviceHandle(SocketChannel channel) {
        this.channel = channel;
        Thread.ofPlatform().daemon().name("nbl4j-device-client").start(this::readReplies);
    }

    /**
     * {@code CreateFile}: connects to the device's socket and sends IRP_MJ_CREATE.
     *
     * @param socket the link's socket ({@code DeviceSockets.socketPath(directory, "\\DosDevices\\Name")})
     * @throws IOException if the socket cannot be reached or the driver failed the create (its status in the message)
     */
    public static DeviceHandle open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        DeviceHandle handle = new DeviceHandle(channel);
        IoResult created = handle.await(handle.send(DeviceProtocol.OP_CREATE, 0, 0, new byte[0]));
        if (!created.succeeded()) {
            handle.disconnect();
            throw new IOException("CreateFile on " + socket + " failed: 0x" + Integer.toHexString(created.status()));
        }
        return handle;
    }

    /** {@code DeviceIoControl} without {@code OVERLAPPED}: waits for the IRP to complete. */
    public IoResult deviceIoControl(int ioControlCode, byte[] input, int outputLength) throws IOException {
        return await(deviceIoControlAsync(ioControlCode, input, outputLength).result());
    }

    /**
     * {@code DeviceIoControl} with an {@code OVERLAPPED}: returns at once; the future completes when the driver
     * completes the IRP (a pended one, much later), or fails if the connection ends first.
     */
    public Request deviceIoControlAsync(int ioControlCode, byte[] input, int outputLength) throws IOException {
        int id = nextId.getAndIncrement();
        return new Request(id, send(DeviceProtocol.OP_IOCTL, id, ioControlCode, outputLength, input));
    }

    /**
     * Makes {@code file} the handle's mapping, where {@link #deviceIoControlMapped} output buffers lie: creates it (owner
     * read/write only) if it does not exist, extends it to {@code size} bytes if shorter, maps its first {@code size}
     * bytes shared, and has the server map the same bytes. A file in {@code /dev/shm} is memory only. One mapping per
     * handle; it stays mapped until the handle is closed.
     *
     * @return the client's own mapping: what the driver writes into an output buffer is there at once
     * @throws IOException if the file cannot be mapped, or the server refused it (its status in the message: the file
     *     must be a regular file the client's user owns, named by an absolute path that is not a symbolic link)
     */
    public MemorySegment map(Path file, long size) throws IOException {
        Path absolute = file.toAbsolutePath();
        Arena arena = Arena.ofShared();
        MemorySegment mine;
        try (FileChannel channel = FileChannel.open(
                absolute,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            if (channel.size() < size) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
            mine = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            int id = nextId.getAndIncrement();
            IoResult mapped = await(send(id, DeviceProtocol.mapRequest(id, size, absolute.toString())));
            if (!mapped.succeeded()) {
                throw new IOException("MAP of " + absolute + " failed: 0x" + Integer.toHexString(mapped.status()));
            }
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        mapping = arena;
        return mine;
    }

    /**
     * {@code DeviceIoControl} without {@code OVERLAPPED} whose output buffer is {@code [outputOffset, outputOffset +
     * outputLength)} of the handle's mapping ({@link #map}): the result has no output bytes, they are in the mapping.
     */
    public IoResult deviceIoControlMapped(int ioControlCode, byte[] input, long outputOffset, int outputLength)
            throws IOException {
        return await(deviceIoControlMappedAsync(ioControlCode, input, outputOffset, outputLength)
                .result());
    }

    /**
     * The same with an {@code OVERLAPPED}. With METHOD_IN_DIRECT, METHOD_OUT_DIRECT and METHOD_NEITHER the driver
     * writes into the mapping itself, so its bytes may be read there while the request is still pending; with
     * METHOD_BUFFERED they are copied there when it completes.
     */
    public Request deviceIoControlMappedAsync(int ioControlCode, byte[] input, long outputOffset, int outputLength)
            throws IOException {
        int id = nextId.getAndIncrement();
        return new Request(
                id, send(id, DeviceProtocol.mappedIoctlRequest(id, ioControlCode, outputLength, outputOffset, input)));
    }

    /** An overlapped request: its id (for {@link #cancel}) and its result to come. */
    public record Request(int id, CompletableFuture<IoResult> result) {}

    /** {@code CancelIoEx(handle, overlapped)}: asks the I/O manager to cancel one request; its result says how it ended. */
    public void cancel(Request request) throws IOException {
        DeviceProtocol.write(
                channel, DeviceProtocol.request(DeviceProtocol.OP_CANCEL, request.id(), 0, 0, new byte[0]));
    }

    /**
     * {@code CloseHandle}: pending requests are cancelled, then the driver sees IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Closing
     * a closed handle does nothing.
     */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            await(send(DeviceProtocol.OP_CLOSE, 0, 0, new byte[0]));
        } finally {
            disconnect();
        }
    }

    /**
     * Drops the connection without CLOSE, as a process that dies does, and unmaps the client's side of the mapping
     * (the server unmaps its own when the requests that use it have completed).
     */
    void disconnect() throws IOException {
        try {
            channel.close();
        } finally {
            Arena mapped = mapping;
            mapping = null;
            if (mapped != null) {
                mapped.close();
            }
        }
    }

    private CompletableFuture<IoResult> send(int op, int id, int ioControlCode, int outputLength, byte[] input)
            throws IOException {
        int requestId = op == DeviceProtocol.OP_IOCTL ? id : nextId.getAndIncrement();
        return send(requestId, DeviceProtocol.request(op, requestId, ioControlCode, outputLength, input));
    }

    /** Sends the frame of request {@code requestId}; the future completes with its reply. */
    private CompletableFuture<IoResult> send(int requestId, ByteBuffer frame) throws IOException {
        CompletableFuture<IoResult> result = new CompletableFuture<>();
        outstanding.put(requestId, result);
        synchronized (channel) {
            DeviceProtocol.write(channel, frame);
        }
        // Checked after the put: the reader records why it ended before it fails the outstanding futures, so either it
        // sees this one or this sees its reason.
        IOException reason = ended;
        if (reason != null) {
            outstanding.remove(requestId);
            result.completeExceptionally(reason);
        }
        return result;
    }

    private CompletableFuture<IoResult> send(int op, int ioControlCode, int outputLength, byte[] input)
            throws IOException {
        return send(op, 0, ioControlCode, outputLength, input);
    }

    private IoResult await(CompletableFuture<IoResult> result) throws IOException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the device", e);
        } catch (ExecutionException e) {
            throw new IOException("the device connection ended", e.getCause());
        }
    }

    private void readReplies() {
        try {
            while (true) {
                DeviceProtocol.Reply reply = DeviceProtocol.readReply(channel);
                CompletableFuture<IoResult> result = outstanding.remove(reply.requestId());
                if (result != null) {
                    result.complete(new IoResult(reply.status(), reply.information(), reply.output()));
                }
            }
        } catch (IOException e) {
            ended = e;
            for (CompletableFuture<IoResult> result : outstanding.values()) {
                result.completeExceptionally(e);
            }
            outstanding.clear();
        }
    }
}
