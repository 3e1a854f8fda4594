package org.nbl4j.stack.ndis;

/**
 * The {@code ReceiveFlags} bits of {@code NdisMIndicateReceiveNetBufferLists}, {@code FilterReceiveNetBufferLists}
 * and {@code ProtocolReceiveNetBufferLists}, with their C names and values (ndis-buffers §6.2).
 */
public final class NdisReceiveFlags {
    /** The indication runs at DISPATCH_LEVEL: set it only when that is known, never by probing the IRQL. */
    public static final int NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL = 0x00000001;
    /** "Cannot pend": ownership of the NBLs returns to the indicating driver when the call returns. */
    public static final int NDIS_RECEIVE_FLAGS_RESOURCES = 0x00000002;
    /** Every NBL of the chain has the same frame type. */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE = 0x00000100;
    /** Every NBL of the chain has the same VLAN. */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_VLAN = 0x00000200;
    /** The miniport filtered the frames by destination already. */
    public static final int NDIS_RECEIVE_FLAGS_PERFECT_FILTERED = 0x00000400;
    /** Every NBL of the chain came from one receive queue (NDIS 6.20+). */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_QUEUE = 0x00000800;
    /** The NBs' shared-memory information is valid (NDIS 6.20+). */
    public static final int NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID = 0x00001000;
    /** Reserved (NDIS 6.20+). */
    public static final int NDIS_RECEIVE_FLAGS_MORE_NBLS = 0x00002000;
    /** Hyper-V extensible switch: one destination group (NDIS 6.30+). */
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP = 0x00004000;
    /** Hyper-V extensible switch: one source port (NDIS 6.30+). */
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE = 0x00008000;

    private NdisReceiveFlags() {}
}
