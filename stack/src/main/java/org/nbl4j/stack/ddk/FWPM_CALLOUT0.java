package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code FWPM_CALLOUT0}: the management object of a callout, which the filters that call it need; its run-time part is
 * the {@link FWPS_CALLOUT} the driver registers under the same key.
 */
public final class FWPM_CALLOUT0 {
    /** {@code calloutKey}. */
    public @Nullable UUID calloutKey;
    /** {@code displayData}. */
    public final FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    /** {@code flags}: {@code FWPM_CALLOUT_FLAG_*}. */
    public int flags;
    /** {@code providerKey} ({@code GUID*} in C), or {@code NULL}. */
    public @Nullable UUID providerKey;
    /** {@code applicableLayer}: the {@code FWPM_LAYER_*} GUID of the layer its filters are at. */
    public @Nullable UUID applicableLayer;
    /** {@code calloutId}: written by the engine. */
    public int calloutId;
}
