package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code KDEFERRED_ROUTINE}: a DPC's routine, run at DISPATCH_LEVEL. */
@FunctionalInterface
public interface KDEFERRED_ROUTINE {
    /** {@code (Dpc, DeferredContext, SystemArgument1, SystemArgument2)}. */
    void call(
            KDPC Dpc,
            @Nullable Object DeferredContext,
            @Nullable Object SystemArgument1,
            @Nullable Object SystemArgument2);
}
