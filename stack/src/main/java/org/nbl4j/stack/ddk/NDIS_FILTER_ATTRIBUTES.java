package org.nbl4j.stack.ddk;

/** {@code NDIS_FILTER_ATTRIBUTES}: what {@code FilterAttach} passes to {@code NdisFSetAttributes}. */
public final class NDIS_FILTER_ATTRIBUTES {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES}, {@code NDIS_FILTER_ATTRIBUTES_REVISION_1}. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code Flags}: reserved, 0. */
    public int Flags;
}
