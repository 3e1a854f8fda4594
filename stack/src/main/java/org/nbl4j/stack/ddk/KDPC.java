package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.stack.kernel.Dpc;

/** {@code KDPC}: a deferred procedure call, set up by {@code KeInitializeDpc}. */
public final class KDPC {
    final Dpc dpc = new Dpc();
    /** {@code DeferredRoutine}. */
    public @Nullable KDEFERRED_ROUTINE DeferredRoutine;
    /** {@code DeferredContext}. */
    public @Nullable Object DeferredContext;

    /** {@code SystemArgument1} and {@code 2} of the insert that queued the DPC, as Windows keeps them in the KDPC. */
    @Nullable
    Object SystemArgument1;

    @Nullable
    Object SystemArgument2;
    /** The NDIS instance the inserting thread was bound to: the routine runs bound to it. */
    @Nullable
    Ndis insertedBy;
    /** Runs the routine with what the last insert stored; made once, so that queueing allocates no closure. */
    final Runnable run = this::runRoutine;

    private void runRoutine() {
        KDEFERRED_ROUTINE routine = DeferredRoutine;
        if (routine == null) {
            return;
        }
        Ndis ndis = insertedBy;
        // Bound already (a DPC a receive thread queued for itself): a binding per run would allocate per indication.
        if (ndis == null || ndis == SystemNdis.boundOrNull()) {
            routine.call(this, DeferredContext, SystemArgument1, SystemArgument2);
            return;
        }
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            routine.call(this, DeferredContext, SystemArgument1, SystemArgument2);
        }
    }
}
