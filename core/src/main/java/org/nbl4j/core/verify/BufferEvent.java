package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * One entry of a buffer's event log at {@link VerifierLevel#FULL}: a line of {@code !ndiskd.nbllog} (event, processor
 * and IRQL, detail).
 *
 * @param nanos when, on the verifier's clock
 * @param event what happened: {@code Allocated}, {@code Freed}, {@code Sent}, {@code Indicated}, ...
 * @param thread the thread (nbl4j's processor)
 * @param irql the thread's IRQL at the time
 * @param detail the holder or a hint, or {@code null}
 * @param site where, in the caller's code
 */
public record BufferEvent(
        long nanos,
        String event,
        String thread,
        Irql irql,
        @Nullable String detail,
        Site site) {}
