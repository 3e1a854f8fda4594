package org.nbl4j.core.buffer;

/**
 * The flag words of a NET_BUFFER_LIST (ndis-buffers §4.2): the public {@code NblFlags} attributes
 * ({@code NDIS_NBL_FLAGS_*}) and the partitioned private {@code Flags} word ({@code NBL_FLAGS_*}).
 */
public final class NblFlags {
    public static final int NDIS_NBL_FLAGS_SEND_READ_ONLY = 0x00000001;
    public static final int NDIS_NBL_FLAGS_RECV_READ_ONLY = 0x00000002;
    public static final int NDIS_NBL_FLAGS_HD_SPLIT = 0x00000100;
    public static final int NDIS_NBL_FLAGS_IS_IPV4 = 0x00000200;
    public static final int NDIS_NBL_FLAGS_IS_IPV6 = 0x00000400;
    public static final int NDIS_NBL_FLAGS_IS_TCP = 0x00000800;
    public static final int NDIS_NBL_FLAGS_IS_UDP = 0x00001000;
    public static final int NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER = 0x00002000;
    public static final int NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD = 0x00004000;
    public static final int NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET = 0x00008000;
    public static final int NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT = 0x00010000;

    /** Bits of the private word that protocol drivers own (NDIS 6.30 and later). */
    public static final int NBL_FLAGS_PROTOCOL_RESERVED = 0xFFF00003;
    /** Bits of the private word free for the current owner; clobbered after a hand-off. */
    public static final int NBL_FLAGS_SCRATCH = 0x000F0000;
    /** Bits of the private word that miniport drivers own. */
    public static final int NBL_FLAGS_MINIPORT_RESERVED = 0x0000F000;
    /** Bits of the private word that NDIS owns (NDIS 6.30 and later). */
    public static final int NBL_FLAGS_NDIS_RESERVED = 0x00000FFC;

    /** NDIS-private: set by every pool allocation, cleared by free ({@code NBL_ALLOCATED} in {@code !ndiskd.nbl}). */
    public static final int NBL_ALLOCATED = 0x100;
    /** NDIS-private: the NBL's context block was made by the allocation call's ContextSize and goes with the NBL. */
    public static final int NBL_ALLOCATION_CONTEXT = 0x400;

    private NblFlags() {}
}
