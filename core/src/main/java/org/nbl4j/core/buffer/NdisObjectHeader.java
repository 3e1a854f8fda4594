package org.nbl4j.core.buffer;

/**
 * {@code NDIS_OBJECT_HEADER}: the type, revision and size that head every NDIS parameter structure.
 *
 * @param type {@code Type}; the pool parameter structures use {@link #NDIS_OBJECT_TYPE_DEFAULT}
 * @param revision {@code Revision}
 * @param size {@code Size}: the byte size of the structure for that revision
 */
public record NdisObjectHeader(int type, int revision, int size) {
    /** {@code NDIS_OBJECT_TYPE_DEFAULT}. */
    public static final int NDIS_OBJECT_TYPE_DEFAULT = 0x80;
}
