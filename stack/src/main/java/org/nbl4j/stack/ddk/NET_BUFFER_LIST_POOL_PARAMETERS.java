package org.nbl4j.stack.ddk;

import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;

/**
 * {@code NET_BUFFER_LIST_POOL_PARAMETERS} (ndis-buffers §4.6) as a C structure with public fields, which driver code
 * assigns line by line before calling {@code NdisAllocateNetBufferListPool}; that call converts it to the core
 * {@link NetBufferListPoolParameters}, which validates it.
 *
 * <p>The fields have their C types' widths: {@code ProtocolId} is a UCHAR and {@code ContextSize} a USHORT, so a
 * larger value keeps only its low bits, as the C assignment would. {@code Flags} exists from revision 2 and is
 * ignored for revision 1.
 */
public final class NET_BUFFER_LIST_POOL_PARAMETERS implements NdisStruct {
    /** {@code Header}: Type {@code NDIS_OBJECT_TYPE_DEFAULT}, Revision 1 or 2, Size 16 or 20. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code ProtocolId}: {@code NDIS_PROTOCOL_ID_DEFAULT} for miniports and filters. */
    public int ProtocolId;
    /** {@code fAllocateNetBuffer}: each NBL comes with one NB. */
    public boolean fAllocateNetBuffer;
    /** {@code ContextSize}: context bytes preallocated per NBL, a multiple of 8. */
    public int ContextSize;
    /** {@code PoolTag}: the ULONG tag, e.g. {@code CLiteral.tag("ooPF")} for {@code 'ooPF'}. */
    public int PoolTag;
    /** {@code DataSize}: non-zero makes a data pool. */
    public int DataSize;
    /** {@code Flags} (revision 2): {@code NET_BUFFER_LIST_POOL_FLAG_VERIFY}. */
    public int Flags;

    /** The size with {@code Flags}: {@code NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2}. */
    @Override
    public int sizeof() {
        return NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2;
    }

    @Override
    public void zero() {
        Header.zero();
        ProtocolId = 0;
        fAllocateNetBuffer = false;
        ContextSize = 0;
        PoolTag = 0;
        DataSize = 0;
        Flags = 0;
    }

    NetBufferListPoolParameters toCore() {
        return new NetBufferListPoolParameters(
                Header.toCore(),
                ProtocolId & 0xFF,
                fAllocateNetBuffer,
                ContextSize & 0xFFFF,
                new PoolTag(PoolTag),
                DataSize,
                Flags);
    }
}
