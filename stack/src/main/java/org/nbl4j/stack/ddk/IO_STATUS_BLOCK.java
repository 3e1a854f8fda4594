package org.nbl4j.stack.ddk;

/** {@code IO_STATUS_BLOCK}: {@code Irp->IoStatus}, which {@code IoCompleteRequest} hands back to user mode. */
public final class IO_STATUS_BLOCK {
    /** The NTSTATUS the request ends with. */
    public int Status;
    /** Request-specific: for an IOCTL, how many bytes of the output buffer are valid. */
    public long Information;
}
