package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.Compartment;
import org.nbl4j.stack.ip.TransportPacketHeaders;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyContext;
import org.nbl4j.stack.wfp.ClassifyHandle;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FwpStatusException;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.NblNotifyFn;
import org.nbl4j.stack.wfp.PendedOperation;

/**
 * The packet DDIs and constants of {@code fwpsk.h} with their C names, C argument order and C values
 * (wfp-callouts-and-injection §2 - §4), over {@link org.nbl4j.stack.wfp}: each function translates its arguments and
 * calls the engine method that holds the behaviour. A failure the engine throws as {@link FwpStatusException} is
 * returned as the DDI's NTSTATUS.
 *
 * <p>DDIs without a handle naming the engine use the thread's {@link SystemWfp}. An injection {@code HANDLE} is the
 * {@link InjectionHandle}; an {@code ADDRESS_FAMILY} is the {@code int} {@link #AF_INET}, {@link #AF_INET6} or
 * {@link #AF_UNSPEC}; the {@code HANDLE injectionContext} of the inject functions is a {@code long}, as the engine
 * keeps it. The structures a callout receives ({@code FWPS_INCOMING_VALUES0}, {@code FWPS_INCOMING_METADATA_VALUES0},
 * {@code FWPS_CLASSIFY_OUT0}, {@code FWPS_CALLOUT2}) are the engine's classes, read through their accessors
 * ({@code inMetaValues->compartmentId} is {@code inMetaValues.compartmentId()}) and written through their setters
 * ({@code classifyOut->actionType = FWP_ACTION_BLOCK;} is {@code classifyOut.setActionType(FWP_ACTION_BLOCK);}).
 *
 * <p>Layer ids, field indexes, action types, injection states and statuses are literal {@code int} constants, as the
 * header's enumerators are, so that a ported {@code switch} compiles; a test pins each to the engine's enum.
 */
public final class Fwpsk {
    private Fwpsk() {}

    // ---- NTSTATUS codes the fwpsk DDIs return (ntstatus.h) ----

    public static final int STATUS_SUCCESS = NtStatus.STATUS_SUCCESS;
    public static final int STATUS_INVALID_PARAMETER = NtStatus.STATUS_INVALID_PARAMETER;
    public static final int STATUS_INSUFFICIENT_RESOURCES = NtStatus.STATUS_INSUFFICIENT_RESOURCES;
    public static final int STATUS_NOT_FOUND = NtStatus.STATUS_NOT_FOUND;
    public static final int STATUS_INVALID_HANDLE = NtStatus.STATUS_INVALID_HANDLE;
    public static final int STATUS_FWP_TCPIP_NOT_READY = NtStatus.STATUS_FWP_TCPIP_NOT_READY;
    public static final int STATUS_FWP_INJECT_HANDLE_CLOSING = NtStatus.STATUS_FWP_INJECT_HANDLE_CLOSING;
    public static final int STATUS_FWP_INJECT_HANDLE_STALE = NtStatus.STATUS_FWP_INJECT_HANDLE_STALE;
    public static final int STATUS_FWP_NULL_POINTER = NtStatus.STATUS_FWP_NULL_POINTER;
    public static final int STATUS_FWP_ALREADY_EXISTS = NtStatus.STATUS_FWP_ALREADY_EXISTS;
    public static final int STATUS_FWP_CALLOUT_NOT_FOUND = NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND;

    // ---- ADDRESS_FAMILY (ws2def.h) and COMPARTMENT_ID ----

    /** {@code AF_UNSPEC}: an injection handle for no particular family. */
    public static final int AF_UNSPEC = 0;
    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6}. */
    public static final int AF_INET6 = 23;

    public static final int UNSPECIFIED_COMPARTMENT_ID = Compartment.UNSPECIFIED_COMPARTMENT_ID;
    public static final int DEFAULT_COMPARTMENT_ID = Compartment.DEFAULT_COMPARTMENT_ID;

    // ---- FWPS_INJECTION_TYPE_* and FWPS_PACKET_INJECTION_STATE ----

    public static final int FWPS_INJECTION_TYPE_STREAM = InjectionType.FWPS_INJECTION_TYPE_STREAM;
    public static final int FWPS_INJECTION_TYPE_TRANSPORT = InjectionType.FWPS_INJECTION_TYPE_TRANSPORT;
    public static final int FWPS_INJECTION_TYPE_NETWORK = InjectionType.FWPS_INJECTION_TYPE_NETWORK;
    public static final int FWPS_INJECTION_TYPE_FORWARD = InjectionType.FWPS_INJECTION_TYPE_FORWARD;
    public static final int FWPS_INJECTION_TYPE_L2 = InjectionType.FWPS_INJECTION_TYPE_L2;
    public static final int FWPS_INJECTION_TYPE_VSWITCH_TRANSPORT = InjectionType.FWPS_INJECTION_TYPE_VSWITCH_TRANSPORT;

    public static final int FWPS_PACKET_NOT_INJECTED = 0;
    public static final int FWPS_PACKET_INJECTED_BY_SELF = 1;
    public static final int FWPS_PACKET_INJECTED_BY_OTHER = 2;
    public static final int FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF = 3;

    // ---- classify: actions, rights, flags, metadata bits, layers, fields ----

    // FWP_ACTION_TYPE values, a UINT32 in C: callouts assign and switch on them.
    public static final int FWP_ACTION_FLAG_TERMINATING = 0x00001000;
    public static final int FWP_ACTION_FLAG_NON_TERMINATING = 0x00002000;
    public static final int FWP_ACTION_FLAG_CALLOUT = 0x00004000;
    public static final int FWP_ACTION_BLOCK = 0x0001 | FWP_ACTION_FLAG_TERMINATING;
    public static final int FWP_ACTION_PERMIT = 0x0002 | FWP_ACTION_FLAG_TERMINATING;
    public static final int FWP_ACTION_CALLOUT_TERMINATING =
            0x0003 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING;
    public static final int FWP_ACTION_CALLOUT_INSPECTION =
            0x0004 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_NON_TERMINATING;
    public static final int FWP_ACTION_CALLOUT_UNKNOWN = 0x0005 | FWP_ACTION_FLAG_CALLOUT;
    public static final int FWP_ACTION_CONTINUE = 0x0006 | FWP_ACTION_FLAG_NON_TERMINATING;
    public static final int FWP_ACTION_NONE = 0x0007;
    public static final int FWP_ACTION_NONE_NO_MATCH = 0x0008;

    public static final int FWPS_RIGHT_ACTION_WRITE = ClassifyOut.FWPS_RIGHT_ACTION_WRITE;
    /** {@code FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT}: {@code filter->flags} says the callout must clear the write right. */
    public static final int FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT = 0x0001;

    public static final int FWPS_CLASSIFY_OUT_FLAG_ABSORB = ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB;

    public static final int FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW = Callout.FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW;
    public static final int FWP_CALLOUT_FLAG_ALLOW_OFFLOAD = Callout.FWP_CALLOUT_FLAG_ALLOW_OFFLOAD;
    public static final int FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY =
            Callout.FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY;
    public static final int FWP_CALLOUT_FLAG_ALLOW_RSC = Callout.FWP_CALLOUT_FLAG_ALLOW_RSC;

    public static final int FWPS_METADATA_FIELD_DISCARD_REASON = IncomingMetadata.FWPS_METADATA_FIELD_DISCARD_REASON;
    public static final int FWPS_METADATA_FIELD_IP_HEADER_SIZE = IncomingMetadata.FWPS_METADATA_FIELD_IP_HEADER_SIZE;
    public static final int FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE =
            IncomingMetadata.FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE;
    public static final int FWPS_METADATA_FIELD_COMPARTMENT_ID = IncomingMetadata.FWPS_METADATA_FIELD_COMPARTMENT_ID;
    public static final int FWPS_METADATA_FIELD_FRAGMENT_DATA = IncomingMetadata.FWPS_METADATA_FIELD_FRAGMENT_DATA;
    public static final int FWPS_METADATA_FIELD_PATH_MTU = IncomingMetadata.FWPS_METADATA_FIELD_PATH_MTU;
    public static final int FWPS_METADATA_FIELD_FORWARD_LAYER_OUTBOUND_PASS_THRU =
            IncomingMetadata.FWPS_METADATA_FIELD_FORWARD_LAYER_OUTBOUND_PASS_THRU;
    public static final int FWPS_METADATA_FIELD_FORWARD_LAYER_INBOUND_PASS_THRU =
            IncomingMetadata.FWPS_METADATA_FIELD_FORWARD_LAYER_INBOUND_PASS_THRU;

    // FWPS_BUILTIN_LAYERS run-time ids (§5.1), what inFixedValues->layerId holds.
    public static final int FWPS_LAYER_INBOUND_IPPACKET_V4 = 0;
    public static final int FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD = 1;
    public static final int FWPS_LAYER_INBOUND_IPPACKET_V6 = 2;
    public static final int FWPS_LAYER_INBOUND_IPPACKET_V6_DISCARD = 3;
    public static final int FWPS_LAYER_OUTBOUND_IPPACKET_V4 = 4;
    public static final int FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD = 5;
    public static final int FWPS_LAYER_OUTBOUND_IPPACKET_V6 = 6;
    public static final int FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD = 7;
    public static final int FWPS_LAYER_IPFORWARD_V4 = 8;
    public static final int FWPS_LAYER_IPFORWARD_V4_DISCARD = 9;
    public static final int FWPS_LAYER_IPFORWARD_V6 = 10;
    public static final int FWPS_LAYER_IPFORWARD_V6_DISCARD = 11;

    // FWPS_FIELDS_*: indexes into inFixedValues->incomingValue (§5.4); the V4 and V6 enumerations are alike.
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS = 0;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_IP_REMOTE_ADDRESS = 1;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_INTERFACE_INDEX = 4;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_SUB_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_FLAGS = 6;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_INTERFACE_TYPE = 7;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_TUNNEL_TYPE = 8;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_COMPARTMENT_ID = 9;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V4_MAX = 10;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS = 0;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_IP_REMOTE_ADDRESS = 1;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_INTERFACE_INDEX = 4;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_SUB_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_FLAGS = 6;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_INTERFACE_TYPE = 7;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_TUNNEL_TYPE = 8;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_COMPARTMENT_ID = 9;
    public static final int FWPS_FIELD_INBOUND_IPPACKET_V6_MAX = 10;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS = 0;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS_TYPE = 1;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_INTERFACE_INDEX = 4;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_SUB_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_FLAGS = 6;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_INTERFACE_TYPE = 7;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_TUNNEL_TYPE = 8;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_COMPARTMENT_ID = 9;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V4_MAX = 10;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS = 0;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS_TYPE = 1;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_INTERFACE_INDEX = 4;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_SUB_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_FLAGS = 6;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_INTERFACE_TYPE = 7;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_TUNNEL_TYPE = 8;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_COMPARTMENT_ID = 9;
    public static final int FWPS_FIELD_OUTBOUND_IPPACKET_V6_MAX = 10;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_SOURCE_ADDRESS = 0;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_DESTINATION_ADDRESS = 1;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_DESTINATION_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_FORWARD_INTERFACE = 4;
    public static final int FWPS_FIELD_IPFORWARD_V4_SOURCE_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_IPFORWARD_V4_SOURCE_SUB_INTERFACE_INDEX = 6;
    public static final int FWPS_FIELD_IPFORWARD_V4_DESTINATION_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_IPFORWARD_V4_DESTINATION_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_IPFORWARD_V4_FLAGS = 9;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_PHYSICAL_ARRIVAL_INTERFACE = 10;
    public static final int FWPS_FIELD_IPFORWARD_V4_ARRIVAL_INTERFACE_PROFILE_ID = 11;
    public static final int FWPS_FIELD_IPFORWARD_V4_IP_PHYSICAL_NEXTHOP_INTERFACE = 12;
    public static final int FWPS_FIELD_IPFORWARD_V4_NEXTHOP_INTERFACE_PROFILE_ID = 13;
    public static final int FWPS_FIELD_IPFORWARD_V4_COMPARTMENT_ID = 14;
    public static final int FWPS_FIELD_IPFORWARD_V4_MAX = 15;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_SOURCE_ADDRESS = 0;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_DESTINATION_ADDRESS = 1;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_DESTINATION_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_LOCAL_INTERFACE = 3;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_FORWARD_INTERFACE = 4;
    public static final int FWPS_FIELD_IPFORWARD_V6_SOURCE_INTERFACE_INDEX = 5;
    public static final int FWPS_FIELD_IPFORWARD_V6_SOURCE_SUB_INTERFACE_INDEX = 6;
    public static final int FWPS_FIELD_IPFORWARD_V6_DESTINATION_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_IPFORWARD_V6_DESTINATION_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_IPFORWARD_V6_FLAGS = 9;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_PHYSICAL_ARRIVAL_INTERFACE = 10;
    public static final int FWPS_FIELD_IPFORWARD_V6_ARRIVAL_INTERFACE_PROFILE_ID = 11;
    public static final int FWPS_FIELD_IPFORWARD_V6_IP_PHYSICAL_NEXTHOP_INTERFACE = 12;
    public static final int FWPS_FIELD_IPFORWARD_V6_NEXTHOP_INTERFACE_PROFILE_ID = 13;
    public static final int FWPS_FIELD_IPFORWARD_V6_COMPARTMENT_ID = 14;
    public static final int FWPS_FIELD_IPFORWARD_V6_MAX = 15;

    /** {@code FWPS_IS_METADATA_FIELD_PRESENT(metadataValues, metadataField)}. */
    public static boolean FWPS_IS_METADATA_FIELD_PRESENT(IncomingMetadata metadataValues, int metadataField) {
        return metadataValues.isPresent(metadataField);
    }

    // ---- callouts (§4.1) ----

    /**
     * {@code FwpsCalloutRegister2(deviceObject, &callout, &calloutId)}: the device object is accepted and unused.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_ALREADY_EXISTS, STATUS_INVALID_PARAMETER (no classifyFn), or the engine's
     *     refusal
     */
    public static int FwpsCalloutRegister2(
            @Nullable Object deviceObject, FWPS_CALLOUT callout, @Nullable Ref<Integer> calloutId) {
        if (callout.classifyFn == null) {
            return STATUS_INVALID_PARAMETER;
        }
        try {
            int id = SystemWfp.current().registerCallout(callout.toCallout());
            if (calloutId != null) {
                calloutId.set(id);
            }
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpsCalloutUnregisterByKey0(calloutKey)}.
     *
     * @return STATUS_SUCCESS or STATUS_FWP_CALLOUT_NOT_FOUND
     */
    public static int FwpsCalloutUnregisterByKey0(UUID calloutKey) {
        try {
            SystemWfp.current().unregisterCallout(calloutKey);
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpsCalloutUnregisterById0(calloutId)}.
     *
     * @return STATUS_SUCCESS or STATUS_FWP_CALLOUT_NOT_FOUND
     */
    public static int FwpsCalloutUnregisterById0(int calloutId) {
        try {
            SystemWfp.current().unregisterCallout(calloutId);
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    // ---- buffers (§2) ----

    /**
     * {@code FwpsAllocateNetBufferAndNetBufferList0(poolHandle, contextSize, contextBackFill, mdlChain, dataOffset,
     * dataLength, &netBufferList)}.
     */
    public static int FwpsAllocateNetBufferAndNetBufferList0(
            NetBufferListPool poolHandle,
            int contextSize,
            int contextBackFill,
            @Nullable Mdl mdlChain,
            int dataOffset,
            int dataLength,
            Ref<NetBufferList> netBufferList) {
        try {
            netBufferList.set(SystemWfp.current()
                    .buffers()
                    .allocateNetBufferAndNetBufferList(
                            poolHandle, contextSize, contextBackFill, mdlChain, dataOffset, dataLength));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            netBufferList.set(null);
            return e.status();
        }
    }

    /** {@code FwpsFreeNetBufferList0(netBufferList)}. */
    public static void FwpsFreeNetBufferList0(NetBufferList netBufferList) {
        SystemWfp.current().buffers().freeNetBufferList(netBufferList);
    }

    /**
     * {@code FwpsAllocateCloneNetBufferList0(originalNetBufferList, netBufferListPoolHandle, netBufferPoolHandle,
     * allocateCloneFlags, &netBufferList)}.
     */
    public static int FwpsAllocateCloneNetBufferList0(
            NetBufferList originalNetBufferList,
            @Nullable NetBufferListPool netBufferListPoolHandle,
            @Nullable NetBufferPool netBufferPoolHandle,
            int allocateCloneFlags,
            Ref<NetBufferList> netBufferList) {
        try {
            netBufferList.set(SystemWfp.current()
                    .buffers()
                    .allocateCloneNetBufferList(
                            originalNetBufferList, netBufferListPoolHandle, netBufferPoolHandle, allocateCloneFlags));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            netBufferList.set(null);
            return e.status();
        }
    }

    /**
     * {@code FwpsAllocateDeepCloneNetBufferList0(originalNetBufferList, netBufferListPoolHandle, netBufferPoolHandle,
     * &netBufferList)} (seed 000).
     */
    public static int FwpsAllocateDeepCloneNetBufferList0(
            NetBufferList originalNetBufferList,
            @Nullable NetBufferListPool netBufferListPoolHandle,
            @Nullable NetBufferPool netBufferPoolHandle,
            Ref<NetBufferList> netBufferList) {
        try {
            netBufferList.set(SystemWfp.current()
                    .buffers()
                    .allocateDeepCloneNetBufferList(
                            originalNetBufferList, netBufferListPoolHandle, netBufferPoolHandle));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            netBufferList.set(null);
            return e.status();
        }
    }

    /** {@code FwpsFreeCloneNetBufferList0(netBufferList, freeCloneFlags)}: a clone or a deep clone. */
    public static void FwpsFreeCloneNetBufferList0(NetBufferList netBufferList, int freeCloneFlags) {
        SystemWfp.current().buffers().freeCloneNetBufferList(netBufferList, freeCloneFlags);
    }

    /** {@code FwpsReferenceNetBufferList0(netBufferList, intendToModify)}. */
    public static void FwpsReferenceNetBufferList0(NetBufferList netBufferList, boolean intendToModify) {
        SystemWfp.current().buffers().referenceNetBufferList(netBufferList, intendToModify);
    }

    /** {@code FwpsDereferenceNetBufferList0(netBufferList, dispatchLevel)}. */
    public static void FwpsDereferenceNetBufferList0(NetBufferList netBufferList, boolean dispatchLevel) {
        SystemWfp.current().buffers().dereferenceNetBufferList(netBufferList, dispatchLevel);
    }

    /**
     * {@code FwpsReassembleForwardFragmentGroup0(addressFamily, fragmentGroupNblChain,
     * netBufferAndNetBufferListPoolHandle, dataBackFill, flags, &reassembledNbl)} (§2.9): one NBL for the fragment group
     * indicated at IPFORWARD, freed with {@code FwpsFreeNetBufferList0}.
     *
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER (also for an unknown family), STATUS_FWP_TCPIP_NOT_READY,
     *     STATUS_INSUFFICIENT_RESOURCES or STATUS_INVALID_DEVICE_STATE (above DISPATCH_LEVEL); the out-parameter is NULL
     *     on failure
     */
    public static int FwpsReassembleForwardFragmentGroup0(
            int addressFamily,
            NetBufferList fragmentGroupNblChain,
            @Nullable NetBufferListPool netBufferAndNetBufferListPoolHandle,
            int dataBackFill,
            int flags,
            Ref<NetBufferList> reassembledNbl) {
        reassembledNbl.set(null);
        AddressFamily family = family(addressFamily);
        if (family == null) {
            return STATUS_INVALID_PARAMETER;
        }
        try {
            reassembledNbl.set(SystemWfp.current()
                    .buffers()
                    .reassembleForwardFragmentGroup(
                            family, fragmentGroupNblChain, netBufferAndNetBufferListPoolHandle, dataBackFill, flags));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    // ---- tagging (§2.7) ----

    /** {@code FwpsNetBufferListGetTagForContext0()}. */
    public static long FwpsNetBufferListGetTagForContext0() {
        return SystemWfp.current().tags().getTagForContext();
    }

    /** {@code FwpsNetBufferListAssociateContext1(netBufferList, layerId, context, contextTag, notifyFn, flags)}. */
    public static int FwpsNetBufferListAssociateContext1(
            NetBufferList netBufferList, int layerId, long context, long contextTag, NblNotifyFn notifyFn, int flags) {
        return SystemWfp.current()
                .tags()
                .associateContext(netBufferList, layerId, context, contextTag, notifyFn, flags);
    }

    /** {@code FwpsNetBufferListRetrieveContext0(netBufferList, contextTag, removeContext, &context)}. */
    public static int FwpsNetBufferListRetrieveContext0(
            NetBufferList netBufferList, long contextTag, boolean removeContext, Ref<Long> context) {
        long[] value = new long[1];
        int status = SystemWfp.current().tags().retrieveContext(netBufferList, contextTag, removeContext, 0, value);
        if (status == STATUS_SUCCESS) {
            context.set(value[0]);
        }
        return status;
    }

    /** {@code FwpsNetBufferListRemoveContext0(netBufferList, contextTag, flags)}: {@code NULL} for every NBL. */
    public static int FwpsNetBufferListRemoveContext0(
            @Nullable NetBufferList netBufferList, long contextTag, int flags) {
        return SystemWfp.current().tags().removeContext(netBufferList, contextTag, flags);
    }

    // ---- injection (§3) ----

    /**
     * {@code FwpsInjectionHandleCreate0(addressFamily, flags, &injectionHandle)}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_TCPIP_NOT_READY or STATUS_INVALID_PARAMETER (also for an unknown family)
     */
    public static int FwpsInjectionHandleCreate0(int addressFamily, int flags, Ref<InjectionHandle> injectionHandle) {
        injectionHandle.set(null);
        if (addressFamily != AF_UNSPEC && addressFamily != AF_INET && addressFamily != AF_INET6) {
            return STATUS_INVALID_PARAMETER;
        }
        FilterEngine engine = SystemWfp.current();
        try {
            injectionHandle.set(engine.createInjectionHandle(family(addressFamily), flags));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpsInjectionHandleDestroy0(injectionHandle)}: waits for the handle's outstanding completions. */
    public static int FwpsInjectionHandleDestroy0(InjectionHandle injectionHandle) {
        injectionHandle.close();
        return STATUS_SUCCESS;
    }

    /**
     * {@code FwpsInjectForwardAsync0(injectionHandle, injectionContext, flags, addressFamily, compartmentId,
     * interfaceIndex, netBufferList, completionFn, completionContext)} (seed 002).
     *
     * @return STATUS_SUCCESS (completionFn will be called once), or a failure after which the caller still owns the NBL
     */
    public static int FwpsInjectForwardAsync0(
            InjectionHandle injectionHandle,
            long injectionContext,
            int flags,
            int addressFamily,
            int compartmentId,
            int interfaceIndex,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        AddressFamily family = family(addressFamily);
        if (family == null) {
            return STATUS_INVALID_PARAMETER;
        }
        return injectionHandle.injectForwardAsync(
                injectionContext,
                flags,
                family,
                compartmentId,
                interfaceIndex,
                netBufferList,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectNetworkSendAsync0(injectionHandle, injectionContext, flags, compartmentId, netBufferList,
     * completionFn, completionContext)}.
     */
    public static int FwpsInjectNetworkSendAsync0(
            InjectionHandle injectionHandle,
            long injectionContext,
            int flags,
            int compartmentId,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return injectionHandle.injectNetworkSendAsync(
                injectionContext, flags, compartmentId, netBufferList, completionFn, completionContext);
    }

    /**
     * {@code FwpsInjectNetworkReceiveAsync0(injectionHandle, injectionContext, flags, compartmentId, interfaceIndex,
     * subInterfaceIndex, netBufferList, completionFn, completionContext)}.
     */
    public static int FwpsInjectNetworkReceiveAsync0(
            InjectionHandle injectionHandle,
            long injectionContext,
            int flags,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return injectionHandle.injectNetworkReceiveAsync(
                injectionContext,
                flags,
                compartmentId,
                interfaceIndex,
                subInterfaceIndex,
                netBufferList,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsQueryPacketInjectionState0(injectionHandle, netBufferList, &injectionContext)}: an
     * {@code FWPS_PACKET_INJECTION_STATE} value.
     *
     * @param injectionContext {@code null} for a C {@code NULL}; receives the context for the two SELF states
     */
    public static int FwpsQueryPacketInjectionState0(
            InjectionHandle injectionHandle, NetBufferList netBufferList, @Nullable Ref<Long> injectionContext) {
        long[] context = injectionContext == null ? null : new long[1];
        InjectionState state = injectionHandle.queryPacketInjectionState(netBufferList, context);
        if (injectionContext != null && context != null && state.isOwn()) {
            injectionContext.set(context[0]);
        }
        return state.value();
    }

    // ---- host role: layers, fields, metadata and flows (issue 14) ----
    // Literal compile-time constants, so a driver's switch on inFixedValues->layerId ports as a Java switch; FwpskTest
    // pins each to the engine's Layer and field enumerations. Values: fwpsk.h's FWPS_BUILTIN_LAYERS and FWPS_FIELDS_*
    // as MicrosoftDocs/windows-driver-docs-ddi states them (wdk-ddi-src/content/fwpsk), spec §5.1 and §5.4.

    public static final int FWPS_LAYER_INBOUND_TRANSPORT_V4 = 12;
    public static final int FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD = 13;
    public static final int FWPS_LAYER_INBOUND_TRANSPORT_V6 = 14;
    public static final int FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD = 15;
    public static final int FWPS_LAYER_OUTBOUND_TRANSPORT_V4 = 16;
    public static final int FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD = 17;
    public static final int FWPS_LAYER_OUTBOUND_TRANSPORT_V6 = 18;
    public static final int FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD = 19;
    public static final int FWPS_LAYER_DATAGRAM_DATA_V4 = 24;
    public static final int FWPS_LAYER_DATAGRAM_DATA_V4_DISCARD = 25;
    public static final int FWPS_LAYER_DATAGRAM_DATA_V6 = 26;
    public static final int FWPS_LAYER_DATAGRAM_DATA_V6_DISCARD = 27;
    public static final int FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4 = 44;
    public static final int FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD = 45;
    public static final int FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6 = 46;
    public static final int FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD = 47;
    public static final int FWPS_LAYER_ALE_AUTH_CONNECT_V4 = 48;
    public static final int FWPS_LAYER_ALE_AUTH_CONNECT_V4_DISCARD = 49;
    public static final int FWPS_LAYER_ALE_AUTH_CONNECT_V6 = 50;
    public static final int FWPS_LAYER_ALE_AUTH_CONNECT_V6_DISCARD = 51;
    public static final int FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4 = 52;
    public static final int FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4_DISCARD = 53;
    public static final int FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6 = 54;
    public static final int FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD = 55;

    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_FLAGS = 9;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_TYPE = 10;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_TUNNEL_TYPE = 11;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_PROFILE_ID = 12;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_IPSEC_SECURITY_REALM_ID = 13;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_COMPARTMENT_ID = 14;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V4_MAX = 15;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_FLAGS = 9;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_INTERFACE_TYPE = 10;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_TUNNEL_TYPE = 11;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_PROFILE_ID = 12;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_IPSEC_SECURITY_REALM_ID = 13;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_COMPARTMENT_ID = 14;
    public static final int FWPS_FIELD_INBOUND_TRANSPORT_V6_MAX = 15;

    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS = 3;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_DESTINATION_ADDRESS_TYPE = 9;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_FLAGS = 10;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_INTERFACE_TYPE = 11;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_TUNNEL_TYPE = 12;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_PROFILE_ID = 13;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IPSEC_SECURITY_REALM_ID = 14;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_COMPARTMENT_ID = 15;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V4_MAX = 16;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS_TYPE = 2;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS = 3;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_DESTINATION_ADDRESS_TYPE = 9;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_FLAGS = 10;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_INTERFACE_TYPE = 11;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_TUNNEL_TYPE = 12;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_PROFILE_ID = 13;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IPSEC_SECURITY_REALM_ID = 14;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_COMPARTMENT_ID = 15;
    public static final int FWPS_FIELD_OUTBOUND_TRANSPORT_V6_MAX = 16;

    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_DIRECTION = 9;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_FLAGS = 10;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_INTERFACE_TYPE = 11;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_TUNNEL_TYPE = 12;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_COMPARTMENT_ID = 13;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V4_MAX = 14;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_PROTOCOL = 0;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_LOCAL_ADDRESS = 1;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_REMOTE_ADDRESS = 2;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_REMOTE_PORT = 5;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_IP_LOCAL_INTERFACE = 6;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_INTERFACE_INDEX = 7;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_SUB_INTERFACE_INDEX = 8;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_DIRECTION = 9;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_FLAGS = 10;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_INTERFACE_TYPE = 11;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_TUNNEL_TYPE = 12;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_COMPARTMENT_ID = 13;
    public static final int FWPS_FIELD_DATAGRAM_DATA_V6_MAX = 14;

    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_INTERFACE = 10;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_FLAGS = 11;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_SIO_FIREWALL_SYSTEM_PORT = 12;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_NAP_CONTEXT = 13;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_INTERFACE_TYPE = 14;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_TUNNEL_TYPE = 15;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_INTERFACE_INDEX = 16;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_SUB_INTERFACE_INDEX = 17;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_ARRIVAL_INTERFACE = 18;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ARRIVAL_INTERFACE_TYPE = 19;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ARRIVAL_TUNNEL_TYPE = 20;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ARRIVAL_INTERFACE_INDEX = 21;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_NEXTHOP_SUB_INTERFACE_INDEX = 22;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_NEXTHOP_INTERFACE = 23;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_NEXTHOP_INTERFACE_TYPE = 24;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_NEXTHOP_TUNNEL_TYPE = 25;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_NEXTHOP_INTERFACE_INDEX = 26;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ORIGINAL_PROFILE_ID = 27;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_CURRENT_PROFILE_ID = 28;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_REAUTHORIZE_REASON = 29;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ORIGINAL_ICMP_TYPE = 30;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_INTERFACE_QUARANTINE_EPOCH = 31;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_PACKAGE_ID = 32;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 33;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_COMPARTMENT_ID = 34;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_BITMAP_IP_LOCAL_ADDRESS = 35;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_BITMAP_IP_LOCAL_PORT = 36;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_BITMAP_IP_REMOTE_ADDRESS = 37;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_BITMAP_IP_REMOTE_PORT = 38;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_MAX = 39;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_LOCAL_INTERFACE = 10;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_FLAGS = 11;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_SIO_FIREWALL_SYSTEM_PORT = 12;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_NAP_CONTEXT = 13;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_INTERFACE_TYPE = 14;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_TUNNEL_TYPE = 15;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_INTERFACE_INDEX = 16;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_SUB_INTERFACE_INDEX = 17;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_ARRIVAL_INTERFACE = 18;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ARRIVAL_INTERFACE_TYPE = 19;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ARRIVAL_TUNNEL_TYPE = 20;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ARRIVAL_INTERFACE_INDEX = 21;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_NEXTHOP_SUB_INTERFACE_INDEX = 22;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_IP_NEXTHOP_INTERFACE = 23;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_NEXTHOP_INTERFACE_TYPE = 24;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_NEXTHOP_TUNNEL_TYPE = 25;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_NEXTHOP_INTERFACE_INDEX = 26;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ORIGINAL_PROFILE_ID = 27;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_CURRENT_PROFILE_ID = 28;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_REAUTHORIZE_REASON = 29;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ORIGINAL_ICMP_TYPE = 30;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_INTERFACE_QUARANTINE_EPOCH = 31;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_PACKAGE_ID = 32;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 33;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_COMPARTMENT_ID = 34;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_BITMAP_IP_LOCAL_ADDRESS = 35;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_BITMAP_IP_LOCAL_PORT = 36;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_BITMAP_IP_REMOTE_ADDRESS = 37;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_BITMAP_IP_REMOTE_PORT = 38;
    public static final int FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V6_MAX = 39;

    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_DESTINATION_ADDRESS_TYPE = 10;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_INTERFACE = 11;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_FLAGS = 12;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_INTERFACE_TYPE = 13;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_TUNNEL_TYPE = 14;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_INTERFACE_INDEX = 15;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_SUB_INTERFACE_INDEX = 16;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_ARRIVAL_INTERFACE = 17;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ARRIVAL_INTERFACE_TYPE = 18;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ARRIVAL_TUNNEL_TYPE = 19;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ARRIVAL_INTERFACE_INDEX = 20;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_NEXTHOP_SUB_INTERFACE_INDEX = 21;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_NEXTHOP_INTERFACE = 22;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_NEXTHOP_INTERFACE_TYPE = 23;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_NEXTHOP_TUNNEL_TYPE = 24;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_NEXTHOP_INTERFACE_INDEX = 25;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ORIGINAL_PROFILE_ID = 26;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_CURRENT_PROFILE_ID = 27;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_REAUTHORIZE_REASON = 28;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_PEER_NAME = 29;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ORIGINAL_ICMP_TYPE = 30;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_INTERFACE_QUARANTINE_EPOCH = 31;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_ORIGINAL_APP_ID = 32;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_PACKAGE_ID = 33;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 34;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_ALE_EFFECTIVE_NAME = 35;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_COMPARTMENT_ID = 36;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_BITMAP_IP_LOCAL_ADDRESS = 37;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_BITMAP_IP_LOCAL_PORT = 38;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_BITMAP_IP_REMOTE_ADDRESS = 39;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_BITMAP_IP_REMOTE_PORT = 40;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V4_MAX = 41;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_DESTINATION_ADDRESS_TYPE = 10;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_LOCAL_INTERFACE = 11;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_FLAGS = 12;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_INTERFACE_TYPE = 13;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_TUNNEL_TYPE = 14;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_INTERFACE_INDEX = 15;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_SUB_INTERFACE_INDEX = 16;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_ARRIVAL_INTERFACE = 17;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ARRIVAL_INTERFACE_TYPE = 18;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ARRIVAL_TUNNEL_TYPE = 19;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ARRIVAL_INTERFACE_INDEX = 20;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_NEXTHOP_SUB_INTERFACE_INDEX = 21;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_IP_NEXTHOP_INTERFACE = 22;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_NEXTHOP_INTERFACE_TYPE = 23;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_NEXTHOP_TUNNEL_TYPE = 24;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_NEXTHOP_INTERFACE_INDEX = 25;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ORIGINAL_PROFILE_ID = 26;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_CURRENT_PROFILE_ID = 27;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_REAUTHORIZE_REASON = 28;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_PEER_NAME = 29;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ORIGINAL_ICMP_TYPE = 30;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_INTERFACE_QUARANTINE_EPOCH = 31;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_ORIGINAL_APP_ID = 32;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_PACKAGE_ID = 33;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 34;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_ALE_EFFECTIVE_NAME = 35;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_COMPARTMENT_ID = 36;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_BITMAP_IP_LOCAL_ADDRESS = 37;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_BITMAP_IP_LOCAL_PORT = 38;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_BITMAP_IP_REMOTE_ADDRESS = 39;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_BITMAP_IP_REMOTE_PORT = 40;
    public static final int FWPS_FIELD_ALE_AUTH_CONNECT_V6_MAX = 41;

    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_DESTINATION_ADDRESS_TYPE = 10;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_INTERFACE = 11;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION = 12;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_INTERFACE_TYPE = 13;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_TUNNEL_TYPE = 14;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_FLAGS = 15;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_ORIGINAL_APP_ID = 16;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_PACKAGE_ID = 17;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 18;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_COMPARTMENT_ID = 19;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_BITMAP_IP_LOCAL_ADDRESS = 20;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_BITMAP_IP_LOCAL_PORT = 21;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_BITMAP_IP_REMOTE_ADDRESS = 22;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_BITMAP_IP_REMOTE_PORT = 23;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX = 24;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_APP_ID = 0;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_USER_ID = 1;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS = 2;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS_TYPE = 3;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_PORT = 4;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_PROTOCOL = 5;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_ADDRESS = 6;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_PORT = 7;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_REMOTE_USER_ID = 8;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_REMOTE_MACHINE_ID = 9;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_DESTINATION_ADDRESS_TYPE = 10;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_INTERFACE = 11;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_DIRECTION = 12;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_INTERFACE_TYPE = 13;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_TUNNEL_TYPE = 14;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_FLAGS = 15;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_ORIGINAL_APP_ID = 16;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_PACKAGE_ID = 17;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE = 18;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_COMPARTMENT_ID = 19;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_BITMAP_IP_LOCAL_ADDRESS = 20;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_BITMAP_IP_LOCAL_PORT = 21;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_BITMAP_IP_REMOTE_ADDRESS = 22;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_BITMAP_IP_REMOTE_PORT = 23;
    public static final int FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_MAX = 24;

    public static final int FWPS_METADATA_FIELD_FLOW_HANDLE = 0x00000002;
    public static final int FWPS_METADATA_FIELD_PROCESS_PATH = 0x00000008;
    public static final int FWPS_METADATA_FIELD_PROCESS_ID = 0x00000020;
    public static final int FWPS_METADATA_FIELD_TRANSPORT_ENDPOINT_HANDLE = 0x00008000;
    public static final int FWPS_METADATA_FIELD_REMOTE_SCOPE_ID = 0x00020000;
    public static final int FWPS_METADATA_FIELD_PACKET_DIRECTION = 0x00040000;
    public static final int FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED = 0x00400000;
    public static final int FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE = 0x08000000;
    public static final int FWP_DIRECTION_OUTBOUND = 0;
    public static final int FWP_DIRECTION_INBOUND = 1;
    public static final int STATUS_OBJECT_NAME_EXISTS = 0x40000000;

    /**
     * {@code FwpsFlowAssociateContext0(flowId, layerId, calloutId, flowContext)}: {@code flowId} is
     * {@code inMetaValues->flowHandle}.
     *
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_EXISTS, STATUS_NOT_FOUND or STATUS_INVALID_PARAMETER
     */
    public static int FwpsFlowAssociateContext0(long flowId, int layerId, int calloutId, long flowContext) {
        return SystemWfp.current().flowAssociateContext(flowId, layerId, calloutId, flowContext);
    }

    /**
     * {@code FwpsFlowRemoveContext0(flowId, layerId, calloutId)}: the callout's flowDeleteFn has run when this returns
     * STATUS_SUCCESS.
     *
     * @return STATUS_SUCCESS or STATUS_NOT_FOUND
     */
    public static int FwpsFlowRemoveContext0(long flowId, int layerId, int calloutId) {
        return SystemWfp.current().flowRemoveContext(flowId, layerId, calloutId);
    }

    /** {@code FwpsFlowAbort0(flowId)}: ends the flow; STATUS_SUCCESS or STATUS_NOT_FOUND. */
    public static int FwpsFlowAbort0(long flowId) {
        return SystemWfp.current().flowAbort(flowId);
    }

    public static final int FWPS_METADATA_FIELD_COMPLETION_HANDLE = 0x00004000;
    public static final int FWP_CONDITION_FLAG_IS_REAUTHORIZE = 0x00000004;
    public static final int STATUS_FWP_CANNOT_PEND = 0xC0220103;

    /**
     * {@code FwpsPendOperation0(completionHandle, &completionContext)}: pends the ALE authorization being classified;
     * {@code completionHandle} is {@code inMetaValues->completionHandle}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_CANNOT_PEND (a reauthorization), STATUS_FWP_NULL_POINTER (no authorization
     *     with that handle is being classified) or STATUS_FWP_TCPIP_NOT_READY (no host role)
     */
    public static int FwpsPendOperation0(long completionHandle, Ref<PendedOperation> completionContext) {
        try {
            completionContext.set(SystemWfp.current().pendOperation(completionHandle));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            completionContext.set(null);
            return e.status();
        }
    }

    /**
     * {@code FwpsCompleteOperation0(completionContext, netBufferList)}: at ALE_AUTH_CONNECT the flow is reauthorized
     * (IS_REAUTHORIZE) before this returns; completing twice or completing a NULL context is a verifier violation.
     */
    public static void FwpsCompleteOperation0(
            @Nullable PendedOperation completionContext, @Nullable NetBufferList netBufferList) {
        SystemWfp.current().completeOperation(completionContext, netBufferList);
    }

    /** {@code FwpsAcquireClassifyHandle0(classifyContext, flags, &classifyHandle)}: only inside a classifyFn. */
    public static int FwpsAcquireClassifyHandle0(
            ClassifyContext classifyContext, int flags, Ref<ClassifyHandle> classifyHandle) {
        try {
            classifyHandle.set(SystemWfp.current().acquireClassifyHandle(classifyContext, flags));
            return STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            classifyHandle.set(null);
            return e.status();
        }
    }

    /** {@code FwpsReleaseClassifyHandle0(classifyHandle)}: once per acquire. */
    public static void FwpsReleaseClassifyHandle0(ClassifyHandle classifyHandle) {
        SystemWfp.current().releaseClassifyHandle(classifyHandle);
    }

    /**
     * {@code FwpsPendClassify0(classifyHandle, filterId, flags, classifyOut)}: the layers that allow it (endpoint
     * closure, connect and bind redirect) are not nbl4j's, so STATUS_FWP_CANNOT_PEND.
     */
    public static int FwpsPendClassify0(
            ClassifyHandle classifyHandle, long filterId, int flags, ClassifyOut classifyOut) {
        return SystemWfp.current().pendClassify(classifyHandle, filterId, flags, classifyOut);
    }

    /** {@code FwpsCompleteClassify0(classifyHandle, flags, classifyOut)}: nothing can be pended, so a violation. */
    public static void FwpsCompleteClassify0(
            ClassifyHandle classifyHandle, int flags, @Nullable ClassifyOut classifyOut) {
        SystemWfp.current().completeClassify(classifyHandle, flags, classifyOut);
    }

    /**
     * {@code FwpsInjectTransportReceiveAsync0(injectionHandle, injectionContext, reserved, flags, addressFamily,
     * compartmentId, interfaceIndex, subInterfaceIndex, netBufferList, completionFn, completionContext)}: the NBL
     * starts at its IP header (retreat {@code ipHeaderSize + transportHeaderSize} before cloning at
     * INBOUND_TRANSPORT).
     *
     * @return STATUS_SUCCESS (completionFn will be called once), or a failure after which the caller still owns the NBL
     */
    public static int FwpsInjectTransportReceiveAsync0(
            InjectionHandle injectionHandle,
            long injectionContext,
            @Nullable Object reserved,
            int flags,
            int addressFamily,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        AddressFamily family = family(addressFamily);
        if (family == null) {
            return STATUS_INVALID_PARAMETER;
        }
        return injectionHandle.injectTransportReceiveAsync(
                injectionContext,
                flags,
                family,
                compartmentId,
                interfaceIndex,
                subInterfaceIndex,
                netBufferList,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectTransportSendAsync1(injectionHandle, injectionContext, endpointHandle, flags, sendArgs,
     * addressFamily, compartmentId, netBufferList, completionFn, completionContext)}: the NBL starts at its transport
     * header (as shown at OUTBOUND_TRANSPORT or outbound DATAGRAM_DATA) and needs headroom for the IP header the stack
     * writes; the NBL comes back to completionFn starting at its transport header again.
     *
     * @return STATUS_SUCCESS (completionFn will be called once), or a failure after which the caller still owns the NBL
     */
    public static int FwpsInjectTransportSendAsync1(
            InjectionHandle injectionHandle,
            long injectionContext,
            long endpointHandle,
            int flags,
            FWPS_TRANSPORT_SEND_PARAMS1 sendArgs,
            int addressFamily,
            int compartmentId,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        AddressFamily family = family(addressFamily);
        byte[] remoteAddress = sendArgs.remoteAddress;
        if (family == null || remoteAddress == null) {
            return STATUS_INVALID_PARAMETER;
        }
        return injectionHandle.injectTransportSendAsync(
                injectionContext,
                endpointHandle,
                flags,
                remoteAddress,
                family,
                compartmentId,
                netBufferList,
                completionFn,
                completionContext);
    }

    /** {@code FwpsInjectTransportSendAsync0}: as {@link #FwpsInjectTransportSendAsync1} with the older parameters. */
    public static int FwpsInjectTransportSendAsync0(
            InjectionHandle injectionHandle,
            long injectionContext,
            long endpointHandle,
            int flags,
            FWPS_TRANSPORT_SEND_PARAMS0 sendArgs,
            int addressFamily,
            int compartmentId,
            NetBufferList netBufferList,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        AddressFamily family = family(addressFamily);
        byte[] remoteAddress = sendArgs.remoteAddress;
        if (family == null || remoteAddress == null) {
            return STATUS_INVALID_PARAMETER;
        }
        return injectionHandle.injectTransportSendAsync(
                injectionContext,
                endpointHandle,
                flags,
                remoteAddress,
                family,
                compartmentId,
                netBufferList,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsConstructIpHeaderForTransportPacket0(netBufferList, headerIncludeHeaderLength, addressFamily,
     * sourceAddress, remoteAddress, nextProtocol, endpointHandle, controlData, controlDataLength, flags, reserved,
     * interfaceIndex, subInterfaceIndex)}: a new IP header for the NBL's one NB, at its transport header
     * ({@code headerIncludeHeaderLength} 0) or in place of the IP header of that length; the addresses in network
     * order. The endpoint handle, control data, flags and interface indexes are accepted and unused.
     *
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER
     */
    public static int FwpsConstructIpHeaderForTransportPacket0(
            NetBufferList netBufferList,
            int headerIncludeHeaderLength,
            int addressFamily,
            byte[] sourceAddress,
            byte[] remoteAddress,
            int nextProtocol,
            long endpointHandle,
            @Nullable Object controlData,
            int controlDataLength,
            int flags,
            @Nullable Object reserved,
            int interfaceIndex,
            int subInterfaceIndex) {
        AddressFamily family = family(addressFamily);
        if (family == null) {
            return STATUS_INVALID_PARAMETER;
        }
        return TransportPacketHeaders.construct(
                netBufferList, headerIncludeHeaderLength, family, sourceAddress, remoteAddress, nextProtocol);
    }

    private static @Nullable AddressFamily family(int addressFamily) {
        if (addressFamily == AF_INET) {
            return AddressFamily.INET;
        }
        if (addressFamily == AF_INET6) {
            return AddressFamily.INET6;
        }
        return null;
    }
}
