package org.nbl4j.stack.ddk;

import org.nbl4j.core.buffer.NdisObjectHeader;

/**
 * {@code NDIS_OBJECT_HEADER}, the C structure that heads NDIS parameter structures, with the C field names; the
 * facade's mutable twin of the core {@link NdisObjectHeader}.
 *
 * <p>{@code Type} and {@code Revision} are UCHARs and {@code Size} a USHORT: like the C assignment, the conversion to
 * the core record keeps only those low bits.
 */
public final class NDIS_OBJECT_HEADER {
    /** {@code Type}: {@code NDIS_OBJECT_TYPE_DEFAULT} for the pool parameters. */
    public int Type;
    /** {@code Revision}. */
    public int Revision;
    /** {@code Size}: the byte size of the structure for that revision. */
    public int Size;

    void zero() {
        Type = 0;
        Revision = 0;
        Size = 0;
    }

    NdisObjectHeader toCore() {
        return new NdisObjectHeader(Type & 0xFF, Revision & 0xFF, Size & 0xFFFF);
    }
}
