package org.nbl4j.stack.ddk;

import org.nbl4j.core.buffer.Ndis;

/**
 * An {@code NDIS_HANDLE} that a driver received from NDIS (a filter module's {@code NdisFilterHandle}, a miniport's
 * {@code MiniportAdapterHandle}, the stack itself) and passes to DDIs such as {@code NdisAllocateNetBufferListPool},
 * {@code NdisAllocateMdl} or {@code NdisAllocateMemoryWithTagPriority}: it names the NDIS instance whose memory and
 * pools the DDI uses.
 *
 * <p>For a handle a driver makes up itself (a test, a driver without a stack). The stack's own handles are accepted
 * as they are: wherever the facade takes an {@code NDIS_HANDLE} of this kind it also accepts a filter module's
 * {@link org.nbl4j.stack.ndis.LwfHandle}, a miniport's {@link org.nbl4j.stack.ndis.MiniportEdge}, a core
 * {@link Ndis} itself, and {@code null} (a {@code NULL} handle), which means the thread's {@link SystemNdis}. (The
 * stack's handles do not implement this interface because {@code org.nbl4j.stack.ndis} must not depend on the facade
 * above it.)
 */
@FunctionalInterface
public interface NdisHandle {
    /** The NDIS instance this handle belongs to. */
    Ndis ndis();
}
