package org.nbl4j.stack.ddk;

import org.nbl4j.core.buffer.Ndis;

/**
 * An {@code NDIS_HANDLE} that a driver received from NDIS (a filter module's {@code NdisFilterHandle}, a miniport's
 * {@code MiniportAdapterHandle}, the stack itself) and passes to DDIs such as {@code NdisAllocateNetBufferListPool},
 * {@code NdisAllocateMdl} or {@code NdisAllocateMemoryWithTagPriority}: it names the NDIS instance whose memory and
 * pools the DDI uses.
 *
 * <p>Implemented by filter handles, miniport handles and the stack. Wherever the facade takes an {@code NDIS_HANDLE}
 * of this kind it also accepts a core {@link Ndis} itself, and {@code null} (a {@code NULL} handle), which means the
 * thread's {@link SystemNdis}.
 */
@FunctionalInterface
public interface NdisHandle {
    /** The NDIS instance this handle belongs to. */
    Ndis ndis();
}
