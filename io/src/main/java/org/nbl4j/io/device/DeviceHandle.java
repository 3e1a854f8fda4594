package org.nbl4j.io.device;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A user-mode handle on a driver's device, for Java programs: {@link #open} is {@code CreateFile},
 * {@link #deviceIoControl} and {@link #deviceIoControlAsync} are {@code DeviceIoControl} without and with an
 * {@code OVERLAPPED}, {@link #cancel} is {@code CancelIoEx}, {@link #close} is {@code CloseHandle}. Any number of
 * requests may be outstanding; a reader thread completes each one's future when its reply comes.
 */
public final class DeviceHandle implements AutoCloseable {
    private final SocketChannel channel;
    private final Map<Integer, CompletableFuture<IoResult>> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

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

    /** Drops the connection without CLOSE, as a process that dies does. */
    void disconnect() throws IOException {
        channel.close();
    }

    private CompletableFuture<IoResult> send(int op, int id, int ioControlCode, int outputLength, byte[] input)
            throws IOException {
        int requestId = op == DeviceProtocol.OP_IOCTL ? id : nextId.getAndIncrement();
        CompletableFuture<IoResult> result = new CompletableFuture<>();
        outstanding.put(requestId, result);
        synchronized (channel) {
            DeviceProtocol.write(channel, DeviceProtocol.request(op, requestId, ioControlCode, outputLength, input));
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
            for (CompletableFuture<IoResult> result : outstanding.values()) {
                result.completeExceptionally(e);
            }
            outstanding.clear();
        }
    }
}
