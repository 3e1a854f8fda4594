package org.nbl4j.core.buffer;

import org.nbl4j.core.memory.PoolTag;

/**
 * {@code NET_BUFFER_POOL_PARAMETERS} (ndis-buffers §3.10).
 *
 * @param header Type 0x80; revision 1 (size 12) or 2 (size 16, adds {@code Flags})
 * @param poolTag the tag the elements are accounted under
 * @param dataSize non-zero makes a data pool, usable only with {@code NdisAllocateNetBufferMdlAndData}
 * @param flags {@link #NET_BUFFER_POOL_FLAG_VERIFY} (revision 2)
 */
public record NetBufferPoolParameters(NdisObjectHeader header, PoolTag poolTag, int dataSize, int flags) {

    public static final int NET_BUFFER_POOL_PARAMETERS_REVISION_1 = 1;
    public static final int NET_BUFFER_POOL_PARAMETERS_REVISION_2 = 2;
    public static final int NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 = 12;
    public static final int NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2 = 16;
    /** Freed NBs are made inaccessible instead of being recycled at once. */
    public static final int NET_BUFFER_POOL_FLAG_VERIFY = 0x1;

    /** Revision-1 parameters with a correct header. */
    public static NetBufferPoolParameters of(PoolTag poolTag, int dataSize) {
        return new NetBufferPoolParameters(
                new NdisObjectHeader(
                        NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT,
                        NET_BUFFER_POOL_PARAMETERS_REVISION_1,
                        NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1),
                poolTag,
                dataSize,
                0);
    }

    /** Whether {@code NdisAllocateNetBufferPool} accepts these parameters (same checks as the NBL pool's). */
    public boolean isValid() {
        int minimumSize = header.revision() >= NET_BUFFER_POOL_PARAMETERS_REVISION_2
                ? NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2
                : NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
        return header.type() == NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT
                && header.revision() != 0
                && header.size() >= minimumSize
                && dataSize >= 0
                && dataSize <= NetBufferListPoolParameters.MAXIMUM_DATA_SIZE;
    }

    /** Whether freed elements must be made inaccessible. */
    public boolean verify() {
        return header.revision() >= NET_BUFFER_POOL_PARAMETERS_REVISION_2 && (flags & NET_BUFFER_POOL_FLAG_VERIFY) != 0;
    }
}
