package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_CONFIGURATION_OBJECT}: what {@code NdisOpenConfigurationEx} opens the parameters of. */
public final class NDIS_CONFIGURATION_OBJECT {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT}, revision 1. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code NdisHandle}: the filter driver's {@code NdisFilterDriverHandle} or a module's {@code NdisFilterHandle}. */
    public @Nullable Object NdisHandle;
    /** {@code Flags}. */
    public int Flags;
}
