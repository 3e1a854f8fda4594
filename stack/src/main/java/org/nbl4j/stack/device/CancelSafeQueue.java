package org.nbl4j.stack.device;

import org.jspecify.annotations.Nullable;

/**
 * A cancel-safe IRP queue ({@code IO_CSQ}): the driver keeps the IRPs in its own list under its own lock, and the
 * queue does the cancel-routine dance that is easy to get wrong: it sets its own cancel routine when an IRP goes in,
 * clears it when one comes out, and lets a cancelled IRP leave through exactly one path, so that no IRP is completed
 * twice and none is lost.
 */
public final class CancelSafeQueue {
    /** The driver's half of the queue: the {@code IO_CSQ_*} callbacks of {@code IoCsqInitialize}. */
    public interface Callbacks {
        /** {@code CsqInsertIrp}: adds {@code irp} to the driver's list. */
        void insert(Irp irp, @Nullable Object insertContext);

        /** {@code CsqRemoveIrp}: takes {@code irp} off the list. */
        void remove(Irp irp);

        /**
         * {@code CsqPeekNextIrp}: the IRP after {@code irp} (the first one for {@code null}) that matches
         * {@code peekContext}, without removing it; {@code null} at the end.
         */
        @Nullable
        Irp peekNext(@Nullable Irp irp, @Nullable Object peekContext);

        /** {@code CsqAcquireLock}: takes the driver's lock; returns the IRQL to give back to {@link #release}. */
        int acquire();

        /** {@code CsqReleaseLock}. */
        void release(int irql);

        /** {@code CsqCompleteCanceledIrp}: completes an IRP the queue took off because it was cancelled. */
        void completeCanceled(Irp irp);
    }

    private final IoManager io;
    private final Callbacks callbacks;
    private final CancelRoutine cancelRoutine = this::cancelled;

    /** {@code IoCsqInitialize}. */
    public CancelSafeQueue(IoManager io, Callbacks callbacks) {
        this.io = io;
        this.callbacks = callbacks;
    }

    /**
     * {@code IoCsqInsertIrp}: marks the IRP pending, queues it and sets the queue's cancel routine. An IRP already
     * cancelled is taken out again and handed to {@code CsqCompleteCanceledIrp}.
     */
    public void insert(Irp irp, @Nullable Object insertContext) {
        int irql = callbacks.acquire();
        irp.markPending();
        callbacks.insert(irp, insertContext);
        irp.setCancelRoutine(cancelRoutine);
        if (irp.isCancelled() && irp.setCancelRoutine(null) != null) {
            // cancelled before the routine was set: nobody else will take it out
            callbacks.remove(irp);
            callbacks.release(irql);
            callbacks.completeCanceled(irp);
            return;
        }
        callbacks.release(irql);
    }

    /**
     * {@code IoCsqRemoveNextIrp}: the first queued IRP matching {@code peekContext} whose cancel routine this call
     * could clear; an IRP being cancelled is left to its cancel routine.
     */
    public @Nullable Irp removeNext(@Nullable Object peekContext) {
        int irql = callbacks.acquire();
        Irp irp = callbacks.peekNext(null, peekContext);
        while (irp != null && irp.setCancelRoutine(null) == null) {
            irp = callbacks.peekNext(irp, peekContext);
        }
        if (irp != null) {
            callbacks.remove(irp);
        }
        callbacks.release(irql);
        return irp;
    }

    /** The queue's cancel routine: called under the cancel spin lock, which it releases before taking the driver's. */
    private void cancelled(Device device, Irp irp) {
        io.releaseCancelSpinLock(irp.cancelIrql());
        int irql = callbacks.acquire();
        callbacks.remove(irp);
        callbacks.release(irql);
        callbacks.completeCanceled(irp);
    }
}
