package org.nbl4j.io.device;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;
import org.nbl4j.stack.device.IrpCompletion;
import org.nbl4j.stack.kernel.DriverExceptions;
import org.nbl4j.stack.kernel.Waits;

/**
 * One client connection to a device's socket: one handle. Its reader ({@link #run}) reads requests and sends them as
 * IRPs on its {@link FileObject}. A completing IRP's reply never waits for the client, whichever thread completes it:
 * a classify function completing a pended IOCTL on a receive thread must not wait for a user-mode process, which may
 * be stopped (SIGSTOP) or slow to read. The socket is non-blocking: the completing thread writes the reply at once
 * when the socket takes it whole and nothing is queued before it (the common case, with no thread switch), or, while
 * the reader dispatches requests it has read already, together with the others completed meanwhile; otherwise the
 * rest is queued and the connection's writer ({@link #writeReplies}) sends it when the socket drains. As on
 * Windows, the IRP is completed at once and the application reads the result when it gets to it; the queue holds at
 * most one reply per request the client sent, so a client that stops reading also stops adding to it. When the client
 * closes the socket or its process dies, the handle is closed as {@code CloseHandle} would: pending IRPs cancelled,
 * then IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 */
final class DeviceConnection implements Runnable {
    private static final int REPLY_HEADER_LENGTH = DeviceProtocol.REPLY_HEADER_LENGTH;

    /** The most replies one gathering write sends. */
    private static final int MAX_GATHER = 64;
    /** How much the reader reads from the socket at once. */
    private static final int READ_AHEAD_BYTES = 64 << 10;
    /** The largest reply put together in the connection's direct buffer; a larger one is queued for the writer. */
    private static final int IMMEDIATE_REPLY_BYTES = 128 << 10;
    /** How often a thread waiting for the socket looks whether it was closed. */
    private static final long POLL_MILLISECONDS = 100;

    private final IoManager io;
    private final String linkName;
    private final SocketChannel channel;
    private final Consumer<DeviceConnection> onEnd;
    /** The IOCTLs not completed yet, by request id, for CANCEL. */
    private final Map<Integer, Irp> outstanding = new ConcurrentHashMap<>();

    private volatile @Nullable FileObject file;

    /** The handle's mapping (MAP), or {@code null}; the reader's alone, as are its requests. */
    private @Nullable SharedMapping mapping;

    /** Replies not written yet, in completion order; guarded by itself, as are the fields below. */
    private final ArrayDeque<ByteBuffer> replies = new ArrayDeque<>();
    /** The reader has ended: the writer sends what is queued, then closes the socket. */
    private boolean readerEnded;

    private boolean writerWaiting;
    /** The writer is sending replies it took off the queue: nobody else may write meanwhile. */
    private boolean writerSending;

    /**
     * Replies written at once are put together here (guarded by {@link #replies}), from position 0 up to the buffer's
     * position: direct, so the socket write copies nothing more, and as large as a reply the sample's RECEIVE can make.
     */
    private final ByteBuffer immediate =
            ByteBuffer.allocateDirect(IMMEDIATE_REPLY_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment immediateSegment = MemorySegment.ofBuffer(immediate);

    /**
     * The reader is dispatching requests it has read already (guarded by {@link #replies}): their replies, and those
     * other threads complete meanwhile, gather in {@link #immediate} and go out in one write when the reader has no
     * request left to dispatch, before it waits for the socket or in a kernel wait ({@link Waits#setBeforeWait}). A
     * client that writes a VERDICT and a RECEIVE together then gets both replies with one write and one wake-up.
     */
    private boolean gathering;

    /** Where the reader waits for requests, and the writer for room in the socket. */
    private final Selector readable;

    private final Selector writable;
    /**
     * What the reader read from the socket and has not parsed yet (between its position and limit): one read takes
     * every request the client has written so far, so a client that writes a VERDICT and a RECEIVE together costs one
     * system call, not one per frame part.
     */
    private final ByteBuffer readAhead =
            ByteBuffer.allocateDirect(READ_AHEAD_BYTES).limit(0);

    /**
     * The socket as the reader sees it: served from {@link #readAhead}, which a read refills when it is empty, waiting
     * (on {@link #readable}) until a byte comes or the socket ends.
     */
    private final ReadableByteChannel requests = new ReadableByteChannel() {
        @Override
        public int read(ByteBuffer destination) throws IOException {
            if (!readAhead.hasRemaining()) {
                endGathering(); // nothing more to dispatch: the gathered replies go before the reader waits
                readAhead.clear();
                int read = readWaiting(readAhead);
                readAhead.flip();
                if (read < 0) {
                    return read;
                }
            }
            int length = Math.min(destination.remaining(), readAhead.remaining());
            destination.put(destination.position(), readAhead, readAhead.position(), length);
            destination.position(destination.position() + length);
            readAhead.position(readAhead.position() + length);
            return length;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            disconnect();
        }
    };

    DeviceConnection(IoManager io, String linkName, SocketChannel channel, Consumer<DeviceConnection> onEnd)
            throws IOException {
        this.io = io;
        this.linkName = linkName;
        this.channel = channel;
        this.onEnd = onEnd;
        channel.configureBlocking(false);
        readable = Selector.open();
        writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
    }

    @Override
    public void run() {
        Waits.setBeforeWait(this::endGathering);
        try {
            while (true) {
                DeviceProtocol.Request request = DeviceProtocol.readRequest(requests);
                startGathering();
                if (!handle(request)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client closed the socket or died: its handle closes as CloseHandle would
        } catch (RuntimeException thrown) {
            // A dispatch routine threw: the request it had will never complete, so the connection ends and the client
            // sees its handle closed instead of waiting for ever.
            DriverExceptions.report(io.verifier(), thrown, "a dispatch routine of " + linkName);
        } finally {
            FileObject open = file;
            try {
                if (open != null) {
                    open.close();
                }
            } catch (RuntimeException thrown) {
                DriverExceptions.report(io.verifier(), thrown, "the CLEANUP or CLOSE of a handle to " + linkName);
            } finally {
                if (mapping != null) {
                    mapping.release(); // the handle's hold: an IRP still pending holds its own
                }
                Waits.setBeforeWait(null);
                endGathering();
                endReader();
            }
        }
    }

    /** The reader has ended: the writer sends what is queued and closes the socket. */
    private void endReader() {
        try {
            synchronized (replies) {
                readerEnded = true;
                replies.notify();
            }
        } finally {
            close(readable);
            onEnd.accept(this);
        }
    }

    /**
     * The writer thread: sends what the completing threads could not, several replies per write, waiting for room in
     * the socket, until the reader has ended and everything is written (the CLOSE reply and the cancelled requests'
     * replies go out last); then closes the socket.
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
                    writerSending = count > 0;
                }
                if (count == 0) {
                    return; // the reader has ended and everything is written
                }
                while (batch[count - 1].hasRemaining()) {
                    if (channel.write(batch, 0, count) == 0) {
                        awaitSelected(writable);
                    }
                }
                Arrays.fill(batch, 0, count, null);
                synchronized (replies) {
                    writerSending = false;
                }
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
            close(writable);
        }
    }

    /** A read for the reader: waits until the socket has bytes or ends (-1). */
    private int readWaiting(ByteBuffer destination) throws IOException {
        while (true) {
            int read = channel.read(destination);
            if (read != 0) {
                return read;
            }
            awaitSelected(readable);
        }
    }

    /**
     * Waits until the selector's one channel is ready; wakes every {@value #POLL_MILLISECONDS} ms to see whether the
     * socket was closed meanwhile (a close does not wake a thread waiting on another selector).
     */
    private void awaitSelected(Selector selector) throws IOException {
        while (selector.select(POLL_MILLISECONDS) == 0) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
        }
        selector.selectedKeys().clear();
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
                record(
                        id,
                        open.deviceIoControl(
                                request.ioControlCode(),
                                request.input(),
                                request.outputLength(),
                                completion(id, null)));
            }
            case DeviceProtocol.OP_MAP -> {
                if (open == null) {
                    reply(id, NtStatus.STATUS_INVALID_HANDLE, 0, new byte[0]);
                    return true;
                }
                if (mapping != null) {
                    reply(id, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0, new byte[0]); // one mapping per handle
                    return true;
                }
                SharedMapping.Outcome mapped = SharedMapping.map(request.path(), request.size(), peer());
                mapping = mapped.mapping();
                reply(id, mapped.status(), 0, new byte[0]);
            }
            case DeviceProtocol.OP_IOCTL_MAPPED -> {
                if (open == null) {
                    reply(id, NtStatus.STATUS_INVALID_HANDLE, 0, new byte[0]);
                    return true;
                }
                SharedMapping shared = mapping;
                MemorySegment output =
                        shared == null ? null : shared.slice(request.outputOffset(), request.outputLength());
                if (shared == null || output == null) {
                    reply(id, NtStatus.STATUS_INVALID_PARAMETER, 0, new byte[0]);
                    return true;
                }
                shared.acquire();
                record(
                        id,
                        open.deviceIoControl(request.ioControlCode(), request.input(), output, completion(id, shared)));
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

    /**
     * Where an IOCTL's result goes: its reply, with the output the IRP returns (none when it wrote into
     * {@code held}, the handle's mapping, which it then stops holding).
     */
    private IrpCompletion completion(int id, @Nullable SharedMapping held) {
        return new IrpCompletion() {
            @Override
            public void completed(int status, long information, byte[] output) {
                completed(status, information, MemorySegment.ofArray(output));
            }

            @Override
            public void completed(int status, long information, MemorySegment output) {
                outstanding.remove(id);
                if (held != null) {
                    held.release();
                }
                reply(id, status, information, output);
            }
        };
    }

    /** Records an IOCTL's IRP for CANCEL, unless it completed already. */
    private void record(int id, Irp irp) {
        outstanding.put(id, irp);
        if (irp.isCompleted()) {
            outstanding.remove(id, irp); // completed before it was recorded
        }
    }

    /**
     * The user at the other end of the socket, whose files MAP may map; {@code null} if the socket cannot say, which
     * matches no owner.
     */
    private @Nullable UserPrincipal peer() {
        try {
            return channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Sends a reply without waiting for the client: written at once when the socket takes it whole and no earlier reply
     * is waiting; otherwise (what is left of) it waits for the writer, behind the others.
     */
    private void reply(int requestId, int status, long information, byte[] output) {
        reply(requestId, status, information, MemorySegment.ofArray(output));
    }

    /**
     * The same with the output in the IRP's buffer, readable only during the call: it is copied once, into the
     * connection's direct buffer for an immediate write, or into the queued frame.
     */
    private void reply(int requestId, int status, long information, MemorySegment output) {
        int outputLength = (int) output.byteSize();
        int frameLength = REPLY_HEADER_LENGTH + outputLength;
        synchronized (replies) {
            if (frameLength > immediate.remaining()) {
                writeGathered(); // what is gathered goes first, whichever way this reply goes
            }
            if (replies.isEmpty() && !writerSending && frameLength <= immediate.remaining()) {
                int start = immediate.position();
                DeviceProtocol.putReplyHeader(immediate, requestId, status, information, outputLength);
                MemorySegment.copy(output, 0, immediateSegment, start + REPLY_HEADER_LENGTH, outputLength);
                immediate.position(start + frameLength);
                if (!gathering) {
                    writeGathered();
                }
                return;
            }
            ByteBuffer frame = ByteBuffer.allocate(frameLength).order(ByteOrder.LITTLE_ENDIAN);
            DeviceProtocol.putReplyHeader(frame, requestId, status, information, outputLength);
            MemorySegment.copy(output, 0, MemorySegment.ofArray(frame.array()), REPLY_HEADER_LENGTH, outputLength);
            replies.addLast(frame.position(0));
            wakeWriter();
        }
    }

    /** The reader is about to dispatch a request: replies wait in {@link #immediate} until {@link #endGathering}. */
    private void startGathering() {
        synchronized (replies) {
            gathering = true;
        }
    }

    /** Writes the replies gathered since {@link #startGathering}, and from now on each one as it comes. */
    private void endGathering() {
        synchronized (replies) {
            gathering = false;
            writeGathered();
        }
    }

    /**
     * Writes the replies in {@link #immediate}, called holding the replies' lock; what the socket does not take now
     * waits for the writer.
     */
    private void writeGathered() {
        if (immediate.position() == 0) {
            return;
        }
        immediate.flip();
        try {
            channel.write(immediate); // non-blocking: what the socket takes now
        } catch (IOException e) {
            immediate.clear();
            return; // the client is gone; its reader sees the end of the socket and closes the handle
        }
        if (immediate.hasRemaining()) {
            replies.addLast(
                    ByteBuffer.allocate(immediate.remaining()).put(immediate).flip());
            wakeWriter();
        }
        immediate.clear();
    }

    /** Called holding the replies' lock, after queueing one. */
    private void wakeWriter() {
        if (writerWaiting) {
            replies.notify();
        }
    }

    /**
     * Closes the socket; the reader then closes the handle, and the writer ends. Each closes its own selector as it
     * ends: one closed under a thread waiting on it would end that thread with an unchecked exception.
     */
    void disconnect() {
        close(channel);
    }

    private static void close(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
