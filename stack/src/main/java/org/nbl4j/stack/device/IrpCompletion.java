package org.nbl4j.stack.device;

/**
 * Where the result of a user-mode request goes when its IRP completes: the {@code OVERLAPPED} the client waits on.
 * Called once per IRP, on the thread that completed it.
 */
@FunctionalInterface
public interface IrpCompletion {
    /**
     * @param status the IRP's {@code IoStatus.Status}
     * @param information its {@code IoStatus.Information}
     * @param output the bytes returned to the caller's output buffer (as many as {@code information} says, at most its
     *     length); empty when there are none
     */
    void completed(int status, long information, byte[] output);
}
