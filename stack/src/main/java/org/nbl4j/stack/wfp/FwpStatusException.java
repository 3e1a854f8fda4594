package org.nbl4j.stack.wfp;

import org.nbl4j.core.status.NtStatus;

/**
 * A WFP call that makes an object failed with an NTSTATUS: what the DDI returns instead of STATUS_SUCCESS (for example
 * STATUS_INSUFFICIENT_RESOURCES from a clone, STATUS_FWP_ALREADY_EXISTS from a callout registration). Functions whose
 * failure is part of the normal flow (the inject functions) return the NTSTATUS instead.
 */
public final class FwpStatusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public FwpStatusException(int status, String detail) {
        super(NtStatus.describe(status) + ": " + detail);
        this.status = status;
    }

    /** The NTSTATUS the DDI returns. */
    public int status() {
        return status;
    }
}
