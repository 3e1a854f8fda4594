package org.nbl4j.io.device;

/**
 * What a request returned: the IRP's {@code IoStatus} and the output bytes ({@code lpBytesReturned} of them).
 *
 * @param status the NTSTATUS the driver completed the IRP with
 * @param information {@code IoStatus.Information}
 * @param output the bytes of the output buffer the driver filled
 */
public record IoResult(int status, long information, byte[] output) {
    /** {@code NT_SUCCESS(status)}. */
    public boolean succeeded() {
        return status >= 0;
    }
}
