package org.nbl4j.core.buffer;

/** The flags of {@code NdisAllocateCloneNetBufferList} and {@code NdisFreeCloneNetBufferList} (ndis-buffers §5.2). */
public final class CloneFlags {
    /** NDIS-only; a caller must not set it. */
    public static final int NDIS_CLONE_FLAGS_RESERVED = 0x00000001;
    /** The clone shares the original's MDLs (and headroom) instead of getting partial MDLs. */
    public static final int NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS = 0x00000002;

    private CloneFlags() {}
}
