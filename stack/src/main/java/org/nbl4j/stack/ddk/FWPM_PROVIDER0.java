package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code FWPM_PROVIDER0}: the provider a driver's sublayers, callouts and filters may name. */
public final class FWPM_PROVIDER0 {
    /** {@code providerKey}. */
    public @Nullable UUID providerKey;
    /** {@code displayData}. */
    public final FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    /** {@code flags}: {@code FWPM_PROVIDER_FLAG_*}. */
    public int flags;
    /** {@code serviceName}, or {@code NULL}. */
    public @Nullable String serviceName;
}
