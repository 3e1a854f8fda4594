package org.nbl4j.io.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
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
 * One client connection to a device's socket: one handle. Reads requests and sends them as IRPs on its
 * {@link FileObject}; writes each reply when its IRP completes, from whichever thread completes it. When the client
 * closes the socket or its process dies, the handle is closed as {@code CloseHandle} would: pending IRPs cancelled,
 * then IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 */
final class DeviceConnection implements Runnable {
    private final IoManager io;
    private final String linkName;
    private final SocketChannel channel;
    private final Consumer<DeviceConnection> onEnd;
    /** The IOCTLs not completed yet, by request id, for CANCEL. */
    private final Map<Integer, Irp> outstanding = new ConcurrentHashMap<>();

    private volatile @Nullable FileObject file;

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
            disconnect();
            onEnd.accept(this);
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

    private void reply(int requestId, int status, long information, byte[] output) {
        ByteBuffer frame = DeviceProtocol.reply(requestId, status, information, output);
        synchronized (channel) {
            try {
                DeviceProtocol.write(channel, frame);
            } catch (IOException e) {
                // the client is gone; its reader sees the end of the socket and closes the handle
            }
        }
    }

    /** Closes the socket; the reader then closes the handle. */
    void disconnect() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
