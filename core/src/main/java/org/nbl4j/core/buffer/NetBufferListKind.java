package org.nbl4j.core.buffer;

/** How an NBL was made, which decides the one function that may free it (ndis-buffers §4.8, §5). */
public enum NetBufferListKind {
    /** {@code NdisAllocateNetBufferList} or {@code NdisAllocateNetBufferAndNetBufferList}: {@code NdisFreeNetBufferList}. */
    ALLOCATED,
    /** {@code NdisAllocateCloneNetBufferList}: {@code NdisFreeCloneNetBufferList}. */
    CLONE,
    /** {@code NdisAllocateFragmentNetBufferList}: {@code NdisFreeFragmentNetBufferList}. */
    FRAGMENT,
    /** {@code NdisAllocateReassembledNetBufferList}: {@code NdisFreeReassembledNetBufferList}. */
    REASSEMBLED
}
