package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_TIMER_FUNCTION}: an NDIS timer object's routine, run at DISPATCH_LEVEL when the timer expires. */
@FunctionalInterface
public interface NDIS_TIMER_FUNCTION {
    /** {@code (SystemSpecific1, FunctionContext, SystemSpecific2, SystemSpecific3)}; the system arguments are NULL. */
    void call(
            @Nullable Object SystemSpecific1,
            @Nullable Object FunctionContext,
            @Nullable Object SystemSpecific2,
            @Nullable Object SystemSpecific3);
}
