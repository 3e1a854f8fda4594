package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.kernel.Dpc;

/** {@code KDPC}: a deferred procedure call, set up by {@code KeInitializeDpc}. */
public final class KDPC {
    final Dpc dpc = new Dpc();
    /** {@code DeferredRoutine}. */
    public @Nullable KDEFERRED_ROUTINE DeferredRoutine;
    /** {@code DeferredContext}. */
    public @Nullable Object DeferredContext;
}
