package org.nbl4j.stack.ndis;

/**
 * The flag words of the NDIS data path with their C names and values (ndis-buffers §6.2), and the default port
 * number (§6.8).
 */
public final class NdisFlags {
    /** {@code NDIS_DEFAULT_PORT_NUMBER}. */
    public static final int NDIS_DEFAULT_PORT_NUMBER = 0;

    /** {@code NDIS_SEND_FLAGS_DISPATCH_LEVEL}. */
    public static final int NDIS_SEND_FLAGS_DISPATCH_LEVEL = 0x00000001;
    /** {@code NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK}. */
    public static final int NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK = 0x00000002;
    /** {@code NDIS_SEND_FLAGS_SINGLE_QUEUE}. */
    public static final int NDIS_SEND_FLAGS_SINGLE_QUEUE = 0x00000004;

    /** {@code NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL}. */
    public static final int NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL = 0x00000001;
    /** {@code NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE}. */
    public static final int NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE = 0x00000002;

    /** {@code NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL}. */
    public static final int NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL = 0x00000001;
    /** {@code NDIS_RECEIVE_FLAGS_RESOURCES}: ownership returns when the indication call returns. */
    public static final int NDIS_RECEIVE_FLAGS_RESOURCES = 0x00000002;
    /** {@code NDIS_RECEIVE_FLAGS_SINGLE_QUEUE}. */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_QUEUE = 0x00000800;

    /** {@code NDIS_RETURN_FLAGS_DISPATCH_LEVEL}. */
    public static final int NDIS_RETURN_FLAGS_DISPATCH_LEVEL = 0x00000001;
    /** {@code NDIS_RETURN_FLAGS_SINGLE_QUEUE}. */
    public static final int NDIS_RETURN_FLAGS_SINGLE_QUEUE = 0x00000002;

    /** {@code NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP}. */
    public static final int NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP = 0x00000010;

    /** {@code NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE}. */
    public static final int NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE = 0x00000020;

    /** {@code NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE}. */
    public static final int NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE = 0x00000004;

    /** {@code NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE}. */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE = 0x00000100;

    /** {@code NDIS_RECEIVE_FLAGS_SINGLE_VLAN}. */
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_VLAN = 0x00000200;

    /** {@code NDIS_RECEIVE_FLAGS_PERFECT_FILTERED}. */
    public static final int NDIS_RECEIVE_FLAGS_PERFECT_FILTERED = 0x00000400;

    /** {@code NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID}. */
    public static final int NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID = 0x00001000;

    /** {@code NDIS_RECEIVE_FLAGS_MORE_NBLS}. */
    public static final int NDIS_RECEIVE_FLAGS_MORE_NBLS = 0x00002000;

    /** {@code NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP}. */
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP = 0x00004000;

    /** {@code NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE}. */
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE = 0x00008000;

    /** {@code NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE}. */
    public static final int NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE = 0x00000004;

    private NdisFlags() {}

    /** {@code NDIS_TEST_RECEIVE_CANNOT_PEND}: RESOURCES set, the receiver must not keep the NBLs. */
    public static boolean receiveCannotPend(int receiveFlags) {
        return (receiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
    }
}
