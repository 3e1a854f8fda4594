package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code FWPM_SESSION0}: what {@code FwpmEngineOpen0} is told about the session it opens. nbl4j reads
 * {@code sessionKey}, {@code displayData} and {@code flags} ({@code FWPM_SESSION_FLAG_DYNAMIC}); the wait timeout is
 * kept and unused, since nbl4j's transactions do not wait for one another.
 */
public final class FWPM_SESSION0 {
    /** {@code sessionKey}: {@code NULL} (the zero GUID in C) lets the engine choose one. */
    public @Nullable UUID sessionKey;
    /** {@code displayData}. */
    public final FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    /** {@code flags}: {@code FWPM_SESSION_FLAG_*}. */
    public int flags;
    /** {@code txnWaitTimeoutInMSec}. */
    public int txnWaitTimeoutInMSec;
}
