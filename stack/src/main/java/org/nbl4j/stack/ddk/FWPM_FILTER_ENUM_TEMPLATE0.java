package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code FWPM_FILTER_ENUM_TEMPLATE0}: which filters {@code FwpmFilterCreateEnumHandle0} enumerates. nbl4j reads the
 * provider, layer, action mask and callout key; {@code enumType}, {@code flags} and conditions must be left 0.
 */
public final class FWPM_FILTER_ENUM_TEMPLATE0 {
    /** {@code providerKey} ({@code GUID*}), or {@code NULL} for any. */
    public @Nullable UUID providerKey;
    /** {@code layerKey}: an {@code FWPM_LAYER_*} GUID. */
    public @Nullable UUID layerKey;
    /** {@code enumType}: {@code FWP_FILTER_ENUM_FULLY_CONTAINED} (0) only. */
    public int enumType;
    /** {@code flags}: 0 only. */
    public int flags;
    /** {@code numFilterConditions}: 0 only. */
    public int numFilterConditions;
    /** {@code actionMask}: {@code 0xFFFFFFFF} for every action. */
    public int actionMask;
    /** {@code calloutKey} ({@code GUID*}), or {@code NULL}. */
    public @Nullable UUID calloutKey;
}
