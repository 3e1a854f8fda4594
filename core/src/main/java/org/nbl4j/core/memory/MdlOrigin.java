package org.nbl4j.core.memory;

/**
 * Who made an MDL and for what. NDIS does not record this (it infers it, see ndis-buffers §3.4); nbl4j does, so that
 * an MDL freed by the wrong party can be named.
 */
public enum MdlOrigin {
    /** {@code NdisAllocateMdl} by a driver over its own memory. */
    CALLER,
    /** NDIS's default allocator, for a retreat without a handler (ndis-buffers §3.3) or a fragment header. */
    NDIS_RETREAT_DEFAULT,
    /** A driver's {@code NetAllocateMdl} handler, called by a retreat. */
    CALLER_RETREAT_HANDLER,
    /** A partial MDL describing part of the original's data, made by a clone without USE_ORIGINAL_MDLS (§5.2). */
    CLONE_PARTIAL,
    /** A partial MDL made by {@code NdisAllocateFragmentNetBufferList} (§5.3). */
    FRAGMENT_PARTIAL,
    /** A partial MDL made by {@code NdisAllocateReassembledNetBufferList} (§5.4). */
    REASSEMBLY_PARTIAL,
    /** The MDL that is part of a data-pool element: never freed on its own. */
    POOL_EMBEDDED
}
