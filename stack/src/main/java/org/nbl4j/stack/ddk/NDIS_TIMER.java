package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.kernel.KernelTimer;

/** The {@code NDIS_HANDLE} of an NDIS timer object, from {@code NdisAllocateTimerObject}. */
public final class NDIS_TIMER {
    final KernelTimer timer = new KernelTimer();
    final KDPC dpc = new KDPC();
    final NDIS_TIMER_FUNCTION function;
    final @Nullable Object defaultContext;

    NDIS_TIMER(NDIS_TIMER_FUNCTION function, @Nullable Object defaultContext) {
        this.function = function;
        this.defaultContext = defaultContext;
    }
}
