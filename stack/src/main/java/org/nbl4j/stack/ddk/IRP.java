package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.stack.device.Irp;

/**
 * {@code IRP}: an I/O request packet as a dispatch routine sees it. {@link #IoStatus} is a structure the driver fills
 * in before {@code IoCompleteRequest}. The fields the I/O manager owns and frees at completion are methods named after
 * the C fields ({@code Irp->AssociatedIrp.SystemBuffer} ports as {@code Irp.AssociatedIrp.SystemBuffer()}), so that the
 * verifier sees a read after completion ({@code IRP_BUFFER_AFTER_COMPLETION}).
 */
public final class IRP {
    /** {@code IoStatus}: read by {@code IoCompleteRequest}. */
    public final IO_STATUS_BLOCK IoStatus = new IO_STATUS_BLOCK();
    /** {@code AssociatedIrp}: the union whose member drivers use is {@code SystemBuffer}. */
    public final ASSOCIATED_IRP AssociatedIrp = new ASSOCIATED_IRP();

    final Irp irp;
    final IO_STACK_LOCATION stackLocation;
    /** The framework's request object for this IRP, once a KMDF queue presented it. */
    @Nullable
    WDFREQUEST request;

    /** {@code Irp->AssociatedIrp}. */
    public final class ASSOCIATED_IRP {
        private ASSOCIATED_IRP() {}

        /** {@code SystemBuffer}: METHOD_BUFFERED's buffer, the input of the direct methods; {@code NULL} otherwise. */
        public @Nullable MemorySegment SystemBuffer() {
            return irp.systemBuffer("Irp->AssociatedIrp.SystemBuffer");
        }
    }

    private IRP(Irp irp) {
        this.irp = irp;
        this.stackLocation = new IO_STACK_LOCATION(this);
    }

    static synchronized IRP of(Irp irp) {
        Object view = irp.attachment();
        if (view != null) {
            return (IRP) view;
        }
        IRP created = new IRP(irp);
        irp.attach(created);
        return created;
    }

    /** {@code MdlAddress}: the output buffer of METHOD_IN_DIRECT and METHOD_OUT_DIRECT; {@code NULL} otherwise. */
    public @Nullable Mdl MdlAddress() {
        return irp.mdlAddress("Irp->MdlAddress");
    }

    /** {@code UserBuffer}: METHOD_NEITHER's output buffer. */
    public @Nullable MemorySegment UserBuffer() {
        return irp.userBuffer("Irp->UserBuffer");
    }

    /** {@code Cancel}: whether the IRP is being cancelled. */
    public boolean Cancel() {
        return irp.isCancelled();
    }

    /** {@code CancelIrql}: what a cancel routine passes to {@code IoReleaseCancelSpinLock}. */
    public int CancelIrql() {
        return irp.cancelIrql();
    }

    /** {@code PendingReturned}: whether {@code IoMarkIrpPending} was called. */
    public boolean PendingReturned() {
        return irp.pendingReturned();
    }

    @Override
    public String toString() {
        return irp.toString();
    }
}
