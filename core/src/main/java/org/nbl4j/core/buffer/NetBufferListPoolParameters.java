package org.nbl4j.core.buffer;

import org.nbl4j.core.memory.PoolTag;

/**
 * {@code NET_BUFFER_LIST_POOL_PARAMETERS} (ndis-buffers §4.6).
 *
 * @param header Type 0x80; revision 1 (size 16) or 2 (size 20, adds {@code Flags})
 * @param protocolId copied into the low byte of each NBL's {@code NetBufferListProtocolId} slot
 * @param allocateNetBuffer {@code fAllocateNetBuffer}: each NBL comes with one NB
 * @param contextSize context bytes preallocated per NBL; a multiple of 8
 * @param poolTag the tag the elements are accounted under
 * @param dataSize non-zero makes a data pool: each NB also gets an MDL and this many bytes (at most 1 MiB)
 * @param flags {@link #NET_BUFFER_LIST_POOL_FLAG_VERIFY} (revision 2)
 */
public record NetBufferListPoolParameters(
        NdisObjectHeader header,
        int protocolId,
        boolean allocateNetBuffer,
        int contextSize,
        PoolTag poolTag,
        int dataSize,
        int flags) {

    public static final int NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 = 1;
    public static final int NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 = 2;
    public static final int NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 = 16;
    public static final int NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 = 20;
    /** Freed NBLs are made inaccessible instead of being recycled at once: use after free throws. */
    public static final int NET_BUFFER_LIST_POOL_FLAG_VERIFY = 0x1;
    /** The largest {@code DataSize} NDIS accepts. */
    public static final int MAXIMUM_DATA_SIZE = 0x100000;

    /** Revision-1 parameters with a correct header: what a driver usually fills in. */
    public static NetBufferListPoolParameters of(
            int protocolId, boolean allocateNetBuffer, int contextSize, PoolTag poolTag, int dataSize) {
        return new NetBufferListPoolParameters(
                new NdisObjectHeader(
                        NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT,
                        NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                        NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1),
                protocolId,
                allocateNetBuffer,
                contextSize,
                poolTag,
                dataSize,
                0);
    }

    /** The same parameters as revision 2 with {@code flags}. */
    public NetBufferListPoolParameters withFlags(int flags) {
        return new NetBufferListPoolParameters(
                new NdisObjectHeader(
                        NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT,
                        NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2,
                        NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2),
                protocolId,
                allocateNetBuffer,
                contextSize,
                poolTag,
                dataSize,
                flags);
    }

    /**
     * Whether {@code NdisAllocateNetBufferListPool} accepts these parameters. NDIS checks the type, a non-zero
     * revision, the context size's alignment, that a data pool has NBs and the 1 MiB data limit; nbl4j also checks
     * the header size against the revision, as the documentation requires.
     */
    public boolean isValid() {
        int minimumSize = header.revision() >= NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2
                ? NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2
                : NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        return header.type() == NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT
                && header.revision() != 0
                && header.size() >= minimumSize
                && protocolId >= 0
                && protocolId <= 0xFF
                && contextSize >= 0
                && contextSize <= 0xFFFF
                && contextSize % 8 == 0
                && (dataSize == 0 || allocateNetBuffer)
                && dataSize >= 0
                && dataSize <= MAXIMUM_DATA_SIZE;
    }

    /** Whether freed elements must be made inaccessible (revision 2 with the VERIFY flag). */
    public boolean verify() {
        return header.revision() >= NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2
                && (flags & NET_BUFFER_LIST_POOL_FLAG_VERIFY) != 0;
    }
}
