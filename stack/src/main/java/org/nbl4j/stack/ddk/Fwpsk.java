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
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FwpStatusException;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.NblNotifyFn;

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
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER (also for an unknown family), STATUS_FWP_TCPIP_NOT_READY or
     *     STATUS_INSUFFICIENT_RESOURCES; the out-parameter is NULL on failure
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
