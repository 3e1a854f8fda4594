package org.nbl4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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

    /**
     * What the I/O manager calls: the same, with the output still in the IRP's buffer, readable only during the call
     * (the buffer is freed when it returns). A completion that passes the bytes on (a device socket writing its reply)
     * copies them once from here; the default copies them into an array for {@link #completed(int, long, byte[])}.
     */
    default void completed(int status, long information, MemorySegment output) {
        completed(status, information, output.toArray(ValueLayout.JAVA_BYTE));
    }
}
