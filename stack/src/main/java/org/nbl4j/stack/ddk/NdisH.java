package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.BufferPool;
import org.nbl4j.core.buffer.CloneFlags;
import org.nbl4j.core.buffer.NblFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NdisObjectHeader;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListContext;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferMdlAllocator;
import org.nbl4j.core.buffer.NetBufferMdlFreer;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.NdisFlags;

/**
 * The buffer DDIs, accessor macros and constants of {@code ndis.h} with their C names, C argument order and C values
 * (ndis-buffers §1 - §5, §6.2, §8), over the core buffer model: each function translates its arguments and calls
 * the core method that holds the behaviour.
 *
 * <p>Handles are the core objects: the {@code NDIS_HANDLE} of an NBL pool is its {@link NetBufferListPool}, of an NB
 * pool its {@link NetBufferPool}. Where a DDI takes a driver's {@code NdisHandle} it is typed {@code Object}, as the C
 * {@code PVOID} is, and accepts an {@link NdisHandle}, a core {@link Ndis}, or {@code null} for the thread's
 * {@link SystemNdis}. Memory from {@code NdisAllocateMemoryWithTag*} is a {@link MemoryBlock}; a C pointer into
 * memory is a {@link MemorySegment} ({@code p + n} ports as {@code p.asSlice(n)}). See the package documentation for
 * the conventions shared with {@link Wdm}.
 */
public final class NdisH {
    private NdisH() {}

    // ---- shared primitives (§1) ----

    /** {@code NDIS_OBJECT_TYPE_DEFAULT}: the header type of both pool parameter structures. */
    public static final int NDIS_OBJECT_TYPE_DEFAULT = NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT;
    /** {@code NDIS_DEFAULT_PORT_NUMBER}. */
    public static final int NDIS_DEFAULT_PORT_NUMBER = NdisFlags.NDIS_DEFAULT_PORT_NUMBER;
    /** {@code NDIS_MAXIMUM_PORTS}. */
    public static final int NDIS_MAXIMUM_PORTS = 0x1000000;

    // ---- pool parameters (§3.10, §4.6) ----

    public static final int NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 =
            NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    public static final int NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 =
            NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2;
    public static final int NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 =
            NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    public static final int NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 =
            NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2;
    public static final int NET_BUFFER_LIST_POOL_FLAG_VERIFY =
            NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_FLAG_VERIFY;
    public static final int NET_BUFFER_POOL_PARAMETERS_REVISION_1 =
            NetBufferPoolParameters.NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    public static final int NET_BUFFER_POOL_PARAMETERS_REVISION_2 =
            NetBufferPoolParameters.NET_BUFFER_POOL_PARAMETERS_REVISION_2;
    public static final int NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 =
            NetBufferPoolParameters.NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    public static final int NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2 =
            NetBufferPoolParameters.NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2;
    public static final int NET_BUFFER_POOL_FLAG_VERIFY = NetBufferPoolParameters.NET_BUFFER_POOL_FLAG_VERIFY;

    // ---- protocol ids (§4.4) ----

    public static final int NDIS_PROTOCOL_ID_DEFAULT = 0x00;
    public static final int NDIS_PROTOCOL_ID_TCP_IP = 0x02;
    public static final int NDIS_PROTOCOL_ID_IPX = 0x06;
    public static final int NDIS_PROTOCOL_ID_NBF = 0x07;
    public static final int NDIS_PROTOCOL_ID_MAX = 0x0F;
    public static final int NDIS_PROTOCOL_ID_MASK = 0x0F;

    // ---- send, receive and return flags (§6.2) ----

    public static final int NDIS_SEND_FLAGS_DISPATCH_LEVEL = NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL;
    public static final int NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK = NdisFlags.NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK;
    public static final int NDIS_SEND_FLAGS_SINGLE_QUEUE = NdisFlags.NDIS_SEND_FLAGS_SINGLE_QUEUE;
    public static final int NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP =
            NdisFlags.NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP;
    public static final int NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE = NdisFlags.NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE;
    public static final int NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL = NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
    public static final int NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE = NdisFlags.NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE;
    public static final int NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE =
            NdisFlags.NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE;
    public static final int NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL = NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
    public static final int NDIS_RECEIVE_FLAGS_RESOURCES = NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES;
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE = NdisFlags.NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE;
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_VLAN = NdisFlags.NDIS_RECEIVE_FLAGS_SINGLE_VLAN;
    public static final int NDIS_RECEIVE_FLAGS_PERFECT_FILTERED = NdisFlags.NDIS_RECEIVE_FLAGS_PERFECT_FILTERED;
    public static final int NDIS_RECEIVE_FLAGS_SINGLE_QUEUE = NdisFlags.NDIS_RECEIVE_FLAGS_SINGLE_QUEUE;
    public static final int NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID =
            NdisFlags.NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID;
    public static final int NDIS_RECEIVE_FLAGS_MORE_NBLS = NdisFlags.NDIS_RECEIVE_FLAGS_MORE_NBLS;
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP =
            NdisFlags.NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP;
    public static final int NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE = NdisFlags.NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE;
    public static final int NDIS_RETURN_FLAGS_DISPATCH_LEVEL = NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL;
    public static final int NDIS_RETURN_FLAGS_SINGLE_QUEUE = NdisFlags.NDIS_RETURN_FLAGS_SINGLE_QUEUE;
    public static final int NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE = NdisFlags.NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE;

    /** {@code NDIS_TEST_SEND_AT_DISPATCH_LEVEL(Flags)} (legacy name). */
    public static boolean NDIS_TEST_SEND_AT_DISPATCH_LEVEL(int sendFlags) {
        return (sendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0;
    }

    /** {@code NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(Flags)} (legacy name). */
    public static boolean NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(int sendCompleteFlags) {
        return (sendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0;
    }

    /** {@code NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(Flags)} (legacy name). */
    public static boolean NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(int receiveFlags) {
        return (receiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0;
    }

    /** {@code NDIS_TEST_RECEIVE_CANNOT_PEND(Flags)}: RESOURCES is set, the NBLs must be copied before returning. */
    public static boolean NDIS_TEST_RECEIVE_CANNOT_PEND(int receiveFlags) {
        return (receiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
    }

    /** {@code NDIS_TEST_RECEIVE_CAN_PEND(Flags)}: RESOURCES is clear, the receiver may keep the NBLs. */
    public static boolean NDIS_TEST_RECEIVE_CAN_PEND(int receiveFlags) {
        return (receiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) == 0;
    }

    /** {@code NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(Flags)} (legacy name). */
    public static boolean NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(int returnFlags) {
        return (returnFlags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0;
    }

    /**
     * {@code NDIS_SET_RETURN_FLAG(Flags, Flag)}. The C macro ORs into its first argument; Java cannot write a
     * caller's variable, so it returns the new flags: {@code NDIS_SET_RETURN_FLAG(f, x);} ports as
     * {@code f = NDIS_SET_RETURN_FLAG(f, x);}.
     */
    public static int NDIS_SET_RETURN_FLAG(int returnFlags, int flag) {
        return returnFlags | flag;
    }

    // ---- clone flags (§5.2) ----

    public static final int NDIS_CLONE_FLAGS_RESERVED = CloneFlags.NDIS_CLONE_FLAGS_RESERVED;
    public static final int NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS = CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS;

    // ---- NBL flag words (§4.2) ----

    public static final int NDIS_NBL_FLAGS_SEND_READ_ONLY = NblFlags.NDIS_NBL_FLAGS_SEND_READ_ONLY;
    public static final int NDIS_NBL_FLAGS_RECV_READ_ONLY = NblFlags.NDIS_NBL_FLAGS_RECV_READ_ONLY;
    public static final int NDIS_NBL_FLAGS_HD_SPLIT = NblFlags.NDIS_NBL_FLAGS_HD_SPLIT;
    public static final int NDIS_NBL_FLAGS_IS_IPV4 = NblFlags.NDIS_NBL_FLAGS_IS_IPV4;
    public static final int NDIS_NBL_FLAGS_IS_IPV6 = NblFlags.NDIS_NBL_FLAGS_IS_IPV6;
    public static final int NDIS_NBL_FLAGS_IS_TCP = NblFlags.NDIS_NBL_FLAGS_IS_TCP;
    public static final int NDIS_NBL_FLAGS_IS_UDP = NblFlags.NDIS_NBL_FLAGS_IS_UDP;
    public static final int NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER =
            NblFlags.NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER;
    public static final int NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD =
            NblFlags.NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD;
    public static final int NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET = NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET;
    public static final int NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT =
            NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT;
    public static final int NBL_FLAGS_PROTOCOL_RESERVED = NblFlags.NBL_FLAGS_PROTOCOL_RESERVED;
    public static final int NBL_FLAGS_SCRATCH = NblFlags.NBL_FLAGS_SCRATCH;
    public static final int NBL_FLAGS_MINIPORT_RESERVED = NblFlags.NBL_FLAGS_MINIPORT_RESERVED;
    public static final int NBL_FLAGS_NDIS_RESERVED = NblFlags.NBL_FLAGS_NDIS_RESERVED;

    // ---- NDIS_NET_BUFFER_LIST_INFO ids (§4.4), aliases included ----

    public static final NetBufferListInfo TcpIpChecksumNetBufferListInfo =
            NetBufferListInfo.TcpIpChecksumNetBufferListInfo;
    public static final NetBufferListInfo TcpOffloadBytesTransferred = NetBufferListInfo.TcpIpChecksumNetBufferListInfo;
    public static final NetBufferListInfo IPsecOffloadV1NetBufferListInfo =
            NetBufferListInfo.IPsecOffloadV1NetBufferListInfo;
    public static final NetBufferListInfo IPsecOffloadV2NetBufferListInfo =
            NetBufferListInfo.IPsecOffloadV1NetBufferListInfo;
    public static final NetBufferListInfo TcpLargeSendNetBufferListInfo =
            NetBufferListInfo.TcpLargeSendNetBufferListInfo;
    public static final NetBufferListInfo TcpReceiveNoPush = NetBufferListInfo.TcpLargeSendNetBufferListInfo;
    public static final NetBufferListInfo ClassificationHandleNetBufferListInfo =
            NetBufferListInfo.ClassificationHandleNetBufferListInfo;
    public static final NetBufferListInfo Ieee8021QNetBufferListInfo = NetBufferListInfo.Ieee8021QNetBufferListInfo;
    public static final NetBufferListInfo NetBufferListCancelId = NetBufferListInfo.NetBufferListCancelId;
    public static final NetBufferListInfo MediaSpecificInformation = NetBufferListInfo.MediaSpecificInformation;
    public static final NetBufferListInfo NetBufferListFrameType = NetBufferListInfo.NetBufferListFrameType;
    public static final NetBufferListInfo NetBufferListProtocolId = NetBufferListInfo.NetBufferListFrameType;
    public static final NetBufferListInfo NetBufferListHashValue = NetBufferListInfo.NetBufferListHashValue;
    public static final NetBufferListInfo NetBufferListHashInfo = NetBufferListInfo.NetBufferListHashInfo;
    public static final NetBufferListInfo WfpNetBufferListInfo = NetBufferListInfo.WfpNetBufferListInfo;
    public static final NetBufferListInfo IPsecOffloadV2TunnelNetBufferListInfo =
            NetBufferListInfo.IPsecOffloadV2TunnelNetBufferListInfo;
    public static final NetBufferListInfo IPsecOffloadV2HeaderNetBufferListInfo =
            NetBufferListInfo.IPsecOffloadV2HeaderNetBufferListInfo;
    public static final NetBufferListInfo NetBufferListCorrelationId = NetBufferListInfo.NetBufferListCorrelationId;
    public static final NetBufferListInfo NetBufferListFilteringInfo = NetBufferListInfo.NetBufferListFilteringInfo;
    public static final NetBufferListInfo MediaSpecificInformationEx = NetBufferListInfo.MediaSpecificInformationEx;
    public static final NetBufferListInfo NblOriginalInterfaceIfIndex = NetBufferListInfo.NblOriginalInterfaceIfIndex;
    public static final NetBufferListInfo NblReAuthWfpFlowContext = NetBufferListInfo.NblOriginalInterfaceIfIndex;
    public static final NetBufferListInfo TcpReceiveBytesTransferred = NetBufferListInfo.TcpReceiveBytesTransferred;
    public static final NetBufferListInfo NrtNameResolutionId = NetBufferListInfo.TcpReceiveBytesTransferred;
    public static final NetBufferListInfo SwitchForwardingReserved = NetBufferListInfo.SwitchForwardingReserved;
    public static final NetBufferListInfo SwitchForwardingDetail = NetBufferListInfo.SwitchForwardingDetail;
    public static final NetBufferListInfo VirtualSubnetInfo = NetBufferListInfo.VirtualSubnetInfo;
    public static final NetBufferListInfo IMReserved = NetBufferListInfo.IMReserved;
    public static final NetBufferListInfo TcpRecvSegCoalesceInfo = NetBufferListInfo.TcpRecvSegCoalesceInfo;
    public static final NetBufferListInfo UdpSegmentationOffloadInfo = NetBufferListInfo.TcpRecvSegCoalesceInfo;
    public static final NetBufferListInfo RscTcpTimestampDelta = NetBufferListInfo.RscTcpTimestampDelta;
    public static final NetBufferListInfo TcpSendOffloadsSupplementalNetBufferListInfo =
            NetBufferListInfo.RscTcpTimestampDelta;
    public static final NetBufferListInfo GftOffloadInformation = NetBufferListInfo.GftOffloadInformation;
    public static final NetBufferListInfo GftFlowEntryId = NetBufferListInfo.GftFlowEntryId;
    public static final NetBufferListInfo NetBufferListInfoReserved3 = NetBufferListInfo.NetBufferListInfoReserved3;
    public static final int MaxNetBufferListInfo = NetBufferListInfo.MaxNetBufferListInfo;

    // ---- NDIS_STATUS (§8) ----

    public static final int NDIS_STATUS_SUCCESS = NtStatus.NDIS_STATUS_SUCCESS;
    public static final int NDIS_STATUS_PENDING = NtStatus.NDIS_STATUS_PENDING;
    public static final int NDIS_STATUS_NOT_RECOGNIZED = NtStatus.NDIS_STATUS_NOT_RECOGNIZED;
    public static final int NDIS_STATUS_NOT_COPIED = NtStatus.NDIS_STATUS_NOT_COPIED;
    public static final int NDIS_STATUS_NOT_ACCEPTED = NtStatus.NDIS_STATUS_NOT_ACCEPTED;
    public static final int NDIS_STATUS_INDICATION_REQUIRED = NtStatus.NDIS_STATUS_INDICATION_REQUIRED;
    public static final int NDIS_STATUS_BUFFER_OVERFLOW = NtStatus.NDIS_STATUS_BUFFER_OVERFLOW;
    public static final int NDIS_STATUS_FAILURE = NtStatus.NDIS_STATUS_FAILURE;
    public static final int NDIS_STATUS_INVALID_PARAMETER = NtStatus.NDIS_STATUS_INVALID_PARAMETER;
    public static final int NDIS_STATUS_RESOURCES = NtStatus.NDIS_STATUS_RESOURCES;
    public static final int NDIS_STATUS_NOT_SUPPORTED = NtStatus.NDIS_STATUS_NOT_SUPPORTED;
    public static final int NDIS_STATUS_INVALID_STATE = NtStatus.NDIS_STATUS_INVALID_STATE;
    public static final int NDIS_STATUS_INVALID_DEVICE_REQUEST = NtStatus.NDIS_STATUS_INVALID_DEVICE_REQUEST;
    public static final int NDIS_STATUS_CLOSING = NtStatus.NDIS_STATUS_CLOSING;
    public static final int NDIS_STATUS_BAD_VERSION = NtStatus.NDIS_STATUS_BAD_VERSION;
    public static final int NDIS_STATUS_BAD_CHARACTERISTICS = NtStatus.NDIS_STATUS_BAD_CHARACTERISTICS;
    public static final int NDIS_STATUS_ADAPTER_NOT_FOUND = NtStatus.NDIS_STATUS_ADAPTER_NOT_FOUND;
    public static final int NDIS_STATUS_OPEN_FAILED = NtStatus.NDIS_STATUS_OPEN_FAILED;
    public static final int NDIS_STATUS_DEVICE_FAILED = NtStatus.NDIS_STATUS_DEVICE_FAILED;
    public static final int NDIS_STATUS_MULTICAST_FULL = NtStatus.NDIS_STATUS_MULTICAST_FULL;
    public static final int NDIS_STATUS_REQUEST_ABORTED = NtStatus.NDIS_STATUS_REQUEST_ABORTED;
    public static final int NDIS_STATUS_RESET_IN_PROGRESS = NtStatus.NDIS_STATUS_RESET_IN_PROGRESS;
    public static final int NDIS_STATUS_INVALID_PACKET = NtStatus.NDIS_STATUS_INVALID_PACKET;
    public static final int NDIS_STATUS_ADAPTER_NOT_READY = NtStatus.NDIS_STATUS_ADAPTER_NOT_READY;
    public static final int NDIS_STATUS_INVALID_LENGTH = NtStatus.NDIS_STATUS_INVALID_LENGTH;
    public static final int NDIS_STATUS_INVALID_DATA = NtStatus.NDIS_STATUS_INVALID_DATA;
    public static final int NDIS_STATUS_BUFFER_TOO_SHORT = NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT;
    public static final int NDIS_STATUS_INVALID_OID = NtStatus.NDIS_STATUS_INVALID_OID;
    public static final int NDIS_STATUS_ADAPTER_REMOVED = NtStatus.NDIS_STATUS_ADAPTER_REMOVED;
    public static final int NDIS_STATUS_UNSUPPORTED_MEDIA = NtStatus.NDIS_STATUS_UNSUPPORTED_MEDIA;
    public static final int NDIS_STATUS_FILE_NOT_FOUND = NtStatus.NDIS_STATUS_FILE_NOT_FOUND;
    public static final int NDIS_STATUS_RESOURCE_CONFLICT = NtStatus.NDIS_STATUS_RESOURCE_CONFLICT;
    public static final int NDIS_STATUS_SEND_ABORTED = NtStatus.NDIS_STATUS_SEND_ABORTED;
    public static final int NDIS_STATUS_MEDIA_DISCONNECTED = NtStatus.NDIS_STATUS_MEDIA_DISCONNECTED;
    public static final int NDIS_STATUS_PAUSED = NtStatus.NDIS_STATUS_PAUSED;
    public static final int NDIS_STATUS_INTERFACE_NOT_FOUND = NtStatus.NDIS_STATUS_INTERFACE_NOT_FOUND;
    public static final int NDIS_STATUS_UNSUPPORTED_REVISION = NtStatus.NDIS_STATUS_UNSUPPORTED_REVISION;
    public static final int NDIS_STATUS_INVALID_PORT = NtStatus.NDIS_STATUS_INVALID_PORT;
    public static final int NDIS_STATUS_INVALID_PORT_STATE = NtStatus.NDIS_STATUS_INVALID_PORT_STATE;
    public static final int NDIS_STATUS_LOW_POWER_STATE = NtStatus.NDIS_STATUS_LOW_POWER_STATE;

    /**
     * {@code CONTEXT_BUFFER_SIZE(size)}: not a WDK macro but the helper the driver of seed 001 defines around
     * {@code sizeof} its context structure; here it rounds up to {@code MEMORY_ALLOCATION_ALIGNMENT} (16 on x64), the
     * multiple the documentation asks context sizes to be (ndis-buffers §4.6), which also passes NDIS's own check for
     * a multiple of 8.
     */
    public static int CONTEXT_BUFFER_SIZE(int contextStructureSize) {
        int alignment = Wdm.MEMORY_ALLOCATION_ALIGNMENT;
        return (contextStructureSize + alignment - 1) & -alignment;
    }

    // ---- memory (§2.4) ----

    /**
     * {@code NdisAllocateMemoryWithTag(&VirtualAddress, Length, Tag)}: the legacy call without a handle, served by
     * the thread's {@link SystemNdis}.
     *
     * @return SUCCESS with the block in {@code virtualAddress}, or FAILURE with {@code null} there (length 0)
     */
    public static int NdisAllocateMemoryWithTag(Ref<MemoryBlock> virtualAddress, int length, int tag) {
        MemoryBlock block = SystemNdis.current().allocateMemoryWithTag(length, new PoolTag(tag));
        virtualAddress.set(block);
        return block == null ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisAllocateMemoryWithTagPriority(NdisHandle, Length, Tag, Priority)}. nbl4j has no low-memory
     * condition, so the priority has no effect.
     *
     * @return the block, or {@code null} for length 0
     */
    public static @Nullable MemoryBlock NdisAllocateMemoryWithTagPriority(
            @Nullable Object ndisHandle, int length, int tag, int priority) {
        return SystemNdis.of(ndisHandle).allocateMemoryWithTag(length, new PoolTag(tag));
    }

    /**
     * {@code NdisFreeMemory(VirtualAddress, Length, MemoryFlags)}: the length is ignored; for memory from
     * {@code NdisAllocateMemoryWithTag*} the flags must be 0.
     *
     * @throws IllegalArgumentException if {@code memoryFlags} is not 0 (the legacy CONTIGUOUS/NONCACHED memory they
     *     describe does not exist in nbl4j)
     */
    public static void NdisFreeMemory(MemoryBlock virtualAddress, int length, int memoryFlags) {
        if (memoryFlags != 0) {
            throw new IllegalArgumentException("NdisFreeMemory: MemoryFlags must be 0, not " + memoryFlags);
        }
        virtualAddress.owner().free(virtualAddress, "NdisFreeMemory");
    }

    /** {@code NdisFreeMemoryWithTagPriority(NdisHandle, VirtualAddress, Tag)}. */
    public static void NdisFreeMemoryWithTagPriority(@Nullable Object ndisHandle, MemoryBlock virtualAddress, int tag) {
        SystemNdis.of(ndisHandle).freeMemory(virtualAddress);
    }

    /** {@code NdisMoveMemory(Destination, Source, Length)}: {@code RtlCopyMemory}. */
    public static void NdisMoveMemory(MemorySegment destination, MemorySegment source, long length) {
        Wdm.RtlCopyMemory(destination, source, length);
    }

    /** {@code NdisZeroMemory(Destination, Length)}: {@code RtlZeroMemory}. */
    public static void NdisZeroMemory(MemorySegment destination, long length) {
        Wdm.RtlZeroMemory(destination, length);
    }

    /**
     * {@code NdisZeroMemory(&Struct, sizeof(Struct))} over a structure of the facade or of the driver:
     * {@code RtlZeroMemory}.
     *
     * @throws IllegalArgumentException if {@code length} is not the structure's size
     */
    public static void NdisZeroMemory(NdisStruct destination, int length) {
        Wdm.RtlZeroMemory(destination, length);
    }

    // ---- MDLs (§2.3) ----

    /** {@code NdisAllocateMdl(NdisHandle, VirtualAddress, Length)} over memory from NdisAllocateMemoryWithTag*. */
    public static @Nullable Mdl NdisAllocateMdl(@Nullable Object ndisHandle, MemoryBlock virtualAddress, int length) {
        return NdisAllocateMdl(ndisHandle, virtualAddress.segment(), length);
    }

    /** {@code NdisAllocateMdl(NdisHandle, VirtualAddress, Length)} over any off-heap memory the caller owns. */
    public static @Nullable Mdl NdisAllocateMdl(@Nullable Object ndisHandle, MemorySegment virtualAddress, int length) {
        return SystemNdis.of(ndisHandle).allocateMdl(virtualAddress, length);
    }

    /** {@code NdisFreeMdl(Mdl)}: the descriptor only, never the memory or {@code Next}. */
    public static void NdisFreeMdl(Mdl mdl) {
        mdl.pool().free(mdl, "NdisFreeMdl");
    }

    /**
     * {@code NdisQueryMdl(Mdl, &VirtualAddress, &Length, Priority)}: the mapping (never {@code NULL} in nbl4j, see
     * {@link Wdm#MmGetSystemAddressForMdlSafe}) and {@code ByteCount}. A call refused for its IRQL writes neither.
     *
     * @param virtualAddress {@code null} when the C caller passes {@code NULL} for the address
     */
    public static void NdisQueryMdl(
            Mdl mdl, @Nullable Ref<MemorySegment> virtualAddress, Ref<Integer> length, int priority) {
        if (!mdl.mayQuery("NdisQueryMdl", "ndis")) {
            return;
        }
        if (virtualAddress != null) {
            virtualAddress.set(mdl.memory());
        }
        length.set(mdl.byteCount());
    }

    /**
     * {@code NdisQueryMdlOffset(Mdl, &Offset, &Length)}: {@code ByteOffset} and {@code ByteCount}, no mapping. A call
     * refused for its IRQL writes neither.
     */
    public static void NdisQueryMdlOffset(Mdl mdl, Ref<Integer> offset, Ref<Integer> length) {
        if (!mdl.mayQuery("NdisQueryMdlOffset", "ndis")) {
            return;
        }
        offset.set(mdl.byteOffset());
        length.set(mdl.byteCount());
    }

    /** {@code NdisAdjustMdlLength(Mdl, Length)}: only on an MDL of your own, never beyond its allocated length. */
    public static void NdisAdjustMdlLength(Mdl mdl, int length) {
        mdl.adjustLength(length);
    }

    /** {@code NDIS_MDL_LINKAGE(Mdl)} read: {@code Next}. */
    public static @Nullable Mdl NDIS_MDL_LINKAGE(Mdl mdl) {
        return mdl.next();
    }

    /** {@code NDIS_MDL_LINKAGE(Mdl) = next}. */
    public static void NDIS_MDL_LINKAGE(Mdl mdl, @Nullable Mdl next) {
        mdl.setNext(next);
    }

    /** {@code NdisGetNextMdl(CurrentMdl, &NextMdl)}. */
    public static void NdisGetNextMdl(Mdl currentMdl, Ref<Mdl> nextMdl) {
        nextMdl.set(currentMdl.next());
    }

    /** {@code NDIS_MDL_TO_SPAN_PAGES(Mdl)}: 1 for an empty MDL. */
    public static int NDIS_MDL_TO_SPAN_PAGES(Mdl mdl) {
        return mdl.spanPages();
    }

    // ---- NB pools and NBs (§3) ----

    /** {@code NdisAllocateNetBufferPool(NdisHandle, Parameters)}: {@code null} if the parameters are invalid. */
    public static @Nullable NetBufferPool NdisAllocateNetBufferPool(
            @Nullable Object ndisHandle, NET_BUFFER_POOL_PARAMETERS parameters) {
        return SystemNdis.of(ndisHandle).allocateNetBufferPool(parameters.toCore());
    }

    /** {@code NdisFreeNetBufferPool(PoolHandle)}: all its NBs must be freed first. */
    public static void NdisFreeNetBufferPool(NetBufferPool poolHandle) {
        poolHandle.close();
    }

    /** {@code NdisAllocateNetBuffer(PoolHandle, MdlChain, DataOffset, DataLength)}; {@code null} on a data pool. */
    public static @Nullable NetBuffer NdisAllocateNetBuffer(
            NetBufferPool poolHandle, @Nullable Mdl mdlChain, int dataOffset, int dataLength) {
        return poolHandle.allocateNetBuffer(mdlChain, dataOffset, dataLength);
    }

    /** {@code NdisAllocateNetBufferMdlAndData(PoolHandle)}: only on a data pool; all the data is headroom. */
    public static @Nullable NetBuffer NdisAllocateNetBufferMdlAndData(NetBufferPool poolHandle) {
        return poolHandle.allocateNetBufferMdlAndData();
    }

    /** {@code NdisFreeNetBuffer(NetBuffer)}. */
    public static void NdisFreeNetBuffer(NetBuffer netBuffer) {
        netBuffer.free();
    }

    /** {@code NdisGetPoolFromNetBuffer(NetBuffer)}: the NBL pool for an NB that came with its NBL. */
    public static @Nullable BufferPool NdisGetPoolFromNetBuffer(NetBuffer netBuffer) {
        return netBuffer.poolHandle();
    }

    /**
     * {@code NdisRetreatNetBufferDataStart(NetBuffer, DataOffsetDelta, DataBackFill, AllocateMdlHandler)}.
     *
     * @return NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when the allocator gave no MDL
     */
    public static int NdisRetreatNetBufferDataStart(
            NetBuffer netBuffer,
            int dataOffsetDelta,
            int dataBackFill,
            @Nullable NetBufferMdlAllocator allocateMdlHandler) {
        return netBuffer.retreat(dataOffsetDelta, dataBackFill, allocateMdlHandler);
    }

    /** {@code NdisAdvanceNetBufferDataStart(NetBuffer, DataOffsetDelta, FreeMdl, FreeMdlHandler)}. */
    public static void NdisAdvanceNetBufferDataStart(
            NetBuffer netBuffer, int dataOffsetDelta, boolean freeMdl, @Nullable NetBufferMdlFreer freeMdlHandler) {
        netBuffer.advance(dataOffsetDelta, freeMdl, freeMdlHandler);
    }

    /** {@code NdisAdjustNetBufferCurrentMdl(NetBuffer)}. */
    public static void NdisAdjustNetBufferCurrentMdl(NetBuffer netBuffer) {
        netBuffer.adjustCurrentMdl();
    }

    /**
     * {@code NdisGetDataBuffer(NetBuffer, BytesNeeded, Storage, AlignMultiple, AlignOffset)}: a view of the packet,
     * or {@code storage} after a copy, or {@code null}.
     */
    public static @Nullable MemorySegment NdisGetDataBuffer(
            NetBuffer netBuffer, int bytesNeeded, @Nullable MemorySegment storage, int alignMultiple, int alignOffset) {
        return netBuffer.getDataBuffer(bytesNeeded, storage, alignMultiple, alignOffset);
    }

    /**
     * {@code NdisCopyFromNetBufferToNetBuffer(Destination, DestinationOffset, BytesToCopy, Source, SourceOffset,
     * &BytesCopied)}.
     *
     * @return NDIS_STATUS_SUCCESS (nbl4j memory is always mapped, so the RESOURCES of a failed mapping never occurs)
     */
    public static int NdisCopyFromNetBufferToNetBuffer(
            NetBuffer destination,
            int destinationOffset,
            int bytesToCopy,
            NetBuffer source,
            int sourceOffset,
            Ref<Integer> bytesCopied) {
        bytesCopied.set(NetBuffer.copy(destination, destinationOffset, bytesToCopy, source, sourceOffset));
        return NDIS_STATUS_SUCCESS;
    }

    /** {@code NdisQueryNetBufferPhysicalCount(NetBuffer)}. */
    public static int NdisQueryNetBufferPhysicalCount(NetBuffer netBuffer) {
        return netBuffer.physicalCount();
    }

    // ---- NB accessor macros (§3.1) ----

    /** {@code NET_BUFFER_NEXT_NB(nb)}. */
    public static @Nullable NetBuffer NET_BUFFER_NEXT_NB(NetBuffer nb) {
        return nb.next();
    }

    /** {@code NET_BUFFER_NEXT_NB(nb) = next}: only the NB's creator may relink. */
    public static void NET_BUFFER_NEXT_NB(NetBuffer nb, @Nullable NetBuffer next) {
        nb.setNext(next);
    }

    /** {@code NET_BUFFER_FIRST_MDL(nb)}: {@code MdlChain}. */
    public static @Nullable Mdl NET_BUFFER_FIRST_MDL(NetBuffer nb) {
        return nb.mdlChain();
    }

    /** {@code NET_BUFFER_FIRST_MDL(nb) = mdlChain}. */
    public static void NET_BUFFER_FIRST_MDL(NetBuffer nb, @Nullable Mdl mdlChain) {
        nb.setMdlChain(mdlChain);
    }

    /** {@code NET_BUFFER_DATA_LENGTH(nb)}. */
    public static int NET_BUFFER_DATA_LENGTH(NetBuffer nb) {
        return nb.dataLength();
    }

    /** {@code NET_BUFFER_DATA_LENGTH(nb) = dataLength}. */
    public static void NET_BUFFER_DATA_LENGTH(NetBuffer nb, int dataLength) {
        nb.setDataLength(dataLength);
    }

    /** {@code NET_BUFFER_DATA_OFFSET(nb)}. */
    public static int NET_BUFFER_DATA_OFFSET(NetBuffer nb) {
        return nb.dataOffset();
    }

    /** {@code NET_BUFFER_DATA_OFFSET(nb) = dataOffset}. */
    public static void NET_BUFFER_DATA_OFFSET(NetBuffer nb, int dataOffset) {
        nb.setDataOffset(dataOffset);
    }

    /** {@code NET_BUFFER_CURRENT_MDL(nb)}. */
    public static @Nullable Mdl NET_BUFFER_CURRENT_MDL(NetBuffer nb) {
        return nb.currentMdl();
    }

    /** {@code NET_BUFFER_CURRENT_MDL(nb) = currentMdl}. */
    public static void NET_BUFFER_CURRENT_MDL(NetBuffer nb, @Nullable Mdl currentMdl) {
        nb.setCurrentMdl(currentMdl);
    }

    /** {@code NET_BUFFER_CURRENT_MDL_OFFSET(nb)}. */
    public static int NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer nb) {
        return nb.currentMdlOffset();
    }

    /** {@code NET_BUFFER_CURRENT_MDL_OFFSET(nb) = currentMdlOffset}. */
    public static void NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer nb, int currentMdlOffset) {
        nb.setCurrentMdlOffset(currentMdlOffset);
    }

    /** {@code NET_BUFFER_CHECKSUM_BIAS(nb)}. */
    public static int NET_BUFFER_CHECKSUM_BIAS(NetBuffer nb) {
        return nb.checksumBias();
    }

    /** {@code NET_BUFFER_CHECKSUM_BIAS(nb) = checksumBias}. */
    public static void NET_BUFFER_CHECKSUM_BIAS(NetBuffer nb, int checksumBias) {
        nb.setChecksumBias(checksumBias);
    }

    /** {@code NET_BUFFER_PROTOCOL_RESERVED(nb)}: the six slots; {@code [i] = x} writes one. */
    public static @Nullable Object[] NET_BUFFER_PROTOCOL_RESERVED(NetBuffer nb) {
        return nb.protocolReserved();
    }

    /** {@code NET_BUFFER_MINIPORT_RESERVED(nb)}: the four slots. */
    public static @Nullable Object[] NET_BUFFER_MINIPORT_RESERVED(NetBuffer nb) {
        return nb.miniportReserved();
    }

    // ---- NBL pools and NBLs (§4) ----

    /**
     * {@code NdisAllocateNetBufferListPool(NdisHandle, Parameters)}.
     *
     * @return the pool, or {@code null} if the parameters are invalid (§4.6: e.g. {@code Header.Revision} 0)
     */
    public static @Nullable NetBufferListPool NdisAllocateNetBufferListPool(
            @Nullable Object ndisHandle, NET_BUFFER_LIST_POOL_PARAMETERS parameters) {
        return SystemNdis.of(ndisHandle).allocateNetBufferListPool(parameters.toCore());
    }

    /** {@code NdisFreeNetBufferListPool(PoolHandle)}: all its NBLs must be freed first. */
    public static void NdisFreeNetBufferListPool(NetBufferListPool poolHandle) {
        poolHandle.close();
    }

    /** {@code NdisAllocateNetBufferList(PoolHandle, ContextSize, ContextBackFill)}. */
    public static @Nullable NetBufferList NdisAllocateNetBufferList(
            NetBufferListPool poolHandle, int contextSize, int contextBackFill) {
        return poolHandle.allocateNetBufferList(contextSize, contextBackFill);
    }

    /**
     * {@code NdisAllocateNetBufferAndNetBufferList(PoolHandle, ContextSize, ContextBackFill, MdlChain, DataOffset,
     * DataLength)}: {@code null} unless the pool has an NB per NBL and no data.
     */
    public static @Nullable NetBufferList NdisAllocateNetBufferAndNetBufferList(
            NetBufferListPool poolHandle,
            int contextSize,
            int contextBackFill,
            @Nullable Mdl mdlChain,
            int dataOffset,
            int dataLength) {
        return poolHandle.allocateNetBufferAndNetBufferList(
                contextSize, contextBackFill, mdlChain, dataOffset, dataLength);
    }

    /** {@code NdisFreeNetBufferList(NetBufferList)} (§4.8). */
    public static void NdisFreeNetBufferList(NetBufferList netBufferList) {
        netBufferList.free();
    }

    /** {@code NdisGetPoolFromNetBufferList(NetBufferList)}. */
    public static @Nullable NetBufferListPool NdisGetPoolFromNetBufferList(NetBufferList netBufferList) {
        return netBufferList.poolHandle();
    }

    /**
     * {@code NdisRetreatNetBufferListDataStart(NetBufferList, DataOffsetDelta, DataBackFill, AllocateMdlHandler,
     * FreeMdlHandler)}.
     *
     * @return SUCCESS, RESOURCES, or INVALID_PARAMETER when exactly one handler is given
     */
    public static int NdisRetreatNetBufferListDataStart(
            NetBufferList netBufferList,
            int dataOffsetDelta,
            int dataBackFill,
            @Nullable NetBufferMdlAllocator allocateMdlHandler,
            @Nullable NetBufferMdlFreer freeMdlHandler) {
        return netBufferList.retreat(dataOffsetDelta, dataBackFill, allocateMdlHandler, freeMdlHandler);
    }

    /** {@code NdisAdvanceNetBufferListDataStart(NetBufferList, DataOffsetDelta, FreeMdl, FreeMdlHandler)}. */
    public static void NdisAdvanceNetBufferListDataStart(
            NetBufferList netBufferList,
            int dataOffsetDelta,
            boolean freeMdl,
            @Nullable NetBufferMdlFreer freeMdlHandler) {
        netBufferList.advance(dataOffsetDelta, freeMdl, freeMdlHandler);
    }

    /**
     * {@code NdisAllocateNetBufferListContext(NetBufferList, ContextSize, ContextBackFill, PoolTag)}.
     *
     * @return SUCCESS, INVALID_DATA for a size that is not a multiple of 8, or RESOURCES
     */
    public static int NdisAllocateNetBufferListContext(
            NetBufferList netBufferList, int contextSize, int contextBackFill, int poolTag) {
        return netBufferList.allocateContext(contextSize, contextBackFill, new PoolTag(poolTag));
    }

    /** {@code NdisFreeNetBufferListContext(NetBufferList, ContextSize)}. */
    public static void NdisFreeNetBufferListContext(NetBufferList netBufferList, int contextSize) {
        netBufferList.freeContext(contextSize);
    }

    // ---- derived NBLs (§5) ----

    /**
     * {@code NdisAllocateCloneNetBufferList(OriginalNetBufferList, NetBufferListPoolHandle, NetBufferPoolHandle,
     * AllocateCloneFlags)}: {@code null} pools are NDIS's own. Parent and child count are the caller's (§5.1).
     */
    public static @Nullable NetBufferList NdisAllocateCloneNetBufferList(
            NetBufferList originalNetBufferList,
            @Nullable NetBufferListPool netBufferListPoolHandle,
            @Nullable NetBufferPool netBufferPoolHandle,
            int allocateCloneFlags) {
        return originalNetBufferList.allocateClone(netBufferListPoolHandle, netBufferPoolHandle, allocateCloneFlags);
    }

    /** {@code NdisFreeCloneNetBufferList(CloneNetBufferList, FreeCloneFlags)}: flags as at the allocation. */
    public static void NdisFreeCloneNetBufferList(NetBufferList cloneNetBufferList, int freeCloneFlags) {
        cloneNetBufferList.freeClone(freeCloneFlags);
    }

    /**
     * {@code NdisAllocateFragmentNetBufferList(OriginalNetBufferList, NetBufferListPool, NetBufferPool, StartOffset,
     * MaximumLength, DataOffsetDelta, DataBackFill, AllocateFragmentFlags)}.
     */
    public static @Nullable NetBufferList NdisAllocateFragmentNetBufferList(
            NetBufferList originalNetBufferList,
            @Nullable NetBufferListPool netBufferListPool,
            @Nullable NetBufferPool netBufferPool,
            int startOffset,
            int maximumLength,
            int dataOffsetDelta,
            int dataBackFill,
            int allocateFragmentFlags) {
        return originalNetBufferList.allocateFragment(
                netBufferListPool,
                netBufferPool,
                startOffset,
                maximumLength,
                dataOffsetDelta,
                dataBackFill,
                allocateFragmentFlags);
    }

    /** {@code NdisFreeFragmentNetBufferList(FragmentNetBufferList, DataOffsetDelta, FreeFragmentFlags)}. */
    public static void NdisFreeFragmentNetBufferList(
            NetBufferList fragmentNetBufferList, int dataOffsetDelta, int freeFragmentFlags) {
        fragmentNetBufferList.freeFragment(dataOffsetDelta, freeFragmentFlags);
    }

    /**
     * {@code NdisAllocateReassembledNetBufferList(FragmentNetBufferList, NetBufferAndNetBufferListPoolHandle,
     * StartOffset, DataOffsetDelta, DataBackFill, AllocateReassembleFlags)}.
     */
    public static @Nullable NetBufferList NdisAllocateReassembledNetBufferList(
            NetBufferList fragmentNetBufferList,
            @Nullable NetBufferListPool netBufferAndNetBufferListPoolHandle,
            int startOffset,
            int dataOffsetDelta,
            int dataBackFill,
            int allocateReassembleFlags) {
        return fragmentNetBufferList.allocateReassembled(
                netBufferAndNetBufferListPoolHandle,
                startOffset,
                dataOffsetDelta,
                dataBackFill,
                allocateReassembleFlags);
    }

    /** {@code NdisFreeReassembledNetBufferList(ReassembledNetBufferList, DataOffsetDelta, FreeReassembleFlags)}. */
    public static void NdisFreeReassembledNetBufferList(
            NetBufferList reassembledNetBufferList, int dataOffsetDelta, int freeReassembleFlags) {
        reassembledNetBufferList.freeReassembled(dataOffsetDelta, freeReassembleFlags);
    }

    /** {@code NdisCopySendNetBufferListInfo(DestNetBufferList, SrcNetBufferList)} (§5.5). */
    public static void NdisCopySendNetBufferListInfo(NetBufferList destNetBufferList, NetBufferList srcNetBufferList) {
        destNetBufferList.copySendInfoFrom(srcNetBufferList);
    }

    /** {@code NdisCopyReceiveNetBufferListInfo(DestNetBufferList, SrcNetBufferList)} (§5.5). */
    public static void NdisCopyReceiveNetBufferListInfo(
            NetBufferList destNetBufferList, NetBufferList srcNetBufferList) {
        destNetBufferList.copyReceiveInfoFrom(srcNetBufferList);
    }

    // ---- filter data path and state (§6.1, §6.9) ----

    /**
     * {@code NdisFSendNetBufferLists(NdisFilterHandle, NetBufferList, PortNumber, SendFlags)}: passes NBLs down. An NBL
     * the module originates must carry its filter handle as {@code SourceHandle}.
     */
    public static void NdisFSendNetBufferLists(
            Object ndisFilterHandle, NetBufferList netBufferList, int portNumber, int sendFlags) {
        filter(ndisFilterHandle).sendNetBufferLists(netBufferList, portNumber, sendFlags);
    }

    /** {@code NdisFSendNetBufferListsComplete(NdisFilterHandle, NetBufferList, SendCompleteFlags)}. */
    public static void NdisFSendNetBufferListsComplete(
            Object ndisFilterHandle, NetBufferList netBufferList, int sendCompleteFlags) {
        filter(ndisFilterHandle).sendNetBufferListsComplete(netBufferList, sendCompleteFlags);
    }

    /**
     * {@code NdisFIndicateReceiveNetBufferLists(NdisFilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists,
     * ReceiveFlags)}.
     */
    public static void NdisFIndicateReceiveNetBufferLists(
            Object ndisFilterHandle,
            NetBufferList netBufferLists,
            int portNumber,
            int numberOfNetBufferLists,
            int receiveFlags) {
        filter(ndisFilterHandle)
                .indicateReceiveNetBufferLists(netBufferLists, portNumber, numberOfNetBufferLists, receiveFlags);
    }

    /** {@code NdisFReturnNetBufferLists(NdisFilterHandle, NetBufferLists, ReturnFlags)}. */
    public static void NdisFReturnNetBufferLists(
            Object ndisFilterHandle, NetBufferList netBufferLists, int returnFlags) {
        filter(ndisFilterHandle).returnNetBufferLists(netBufferLists, returnFlags);
    }

    /** {@code NdisFCancelSendNetBufferLists(NdisFilterHandle, CancelId)}. */
    public static void NdisFCancelSendNetBufferLists(Object ndisFilterHandle, long cancelId) {
        filter(ndisFilterHandle).cancelSendNetBufferLists(cancelId);
    }

    /** {@code NdisFPauseComplete(NdisFilterHandle)}: ends a pause FilterPause left PENDING. */
    public static void NdisFPauseComplete(Object ndisFilterHandle) {
        filter(ndisFilterHandle).pauseComplete();
    }

    /** {@code NdisFRestartComplete(NdisFilterHandle, Status)}: ends a restart FilterRestart left PENDING. */
    public static void NdisFRestartComplete(Object ndisFilterHandle, int status) {
        filter(ndisFilterHandle).restartComplete(status);
    }

    /**
     * The filter module an {@code NdisFilterHandle} (typed {@code PVOID} in C) names.
     *
     * @throws IllegalArgumentException for anything but the {@link LwfHandle} NDIS gave the module at attach
     */
    private static LwfHandle filter(Object ndisFilterHandle) {
        if (ndisFilterHandle instanceof LwfHandle handle) {
            return handle;
        }
        throw new IllegalArgumentException("not an NdisFilterHandle: " + ndisFilterHandle);
    }

    // ---- NBL accessor macros and helpers (§4.1 - §4.5, §6.7) ----

    /** {@code NET_BUFFER_LIST_NEXT_NBL(nbl)}. */
    public static @Nullable NetBufferList NET_BUFFER_LIST_NEXT_NBL(NetBufferList nbl) {
        return nbl.next();
    }

    /** {@code NET_BUFFER_LIST_NEXT_NBL(nbl) = next}. */
    public static void NET_BUFFER_LIST_NEXT_NBL(NetBufferList nbl, @Nullable NetBufferList next) {
        nbl.setNext(next);
    }

    /** {@code NET_BUFFER_LIST_FIRST_NB(nbl)}. */
    public static @Nullable NetBuffer NET_BUFFER_LIST_FIRST_NB(NetBufferList nbl) {
        return nbl.firstNetBuffer();
    }

    /** {@code NET_BUFFER_LIST_FIRST_NB(nbl) = firstNetBuffer}. */
    public static void NET_BUFFER_LIST_FIRST_NB(NetBufferList nbl, @Nullable NetBuffer firstNetBuffer) {
        nbl.setFirstNetBuffer(firstNetBuffer);
    }

    /** {@code NET_BUFFER_LIST_STATUS(nbl)}. */
    public static int NET_BUFFER_LIST_STATUS(NetBufferList nbl) {
        return nbl.status();
    }

    /** {@code NET_BUFFER_LIST_STATUS(nbl) = status}. */
    public static void NET_BUFFER_LIST_STATUS(NetBufferList nbl, int status) {
        nbl.setStatus(status);
    }

    /** {@code NET_BUFFER_LIST_FLAGS(nbl)}: the partitioned private {@code Flags}. */
    public static int NET_BUFFER_LIST_FLAGS(NetBufferList nbl) {
        return nbl.flags();
    }

    /** {@code NET_BUFFER_LIST_FLAGS(nbl) = flags}. */
    public static void NET_BUFFER_LIST_FLAGS(NetBufferList nbl, int flags) {
        nbl.setFlags(flags);
    }

    /** {@code NET_BUFFER_LIST_NBL_FLAGS(nbl)}: the public {@code NblFlags}. */
    public static int NET_BUFFER_LIST_NBL_FLAGS(NetBufferList nbl) {
        return nbl.nblFlags();
    }

    /** {@code NET_BUFFER_LIST_NBL_FLAGS(nbl) = nblFlags}. */
    public static void NET_BUFFER_LIST_NBL_FLAGS(NetBufferList nbl, int nblFlags) {
        nbl.setNblFlags(nblFlags);
    }

    /** {@code NdisTestNblFlag(nbl, f)}: any of the bits set. */
    public static boolean NdisTestNblFlag(NetBufferList nbl, int flag) {
        return nbl.testNblFlag(flag);
    }

    /** {@code NdisTestNblFlags(nbl, f)}: all of the bits set. */
    public static boolean NdisTestNblFlags(NetBufferList nbl, int flags) {
        return nbl.testNblFlags(flags);
    }

    /** {@code NdisSetNblFlag(nbl, f)}. */
    public static void NdisSetNblFlag(NetBufferList nbl, int flag) {
        nbl.setNblFlag(flag);
    }

    /** {@code NdisClearNblFlag(nbl, f)}. */
    public static void NdisClearNblFlag(NetBufferList nbl, int flag) {
        nbl.clearNblFlag(flag);
    }

    /**
     * {@code NET_BUFFER_LIST_INFO(nbl, id)}: the slot as the C {@code PVOID}: {@code null} for {@code NULL}, the
     * stored object for a pointer, or a {@link Long} for a value packed into the slot, so that
     * {@code (ULONG_PTR) NET_BUFFER_LIST_INFO(nbl, id)} ports as a cast to {@code long} of a slot known to be set.
     * Boxing a packed value may allocate; code on a hot path reads {@link NetBufferList#infoValue} directly.
     */
    public static @Nullable Object NET_BUFFER_LIST_INFO(NetBufferList nbl, NetBufferListInfo id) {
        Object reference = nbl.info(id);
        if (reference != null) {
            return reference;
        }
        long value = nbl.infoValue(id);
        return value == 0 ? null : value;
    }

    /** {@code NET_BUFFER_LIST_INFO(nbl, id) = (PVOID) value}: a value packed into the slot. */
    public static void NET_BUFFER_LIST_INFO(NetBufferList nbl, NetBufferListInfo id, long value) {
        nbl.setInfoValue(id, value);
    }

    /**
     * {@code NET_BUFFER_LIST_INFO(nbl, id) = pointer}. A {@link Long} (what the getter returns for a packed value)
     * is stored back as a packed value, so that copying a slot through the getter and setter keeps its form.
     */
    public static void NET_BUFFER_LIST_INFO(NetBufferList nbl, NetBufferListInfo id, @Nullable Object pointer) {
        if (pointer instanceof Long value) {
            nbl.setInfoValue(id, value);
        } else {
            nbl.setInfo(id, pointer);
        }
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_VALUE(nbl)}. */
    public static int NET_BUFFER_LIST_GET_HASH_VALUE(NetBufferList nbl) {
        return nbl.hashValue();
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_VALUE(nbl, value)}. */
    public static void NET_BUFFER_LIST_SET_HASH_VALUE(NetBufferList nbl, int hashValue) {
        nbl.setHashValue(hashValue);
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_TYPE(nbl)}: {@code HashInfo & 0x00FFFF00}. */
    public static int NET_BUFFER_LIST_GET_HASH_TYPE(NetBufferList nbl) {
        return nbl.hashType();
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_TYPE(nbl, type)}: rewrites only the type bits. */
    public static void NET_BUFFER_LIST_SET_HASH_TYPE(NetBufferList nbl, int hashType) {
        nbl.setHashType(hashType);
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_FUNCTION(nbl)}: {@code HashInfo & 0x000000FF}. */
    public static int NET_BUFFER_LIST_GET_HASH_FUNCTION(NetBufferList nbl) {
        return nbl.hashFunction();
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_FUNCTION(nbl, function)}: rewrites only the function bits. */
    public static void NET_BUFFER_LIST_SET_HASH_FUNCTION(NetBufferList nbl, int hashFunction) {
        nbl.setHashFunction(hashFunction);
    }

    /** {@code NdisGetNetBufferListProtocolId(nbl)}: the low byte of {@code NetBufferListProtocolId}. */
    public static int NdisGetNetBufferListProtocolId(NetBufferList nbl) {
        return nbl.protocolId();
    }

    /** {@code NdisSetNetBufferListProtocolId(nbl, id)}: writes only the low byte. */
    public static void NdisSetNetBufferListProtocolId(NetBufferList nbl, int protocolId) {
        nbl.setProtocolId(protocolId);
    }

    /**
     * {@code NET_BUFFER_LIST_CONTEXT_DATA_START(nbl)}: the most recent context push, to the end of the top block.
     *
     * @throws IllegalStateException if the NBL has no context (C would dereference {@code NULL})
     */
    public static MemorySegment NET_BUFFER_LIST_CONTEXT_DATA_START(NetBufferList nbl) {
        NetBufferListContext top = nbl.context();
        if (top == null) {
            throw new IllegalStateException("NET_BUFFER_LIST_CONTEXT_DATA_START of an NBL without context");
        }
        return top.data().asSlice(nbl.contextDataStart());
    }

    /**
     * {@code NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl)}: the whole top block, used and unused, as the header defines it
     * (ndis-buffers §4.5); 0 without context.
     */
    public static int NET_BUFFER_LIST_CONTEXT_DATA_SIZE(NetBufferList nbl) {
        return nbl.contextDataSize();
    }

    /** {@code NET_BUFFER_LIST_PROTOCOL_RESERVED(nbl)}: the four slots. */
    public static @Nullable Object[] NET_BUFFER_LIST_PROTOCOL_RESERVED(NetBufferList nbl) {
        return nbl.protocolReserved();
    }

    /** {@code NET_BUFFER_LIST_MINIPORT_RESERVED(nbl)}: the two slots. */
    public static @Nullable Object[] NET_BUFFER_LIST_MINIPORT_RESERVED(NetBufferList nbl) {
        return nbl.miniportReserved();
    }

    /** {@code NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl)}. */
    public static long NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(NetBufferList nbl) {
        return nbl.cancelId();
    }

    /** {@code NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(nbl, id)}; 0 is {@code NULL}, no id. */
    public static void NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(NetBufferList nbl, long cancelId) {
        nbl.setCancelId(cancelId);
    }

    /**
     * {@code NdisGeneratePartialCancelId()}: the high byte of an originator's cancel ids, from the thread's
     * {@link SystemNdis}.
     */
    public static int NdisGeneratePartialCancelId() {
        return SystemNdis.current().generatePartialCancelId();
    }

    // ---- control devices of filter drivers ----

    /** {@code NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES}. */
    public static final int NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES = 0x85;
    /** {@code NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1}. */
    public static final int NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1 = 1;
    /** {@code NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1} (x64). */
    public static final int NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1 = 56;

    /**
     * {@code NdisRegisterDeviceEx(NdisHandle, DeviceObjectAttributes, &DeviceObject, &NdisDeviceHandle)}: a filter
     * driver's control device. As NDIS does, it creates the device and its symbolic link under a driver object of its
     * own whose dispatch table is {@code MajorFunctions} ({@code IoCreateDevice}, {@code IoCreateSymbolicLink}).
     *
     * @param NdisHandle the filter driver's handle (accepted, any NDIS handle)
     * @return {@code NDIS_STATUS_SUCCESS}; {@code NDIS_STATUS_INVALID_PARAMETER} for a bad header or a missing name or
     *     table; otherwise the failing Io call's status
     */
    public static int NdisRegisterDeviceEx(
            @Nullable Object NdisHandle,
            NDIS_DEVICE_OBJECT_ATTRIBUTES DeviceObjectAttributes,
            Ref<DEVICE_OBJECT> DeviceObject,
            Ref<NdisDeviceHandle> NdisDeviceHandle) {
        NDIS_DEVICE_OBJECT_ATTRIBUTES attributes = DeviceObjectAttributes;
        DRIVER_DISPATCH[] table = attributes.MajorFunctions;
        if (attributes.Header.Type != NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES
                || attributes.Header.Revision < NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1
                || attributes.Header.Size < NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1
                || attributes.DeviceName == null
                || attributes.SymbolicName == null
                || table == null) {
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        DRIVER_OBJECT ndisDriver = new DRIVER_OBJECT();
        System.arraycopy(
                table, 0, ndisDriver.MajorFunction, 0, Math.min(table.length, ndisDriver.MajorFunction.length));
        Ref<DEVICE_OBJECT> created = new Ref<>();
        int status = WdmIo.IoCreateDevice(
                ndisDriver,
                attributes.ExtensionSize,
                attributes.DeviceName,
                WdmIo.FILE_DEVICE_NETWORK,
                0,
                false,
                created);
        DEVICE_OBJECT device = created.value();
        if (status != NDIS_STATUS_SUCCESS || device == null) {
            return status;
        }
        status = WdmIo.IoCreateSymbolicLink(attributes.SymbolicName, attributes.DeviceName);
        if (status != NDIS_STATUS_SUCCESS) {
            WdmIo.IoDeleteDevice(device);
            return status;
        }
        device.Flags &= ~WdmIo.DO_DEVICE_INITIALIZING;
        DeviceObject.set(device);
        NdisDeviceHandle.set(new NdisDeviceHandle(ndisDriver, device, attributes.SymbolicName));
        return NDIS_STATUS_SUCCESS;
    }

    /** {@code NdisDeregisterDeviceEx(NdisDeviceHandle)}: deletes the link and the device. */
    public static void NdisDeregisterDeviceEx(NdisDeviceHandle NdisDeviceHandle) {
        WdmIo.IoDeleteSymbolicLink(NdisDeviceHandle.symbolicName);
        WdmIo.IoDeleteDevice(NdisDeviceHandle.deviceObject);
    }
}
