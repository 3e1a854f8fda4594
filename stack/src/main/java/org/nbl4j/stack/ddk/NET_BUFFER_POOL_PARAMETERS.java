package org.nbl4j.stack.ddk;

import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.PoolTag;

/**
 * {@code NET_BUFFER_POOL_PARAMETERS} (ndis-buffers §3.10) as a C structure with public fields, converted to the core
 * {@link NetBufferPoolParameters} by {@code NdisAllocateNetBufferPool}. {@code Flags} exists from revision 2.
 */
public final class NET_BUFFER_POOL_PARAMETERS implements NdisStruct {
    /** {@code Header}: Type {@code NDIS_OBJECT_TYPE_DEFAULT}, Revision 1 or 2, Size 12 or 16. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code PoolTag}: the ULONG tag. */
    public int PoolTag;
    /** {@code DataSize}: non-zero makes a data pool, usable only with {@code NdisAllocateNetBufferMdlAndData}. */
    public int DataSize;
    /** {@code Flags} (revision 2): {@code NET_BUFFER_POOL_FLAG_VERIFY}. */
    public int Flags;

    /** The size with {@code Flags}: {@code NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2}. */
    @Override
    public int sizeof() {
        return NetBufferPoolParameters.NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2;
    }

    @Override
    public void zero() {
        Header.zero();
        PoolTag = 0;
        DataSize = 0;
        Flags = 0;
    }

    NetBufferPoolParameters toCore() {
        return new NetBufferPoolParameters(Header.toCore(), new PoolTag(PoolTag), DataSize, Flags);
    }
}
