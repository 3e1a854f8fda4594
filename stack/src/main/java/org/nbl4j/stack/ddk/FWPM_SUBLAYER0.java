package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code FWPM_SUBLAYER0}: a sublayer to add, weighted against the other sublayers of every layer (§4.7). */
public final class FWPM_SUBLAYER0 {
    /** {@code subLayerKey}. */
    public @Nullable UUID subLayerKey;
    /** {@code displayData}. */
    public final FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    /** {@code flags}: {@code FWPM_SUBLAYER_FLAG_*}. */
    public int flags;
    /** {@code providerKey} ({@code GUID*} in C), or {@code NULL}. */
    public @Nullable UUID providerKey;
    /** {@code weight}: a UINT16. */
    public int weight;
}
