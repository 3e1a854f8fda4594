package org.nbl4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.verify.Site;
import org.nbl4j.stack.kernel.HeldSpinLocks;

/**
 * One I/O request packet ({@code IRP}) with its current stack location: what user mode asked for, the buffers the I/O
 * manager made for it, and the state the driver changes (pending, cancel routine, completion).
 *
 * <p>The buffers are the I/O manager's and freed when the IRP completes, so their accessors take the DDI's name and
 * report {@link DeviceRule#IRP_BUFFER_AFTER_COMPLETION} after completion (a driver that kept the segment instead
 * reads freed memory, which a checked NDIS instance turns into an exception). How a control code's transfer method
 * maps the caller's buffers, as on Windows: METHOD_BUFFERED gives one system buffer of the larger length, filled
 * with the input; the direct methods give the input in the system buffer and the output buffer as an MDL;
 * METHOD_NEITHER gives the input as the Type3InputBuffer and the output as the UserBuffer. An IRP may instead have the
 * caller's own memory as its output buffer (a device socket's mapped output): the direct methods' MDL and
 * METHOD_NEITHER's UserBuffer are then that memory, and METHOD_BUFFERED's output is copied into it at completion.
 */
public final class Irp {
    /** {@code METHOD_BUFFERED}, the low two bits of a control code. */
    static final int METHOD_BUFFERED = 0;
    /** {@code METHOD_NEITHER}. */
    static final int METHOD_NEITHER = 3;

    private static final MemorySegment NO_OUTPUT = MemorySegment.ofArray(new byte[0]);

    private final IoManager io;
    private final FileObject file;
    private final int majorFunction;
    private final int ioControlCode;
    private final int inputLength;
    private final int outputLength;
    private final @Nullable MemoryBlock systemBuffer;
    /** The direct methods' and METHOD_NEITHER's output buffer when the I/O manager allocated it. */
    private final @Nullable MemoryBlock outputBlock;
    /**
     * The caller's own output buffer ({@link FileObject#deviceIoControl(int, byte[], MemorySegment, IrpCompletion)}),
     * or {@code null} when the output goes back with the completion.
     */
    private final @Nullable MemorySegment callerOutput;
    /** Where the direct methods and METHOD_NEITHER put their output: {@link #outputBlock}'s or the caller's memory. */
    private final @Nullable MemorySegment outputBuffer;

    private final @Nullable Mdl mdl;
    private final IrpCompletion completion;
    private final AtomicReference<@Nullable CancelRoutine> cancelRoutine = new AtomicReference<>();
    private volatile boolean madeCancelable;
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile boolean cancel;
    private volatile boolean pendingReturned;
    /** Where the driver marked the IRP pending: the line a report of a pended IRP names. */
    private volatile @Nullable Site pendedAt;

    private volatile int cancelIrql;
    private volatile @Nullable Object attachment;

    Irp(
            IoManager io,
            FileObject file,
            int majorFunction,
            int ioControlCode,
            byte[] input,
            int outputLength,
            @Nullable MemorySegment callerOutput,
            IrpCompletion completion) {
        this.io = io;
        this.file = file;
        this.majorFunction = majorFunction;
        this.ioControlCode = ioControlCode;
        this.inputLength = input.length;
        this.outputLength = outputLength;
        this.callerOutput = callerOutput;
        this.completion = completion;
        int method = ioControlCode & 3;
        if (majorFunction != IoManager.IRP_MJ_DEVICE_CONTROL) {
            systemBuffer = null;
            outputBlock = null;
        } else if (method == METHOD_BUFFERED) {
            systemBuffer = io.allocateBuffer(Math.max(input.length, outputLength));
            outputBlock = null;
        } else {
            // direct methods: input in the system buffer, output described by an MDL; NEITHER: both raw
            systemBuffer = io.allocateBuffer(input.length);
            outputBlock = callerOutput == null ? io.allocateBuffer(outputLength) : null;
        }
        if (systemBuffer != null) {
            MemorySegment.copy(
                    input, 0, systemBuffer.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, input.length);
        }
        // As Windows locks the caller's pages for the direct methods, the MDL then describes the caller's memory itself
        // (no copy either way), and METHOD_NEITHER's UserBuffer is that memory.
        outputBuffer = method == METHOD_BUFFERED || outputLength == 0
                ? null
                : callerOutput != null ? callerOutput : segment(outputBlock);
        this.mdl = outputBuffer != null && method != METHOD_NEITHER ? io.allocateMdl(outputBuffer, outputLength) : null;
    }

    /** The file object the request was sent on ({@code IrpSp->FileObject}). */
    public FileObject file() {
        return file;
    }

    /** The device the request was sent to. */
    public Device device() {
        return file.device();
    }

    /** {@code IrpSp->MajorFunction}. */
    public int majorFunction() {
        return majorFunction;
    }

    /** {@code Parameters.DeviceIoControl.IoControlCode}. */
    public int ioControlCode() {
        return ioControlCode;
    }

    /** {@code Parameters.DeviceIoControl.InputBufferLength}. */
    public int inputBufferLength() {
        return inputLength;
    }

    /** {@code Parameters.DeviceIoControl.OutputBufferLength}. */
    public int outputBufferLength() {
        return outputLength;
    }

    /** {@code Irp->AssociatedIrp.SystemBuffer}: METHOD_BUFFERED's in/out buffer, the direct methods' input. */
    public @Nullable MemorySegment systemBuffer(String ddi) {
        return stillOwned(ddi)
                        && majorFunction == IoManager.IRP_MJ_DEVICE_CONTROL
                        && (ioControlCode & 3) != METHOD_NEITHER
                ? segment(systemBuffer)
                : null;
    }

    /** {@code Irp->MdlAddress}: the output buffer of METHOD_IN_DIRECT and METHOD_OUT_DIRECT. */
    public @Nullable Mdl mdlAddress(String ddi) {
        return stillOwned(ddi) ? mdl : null;
    }

    /** {@code Irp->UserBuffer}: METHOD_NEITHER's output buffer. */
    public @Nullable MemorySegment userBuffer(String ddi) {
        return stillOwned(ddi) && (ioControlCode & 3) == METHOD_NEITHER ? outputBuffer : null;
    }

    /** {@code Parameters.DeviceIoControl.Type3InputBuffer}: METHOD_NEITHER's input buffer. */
    public @Nullable MemorySegment type3InputBuffer(String ddi) {
        return stillOwned(ddi) && (ioControlCode & 3) == METHOD_NEITHER ? segment(systemBuffer) : null;
    }

    private static @Nullable MemorySegment segment(@Nullable MemoryBlock block) {
        return block == null ? null : block.segment();
    }

    /** Whether the IRP is not completed yet; reports the rule when it is. */
    private boolean stillOwned(String ddi) {
        if (!completed.get()) {
            return true;
        }
        io.verifier()
                .report(
                        DeviceRule.IRP_BUFFER_AFTER_COMPLETION,
                        ddi + " of " + this + " read after IoCompleteRequest: its buffers were freed",
                        null,
                        0);
        return false;
    }

    /** {@code IoMarkIrpPending}: the dispatch routine will return STATUS_PENDING. */
    public void markPending() {
        pendingReturned = true;
        pendedAt = io.verifier().siteForLater();
    }

    /** Where {@link #markPending} was called, when the verifier is on and it was. */
    @Nullable
    Site pendedAt() {
        return pendedAt;
    }

    /** Whether {@link #markPending} was called ({@code Irp->PendingReturned}). */
    public boolean pendingReturned() {
        return pendingReturned;
    }

    /** {@code IoSetCancelRoutine}: an atomic exchange; returns the routine that was set, or {@code null}. */
    public @Nullable CancelRoutine setCancelRoutine(@Nullable CancelRoutine routine) {
        if (routine != null) {
            madeCancelable = true;
        }
        return cancelRoutine.getAndSet(routine);
    }

    /**
     * Whether closing the handle could cancel the IRP at some point: it has a cancel routine, or had one. An IRP that
     * had one and has none now was taken off its queue by a thread that will complete it (the routine was cleared to
     * take it), which may still be at work when the dispatch routine returns STATUS_PENDING: not a mistake.
     */
    boolean wasMadeCancelable() {
        return madeCancelable;
    }

    /** {@code Irp->Cancel}: set once the IRP is being cancelled. */
    public boolean isCancelled() {
        return cancel;
    }

    /** {@code Irp->CancelIrql}: the level to pass to {@code IoReleaseCancelSpinLock} in a cancel routine. */
    public int cancelIrql() {
        return cancelIrql;
    }

    /** Whether the IRP was completed. */
    public boolean isCompleted() {
        return completed.get();
    }

    /** The facade's view of this IRP, kept here so that every callback sees the same one. */
    public @Nullable Object attachment() {
        return attachment;
    }

    /** Sets the facade's view. */
    public void attach(Object view) {
        attachment = view;
    }

    /**
     * {@code IoCancelIrp}: sets {@code Cancel} and, under the cancel spin lock, takes the cancel routine and calls it
     * at DISPATCH_LEVEL; the routine releases the lock. Without a routine the IRP stays pending and only {@code Cancel}
     * tells its owner.
     *
     * @return whether a cancel routine was called
     */
    public boolean cancel() {
        cancel = true;
        cancelIrql = io.acquireCancelSpinLock();
        CancelRoutine routine = cancelRoutine.getAndSet(null);
        if (routine == null) {
            io.releaseCancelSpinLock(cancelIrql);
            return false;
        }
        routine.cancel(file.device(), this);
        return true;
    }

    /**
     * {@code IoCompleteRequest}: hands the result back to user mode and frees the buffers. A second completion is
     * {@link DeviceRule#IRP_COMPLETED_TWICE} and changes nothing.
     */
    public void complete(int status, long information) {
        if (!completed.compareAndSet(false, true)) {
            io.verifier()
                    .report(
                            DeviceRule.IRP_COMPLETED_TWICE,
                            this + " completed again with status 0x" + Integer.toHexString(status),
                            null,
                            0);
            return;
        }
        String heldLocks = HeldSpinLocks.describeHeld(io.verifier());
        if (heldLocks != null) {
            io.verifier()
                    .report(
                            DeviceRule.IRP_COMPLETED_HOLDING_SPIN_LOCK,
                            "IoCompleteRequest of " + this + " holding " + heldLocks,
                            null,
                            0);
        }
        cancelRoutine.set(null);
        try {
            file.completed(this);
            completion.completed(status, information, output(status, information));
        } finally {
            io.free(systemBuffer, outputBlock, mdl);
        }
    }

    /**
     * The bytes user mode gets back, in the IRP's own buffer: as many as Information says, from where the transfer
     * method put the output. With the caller's own output buffer nothing goes back: METHOD_BUFFERED's bytes are copied
     * into it here, as the I/O manager copies the system buffer into the caller's at completion, and the other methods
     * wrote there already.
     */
    private MemorySegment output(int status, long information) {
        if (majorFunction != IoManager.IRP_MJ_DEVICE_CONTROL
                || status < 0 && status != IoManager.STATUS_BUFFER_OVERFLOW) {
            return NO_OUTPUT;
        }
        int length = (int) Math.min(Math.max(information, 0), outputLength);
        if ((ioControlCode & 3) != METHOD_BUFFERED) {
            return callerOutput != null || outputBuffer == null || length == 0
                    ? NO_OUTPUT
                    : outputBuffer.asSlice(0, length);
        }
        if (systemBuffer == null || length == 0) {
            return NO_OUTPUT;
        }
        MemorySegment returned = systemBuffer.segment().asSlice(0, length);
        if (callerOutput == null) {
            return returned;
        }
        MemorySegment.copy(returned, 0, callerOutput, 0, length);
        return NO_OUTPUT;
    }

    @Override
    public String toString() {
        return "IRP " + IoManager.majorName(majorFunction)
                + (majorFunction == IoManager.IRP_MJ_DEVICE_CONTROL ? " 0x" + Integer.toHexString(ioControlCode) : "")
                + " on " + file.device().name();
    }
}
