package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code FWPM_FILTER0}: a filter to add, or one {@code FwpmFilterEnum0} returns. {@code filterCondition} is a Java
 * array; {@code numFilterConditions} says how many of its elements count, as in C.
 */
public final class FWPM_FILTER0 {
    /** {@code filterKey}: {@code NULL} (the zero GUID in C) lets the engine choose one, written back on add. */
    public @Nullable UUID filterKey;
    /** {@code displayData}. */
    public final FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    /** {@code flags}: {@code FWPM_FILTER_FLAG_*}. */
    public int flags;
    /** {@code providerKey} ({@code GUID*} in C), or {@code NULL}. */
    public @Nullable UUID providerKey;
    /** {@code layerKey}: an {@code FWPM_LAYER_*} GUID. */
    public @Nullable UUID layerKey;
    /** {@code subLayerKey}: the zero GUID or {@code NULL} for {@code FWPM_SUBLAYER_UNIVERSAL}. */
    public @Nullable UUID subLayerKey;
    /** {@code weight}: {@code FWP_EMPTY}, {@code FWP_UINT8} (a weight range) or {@code FWP_UINT64}. */
    public final FWP_VALUE0 weight = new FWP_VALUE0();
    /** {@code numFilterConditions}. */
    public int numFilterConditions;
    /** {@code filterCondition}. */
    public FWPM_FILTER_CONDITION0 @Nullable [] filterCondition;
    /** {@code action}. */
    public final FWPM_ACTION0 action = new FWPM_ACTION0();
    /** {@code rawContext}. */
    public long rawContext;
    /** {@code filterId}: written by the engine. */
    public long filterId;
    /** {@code effectiveWeight}: written by the engine, an {@code FWP_UINT64}. */
    public final FWP_VALUE0 effectiveWeight = new FWP_VALUE0();
}
