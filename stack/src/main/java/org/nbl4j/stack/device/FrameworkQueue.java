package org.nbl4j.stack.device;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.kernel.SpinLock;

/**
 * A KMDF I/O queue ({@code WDFQUEUE}) over the I/O manager's IRPs: how a framework driver gets its device's requests.
 * A parallel queue presents each request to the driver's handler as it arrives ({@code EvtIoDeviceControl}), whatever
 * else the driver holds; a manual queue keeps its requests, cancelable, until the driver takes one
 * ({@code WdfIoQueueRetrieveNextRequest}): closing the handle or {@code CancelIoEx} completes a queued request with
 * STATUS_CANCELLED, as the framework does. A request the driver forwards ({@code WdfRequestForwardToIoQueue}) is
 * delivered to the other queue as if it had just arrived. Sequential dispatch is not modelled.
 */
public final class FrameworkQueue {
    /** {@code WDF_IO_QUEUE_DISPATCH_TYPE}, the two nbl4j has. */
    public enum DispatchType {
        PARALLEL,
        MANUAL
    }

    /** The driver's {@code EvtIoDeviceControl}, as a parallel queue calls it. */
    @FunctionalInterface
    public interface RequestHandler {
        void deviceControl(FrameworkQueue queue, Irp irp);
    }

    private final DispatchType dispatchType;
    private final @Nullable RequestHandler handler;
    private final ArrayDeque<Irp> waiting = new ArrayDeque<>();
    private final SpinLock lock = new SpinLock();
    private final CancelSafeQueue cancelSafe;
    private @Nullable Object attachment;

    /**
     * A queue of {@code io}'s requests.
     *
     * @param handler the driver's handler; required for a parallel queue, unused by a manual one
     */
    public FrameworkQueue(IoManager io, DispatchType dispatchType, @Nullable RequestHandler handler) {
        if (dispatchType == DispatchType.PARALLEL && handler == null) {
            throw new IllegalArgumentException("a parallel queue needs the driver's request handler");
        }
        this.dispatchType = dispatchType;
        this.handler = handler;
        this.cancelSafe = new CancelSafeQueue(io, new Waiting(io));
    }

    /** How the queue presents requests. */
    public DispatchType dispatchType() {
        return dispatchType;
    }

    /**
     * A request for this queue, from the device or forwarded: a parallel queue presents it to the handler at once, a
     * manual one keeps it. Either way it is pending until someone completes it.
     */
    public void deliver(Irp irp) {
        irp.markPending();
        switch (dispatchType) {
            case PARALLEL -> java.util.Objects.requireNonNull(handler).deviceControl(this, irp);
            case MANUAL -> cancelSafe.insert(irp, null);
        }
    }

    /** {@code WdfIoQueueRetrieveNextRequest}: the oldest request a cancel has not taken, or {@code null}. */
    public @Nullable Irp retrieveNext() {
        return cancelSafe.removeNext(null);
    }

    /** The facade's view of this queue. */
    public @Nullable Object attachment() {
        return attachment;
    }

    /** Sets the facade's view. */
    public void attach(Object view) {
        attachment = view;
    }

    /** The manual queue's list, under a spin lock, as the framework keeps it. */
    private final class Waiting implements CancelSafeQueue.Callbacks {
        private final IoManager io;

        Waiting(IoManager io) {
            this.io = io;
        }

        @Override
        public void insert(Irp irp, @Nullable Object insertContext) {
            waiting.addLast(irp);
        }

        @Override
        public void remove(Irp irp) {
            waiting.remove(irp);
        }

        @Override
        public @Nullable Irp peekNext(@Nullable Irp irp, @Nullable Object peekContext) {
            Iterator<Irp> it = waiting.iterator();
            if (irp != null) {
                while (it.hasNext() && it.next() != irp) {
                    // up to irp; the next one is the answer
                }
            }
            return it.hasNext() ? it.next() : null;
        }

        @Override
        public int acquire() {
            return lock.acquireRaisingToDispatch(io.verifier(), "WdfIoQueue", "wdfio")
                    .ordinal();
        }

        @Override
        public void release(int irql) {
            lock.releaseRestoring(io.verifier(), "WdfIoQueue", Irql.values()[irql]);
        }

        @Override
        public void completeCanceled(Irp irp) {
            irp.complete(NtStatus.STATUS_CANCELLED, 0);
        }
    }
}
