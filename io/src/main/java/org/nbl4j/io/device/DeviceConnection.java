package org.nbl4j.io.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;
import org.nbl4j.stack.device.IrpCompletion;

/**
 * One client connection to a device's socket: one handle. Its reader ({@link #run}) reads requests and sends them as
 * IRPs on its {@link FileObject}; its writer ({@link #writeReplies}) writes the replies. A completing IRP only queues
 * its reply, whichever thread completes it: a classify function completing a pended IOCTL on a receive thread must
 * never wait for a user-mode process, which may be stopped (SIGSTOP) or slow to read, while the socket is full. As on
 * Windows, the IRP is completed at once and the application reads the result when it gets to it; the queue holds at
 * most one reply per request the client sent, so a client that stops reading also stops adding to it. When the client
 * closes the socket or its process dies, the handle is closed as {@code CloseHandle} would: pending IRPs cancelled,
 * then IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 */
final class DeviceConnection implements Runnable {
    /** The most replies one gathering write sends. */
    private static final int MAX_GATHER = 64;

    private final IoManager io;
    private final String linkName;
    private final SocketChannel channel;
    private final Consumer<DeviceConnection> onEnd;
    /** The IOCTLs not completed yet, by request id, for CANCEL. */
    private final Map<Integer, Irp> outstanding = new ConcurrentHashMap<>();

    private volatile @Nullable FileObject file;

    /** Replies not written yet, in completion order; guarded by itself, as are the two fields below. */
    private final ArrayDeque<ByteBuffer> replies = new ArrayDeque<>();
    /** The reader has ended: the writer sends what is queued, then closes the socket. */
    private boolean readerEnded;

    private boolean writerWaiting;

    DeviceConnection(IoManager io, String linkName, SocketChannel channel, Consumer<DeviceConnection> onEnd) {
        this.io = io;
        this.linkName = linkName;
        this.channel = channel;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try {
            while (true) {
                DeviceProtocol.Request request = DeviceProtocol.readRequest(channel);
                if (!handle(request)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client closed the socket or died: its handle closes as CloseHandle would
        } finally {
            FileObject open = file;
            if (open != null) {
                open.close();
            }
            synchronized (replies) {
                readerEnded = true;
                replies.notify();
            }
            onEnd.accept(this);
        }
    }

    /**
     * The writer thread: sends the queued replies, several per write, until the reader has ended and the queue is empty
     * (the CLOSE reply and the cancelled requests' replies go out last), then closes the socket.
     */
    void writeReplies() {
        ByteBuffer[] batch = new ByteBuffer[MAX_GATHER];
        try {
            while (true) {
                int count = 0;
                synchronized (replies) {
                    while (replies.isEmpty() && !readerEnded) {
                        writerWaiting = true;
                        replies.wait();
                        writerWaiting = false;
                    }
                    while (count < MAX_GATHER && !replies.isEmpty()) {
                        batch[count++] = replies.pollFirst();
                    }
                }
                if (count == 0) {
                    return; // the reader has ended and everything is written
                }
                while (batch[count - 1].hasRemaining()) {
                    channel.write(batch, 0, count);
                }
                Arrays.fill(batch, 0, count, null);
            }
        } catch (IOException e) {
            // the client is gone; its reader sees the end of the socket and closes the handle
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (replies) {
                replies.clear();
            }
            disconnect();
        }
    }

    /** Handles one request; {@code false} after CLOSE. */
    private boolean handle(DeviceProtocol.Request request) {
        int id = request.requestId();
        FileObject open = file;
        switch (request.op()) {
            case DeviceProtocol.OP_CREATE -> {
                FileObject created = open == null ? io.open(linkName) : null;
                if (created == null) {
                    reply(
                            id,
                            open == null
                                    ? NtStatus.STATUS_OBJECT_NAME_NOT_FOUND
                                    : NtStatus.STATUS_INVALID_DEVICE_REQUEST,
                            0,
                            new byte[0]);
                    return true;
                }
                file = created;
                created.create((status, information, output) -> {
                    if (status < 0) {
                        created.discard();
                        file = null;
                    }
                    reply(id, status, information, output);
                });
            }
            case DeviceProtocol.OP_IOCTL -> {
                if (open == null) {
                    reply(id, NtStatus.STATUS_INVALID_HANDLE, 0, new byte[0]);
                    return true;
                }
                IrpCompletion completion = (status, information, output) -> {
                    outstanding.remove(id);
                    reply(id, status, information, output);
                };
                Irp irp = open.deviceIoControl(
                        request.ioControlCode(), request.input(), request.outputLength(), completion);
                outstanding.put(id, irp);
                if (irp.isCompleted()) {
                    outstanding.remove(id, irp); // completed before it was recorded
                }
            }
            case DeviceProtocol.OP_CANCEL -> {
                Irp irp = outstanding.get(id);
                if (irp != null) {
                    irp.cancel();
                }
            }
            case DeviceProtocol.OP_CLOSE -> {
                if (open != null) {
                    open.close();
                    file = null;
                }
                reply(id, NtStatus.STATUS_SUCCESS, 0, new byte[0]);
                return false;
            }
            default -> reply(id, NtStatus.STATUS_INVALID_PARAMETER, 0, new byte[0]);
        }
        return true;
    }

    /** Queues a reply for the writer: never waits for the client, whichever thread completes the IRP. */
    private void reply(int requestId, int status, long information, byte[] output) {
        ByteBuffer frame = DeviceProtocol.reply(requestId, status, information, output);
        synchronized (replies) {
            replies.addLast(frame);
            if (writerWaiting) {
                replies.notify();
            }
        }
    }

    /** Closes the socket; the reader then closes the handle, and the writer ends. */
    void disconnect() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
