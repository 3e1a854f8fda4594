package org.nbl4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Site;

/**
 * One open handle of user mode on a device ({@code FILE_OBJECT}): what {@code CreateFile} made and
 * {@code CloseHandle} ends. It sends the handle's requests as IRPs and knows which of them are still pending, so that
 * closing it (or its client going away) cancels them before IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 */
public final class FileObject {
    private final IoManager io;
    private final Device device;
    private final Set<Irp> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile @Nullable Object attachment;

    FileObject(IoManager io, Device device) {
        this.io = io;
        this.device = device;
    }

    /** The device the handle is open on. */
    public Device device() {
        return device;
    }

    /** Sends IRP_MJ_CREATE; the handle is usable once it completes with success. */
    public Irp create(IrpCompletion completion) {
        return send(IoManager.IRP_MJ_CREATE, 0, new byte[0], 0, null, completion);
    }

    /**
     * {@code DeviceIoControl}: sends IRP_MJ_DEVICE_CONTROL with {@code input} and room for {@code outputLength} bytes;
     * {@code completion} gets the result when the driver completes the IRP, at once or later.
     *
     * @return the IRP, for {@code CancelIoEx}
     */
    public Irp deviceIoControl(int ioControlCode, byte[] input, int outputLength, IrpCompletion completion) {
        return send(IoManager.IRP_MJ_DEVICE_CONTROL, ioControlCode, input, outputLength, null, completion);
    }

    /**
     * {@code DeviceIoControl} whose output buffer is the caller's own memory, as METHOD_IN_DIRECT and METHOD_OUT_DIRECT
     * lock the caller's pages on Windows: the direct methods' MDL and METHOD_NEITHER's UserBuffer describe
     * {@code outputBuffer} itself, so what the driver writes there is in it at once, even while the IRP is pending;
     * METHOD_BUFFERED's output is copied into it at completion. {@code completion} then gets no output bytes. The
     * caller keeps {@code outputBuffer} (native memory) valid until {@code completion} is called.
     *
     * @return the IRP, for {@code CancelIoEx}
     */
    public Irp deviceIoControl(int ioControlCode, byte[] input, MemorySegment outputBuffer, IrpCompletion completion) {
        return send(
                IoManager.IRP_MJ_DEVICE_CONTROL,
                ioControlCode,
                input,
                Math.toIntExact(outputBuffer.byteSize()),
                outputBuffer,
                completion);
    }

    /**
     * {@code CloseHandle}, or the client gone: cancels every IRP still pending on the handle (their cancel routines
     * run), then sends IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Irp irp : List.copyOf(pending)) {
            irp.cancel();
        }
        send(IoManager.IRP_MJ_CLEANUP, 0, new byte[0], 0, null, (_, _, _) -> {});
        send(IoManager.IRP_MJ_CLOSE, 0, new byte[0], 0, null, (_, _, _) -> {});
        device.closed(this);
    }

    /** IRP_MJ_CREATE failed: the handle never opened, so no CLEANUP or CLOSE follows. */
    public void discard() {
        closed = true;
        device.closed(this);
    }

    /** The IRPs sent on this handle that are not completed yet. */
    public List<Irp> pendingIrps() {
        return List.copyOf(pending);
    }

    /** The facade's view of this file object ({@code FILE_OBJECT} with the driver's {@code FsContext}). */
    public @Nullable Object attachment() {
        return attachment;
    }

    /** Sets the facade's view. */
    public void attach(Object view) {
        attachment = view;
    }

    private Irp send(
            int majorFunction,
            int ioControlCode,
            byte[] input,
            int outputLength,
            @Nullable MemorySegment outputBuffer,
            IrpCompletion completion) {
        Irp irp = new Irp(io, this, majorFunction, ioControlCode, input, outputLength, outputBuffer, completion);
        pending.add(irp);
        // User mode's requests reach a dispatch routine at PASSIVE_LEVEL, whatever thread carries them here.
        Irql previous = Irql.current();
        if (previous != Irql.PASSIVE_LEVEL) {
            throw new IllegalStateException("an IRP is sent at PASSIVE_LEVEL, not " + previous);
        }
        int status = device.dispatcher().dispatch(device, irp);
        if (status == IoManager.STATUS_PENDING && !irp.isCompleted() && !irp.wasMadeCancelable()) {
            String detail = "the dispatch routine returned STATUS_PENDING for " + irp
                    + " without a cancel routine or a cancel-safe queue";
            Site pendedAt = irp.pendedAt();
            if (pendedAt != null) {
                io.verifier().report(DeviceRule.IRP_PENDED_WITHOUT_CANCEL_ROUTINE, detail, pendedAt);
            } else {
                io.verifier()
                        .report(
                                DeviceRule.IRP_PENDED_WITHOUT_CANCEL_ROUTINE,
                                detail + " (nor IoMarkIrpPending)",
                                null,
                                0);
            }
        }
        return irp;
    }

    void completed(Irp irp) {
        pending.remove(irp);
    }

    @Override
    public String toString() {
        return "file object on " + device.name() + (closed ? " (closed)" : "");
    }
}
