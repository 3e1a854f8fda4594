package org.nbl4j.stack.ddk;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.BaseFilteringEngine;
import org.nbl4j.stack.wfp.ConditionKeys;
import org.nbl4j.stack.wfp.ConditionValue;
import org.nbl4j.stack.wfp.DisplayData;
import org.nbl4j.stack.wfp.EngineSession;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterCondition;
import org.nbl4j.stack.wfp.FilterEnum;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.FilterWeight;
import org.nbl4j.stack.wfp.FwpDataType;
import org.nbl4j.stack.wfp.FwpStatusException;
import org.nbl4j.stack.wfp.FwpmObject;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.LayerField;
import org.nbl4j.stack.wfp.MatchType;
import org.nbl4j.stack.wfp.Sublayer;

/**
 * The management DDIs of {@code fwpmk.h} (the kernel-mode {@code Fwpm*} functions a callout driver's
 * {@code DriverEntry} calls) with their C names, argument order and values, over the thread's {@link SystemWfp} engine's
 * {@link BaseFilteringEngine}: open a session, begin a transaction, add a provider, a sublayer, callouts and filters,
 * commit; delete by id or by key; enumerate filters. Each function translates the C structures into the engine's
 * objects and returns the engine's refusal ({@link FwpStatusException}) as the DDI's NTSTATUS.
 *
 * <p>The engine {@code HANDLE} is the {@link EngineSession}, an enum {@code HANDLE} the {@link FilterEnum}. GUIDs are
 * {@link UUID}s; a C {@code GUID} left zero is {@code null} or the zero UUID. Security descriptors are accepted and
 * unused. Where nbl4j differs from Windows (changes visible before the commit, no persistence across runs, the
 * automatic weight's low bits) is told in docs/wfp.md.
 */
public final class Fwpmk {
    private Fwpmk() {}

    private static final UUID ZERO = new UUID(0, 0);

    // ---- NTSTATUS codes only the management DDIs return (the others are Fwpsk's) ----

    public static final int STATUS_FWP_CONDITION_NOT_FOUND = NtStatus.STATUS_FWP_CONDITION_NOT_FOUND;
    public static final int STATUS_FWP_FILTER_NOT_FOUND = NtStatus.STATUS_FWP_FILTER_NOT_FOUND;
    public static final int STATUS_FWP_LAYER_NOT_FOUND = NtStatus.STATUS_FWP_LAYER_NOT_FOUND;
    public static final int STATUS_FWP_PROVIDER_NOT_FOUND = NtStatus.STATUS_FWP_PROVIDER_NOT_FOUND;
    public static final int STATUS_FWP_SUBLAYER_NOT_FOUND = NtStatus.STATUS_FWP_SUBLAYER_NOT_FOUND;
    public static final int STATUS_FWP_IN_USE = NtStatus.STATUS_FWP_IN_USE;
    public static final int STATUS_FWP_NO_TXN_IN_PROGRESS = NtStatus.STATUS_FWP_NO_TXN_IN_PROGRESS;
    public static final int STATUS_FWP_TXN_IN_PROGRESS = NtStatus.STATUS_FWP_TXN_IN_PROGRESS;
    public static final int STATUS_FWP_INCOMPATIBLE_LAYER = NtStatus.STATUS_FWP_INCOMPATIBLE_LAYER;
    public static final int STATUS_FWP_BUILTIN_OBJECT = NtStatus.STATUS_FWP_BUILTIN_OBJECT;
    public static final int STATUS_FWP_INVALID_ENUMERATOR = NtStatus.STATUS_FWP_INVALID_ENUMERATOR;
    public static final int STATUS_FWP_INVALID_FLAGS = NtStatus.STATUS_FWP_INVALID_FLAGS;
    public static final int STATUS_FWP_INVALID_ACTION_TYPE = NtStatus.STATUS_FWP_INVALID_ACTION_TYPE;
    public static final int STATUS_FWP_INVALID_WEIGHT = NtStatus.STATUS_FWP_INVALID_WEIGHT;
    public static final int STATUS_FWP_TYPE_MISMATCH = NtStatus.STATUS_FWP_TYPE_MISMATCH;
    public static final int STATUS_FWP_MATCH_TYPE_MISMATCH = NtStatus.STATUS_FWP_MATCH_TYPE_MISMATCH;
    public static final int STATUS_FWP_NULL_DISPLAY_NAME = NtStatus.STATUS_FWP_NULL_DISPLAY_NAME;
    /** What a management DDI called above PASSIVE_LEVEL returns once the verifier has reported it. */
    public static final int STATUS_INVALID_DEVICE_STATE = NtStatus.STATUS_INVALID_DEVICE_STATE;

    // ---- sessions and transactions ----

    /** {@code RPC_C_AUTHN_WINNT}: the authentication service kernel clients pass. */
    public static final int RPC_C_AUTHN_WINNT = 10;
    /** {@code RPC_C_AUTHN_DEFAULT}. */
    public static final int RPC_C_AUTHN_DEFAULT = 0xFFFFFFFF;
    /** {@code FWPM_SESSION_FLAG_DYNAMIC}: the session's objects are deleted when it closes. */
    public static final int FWPM_SESSION_FLAG_DYNAMIC = 0x00000001;
    /** {@code FWPM_TXN_READ_ONLY}. */
    public static final int FWPM_TXN_READ_ONLY = 0x00000001;

    // ---- FWP_DATA_TYPE and FWP_MATCH_TYPE ----

    public static final int FWP_EMPTY = 0;
    public static final int FWP_UINT8 = 1;
    public static final int FWP_UINT16 = 2;
    public static final int FWP_UINT32 = 3;
    public static final int FWP_UINT64 = 4;
    public static final int FWP_BYTE_ARRAY16_TYPE = 11;
    public static final int FWP_BYTE_BLOB_TYPE = 12;
    public static final int FWP_V4_ADDR_MASK = 0x100;
    public static final int FWP_V6_ADDR_MASK = 0x101;
    public static final int FWP_RANGE_TYPE = 0x102;

    public static final int FWP_MATCH_EQUAL = 0;
    public static final int FWP_MATCH_GREATER = 1;
    public static final int FWP_MATCH_LESS = 2;
    public static final int FWP_MATCH_GREATER_OR_EQUAL = 3;
    public static final int FWP_MATCH_LESS_OR_EQUAL = 4;
    public static final int FWP_MATCH_RANGE = 5;
    public static final int FWP_MATCH_FLAGS_ALL_SET = 6;
    public static final int FWP_MATCH_FLAGS_ANY_SET = 7;
    public static final int FWP_MATCH_FLAGS_NONE_SET = 8;
    public static final int FWP_MATCH_EQUAL_CASE_INSENSITIVE = 9;
    public static final int FWP_MATCH_NOT_EQUAL = 10;
    public static final int FWP_MATCH_PREFIX = 11;
    public static final int FWP_MATCH_NOT_PREFIX = 12;

    // ---- NL_ADDRESS_TYPE (nldef.h): the values of the *_ADDRESS_TYPE fields ----

    public static final int NlatUnspecified = 0;
    public static final int NlatUnicast = 1;
    public static final int NlatAnycast = 2;
    public static final int NlatMulticast = 3;
    public static final int NlatBroadcast = 4;

    // ---- FWPM_FILTER_FLAG_* and weights ----

    public static final int FWPM_FILTER_FLAG_NONE = 0x00000000;
    /** Accepted; nbl4j keeps nothing across runs. */
    public static final int FWPM_FILTER_FLAG_PERSISTENT = 0x00000001;
    /** Accepted; nbl4j has no boot-time policy. */
    public static final int FWPM_FILTER_FLAG_BOOTTIME = 0x00000002;
    /** Refused with STATUS_FWP_INVALID_FLAGS: nbl4j has no provider contexts. */
    public static final int FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT = 0x00000004;
    /** {@code FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT} at run time. */
    public static final int FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT = 0x00000008;
    /** {@code FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED} at run time. */
    public static final int FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED = 0x00000010;
    /** Refused with STATUS_FWP_INVALID_FLAGS: nbl4j cannot disable a filter. */
    public static final int FWPM_FILTER_FLAG_DISABLED = 0x00000020;
    /** Accepted; every nbl4j layer is searched the same way. */
    public static final int FWPM_FILTER_FLAG_INDEXED = 0x00000040;

    private static final int ACCEPTED_FILTER_FLAGS = FWPM_FILTER_FLAG_PERSISTENT
            | FWPM_FILTER_FLAG_BOOTTIME
            | FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT
            | FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED
            | FWPM_FILTER_FLAG_INDEXED;

    public static final int FWPM_AUTO_WEIGHT_BITS = FilterWeight.FWPM_AUTO_WEIGHT_BITS;
    public static final int FWPM_WEIGHT_RANGE_MAX = FilterWeight.FWPM_WEIGHT_RANGE_MAX;

    // ---- FWPM_LAYER_*, FWPM_SUBLAYER_UNIVERSAL and FWPM_CONDITION_* GUIDs ----

    public static final UUID FWPM_LAYER_INBOUND_IPPACKET_V4 = Layer.INBOUND_IPPACKET_V4.key();
    public static final UUID FWPM_LAYER_INBOUND_IPPACKET_V4_DISCARD = Layer.INBOUND_IPPACKET_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_INBOUND_IPPACKET_V6 = Layer.INBOUND_IPPACKET_V6.key();
    public static final UUID FWPM_LAYER_INBOUND_IPPACKET_V6_DISCARD = Layer.INBOUND_IPPACKET_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_OUTBOUND_IPPACKET_V4 = Layer.OUTBOUND_IPPACKET_V4.key();
    public static final UUID FWPM_LAYER_OUTBOUND_IPPACKET_V4_DISCARD = Layer.OUTBOUND_IPPACKET_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_OUTBOUND_IPPACKET_V6 = Layer.OUTBOUND_IPPACKET_V6.key();
    public static final UUID FWPM_LAYER_OUTBOUND_IPPACKET_V6_DISCARD = Layer.OUTBOUND_IPPACKET_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_IPFORWARD_V4 = Layer.IPFORWARD_V4.key();
    public static final UUID FWPM_LAYER_IPFORWARD_V4_DISCARD = Layer.IPFORWARD_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_IPFORWARD_V6 = Layer.IPFORWARD_V6.key();
    public static final UUID FWPM_LAYER_IPFORWARD_V6_DISCARD = Layer.IPFORWARD_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_INBOUND_TRANSPORT_V4 = Layer.INBOUND_TRANSPORT_V4.key();
    public static final UUID FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD = Layer.INBOUND_TRANSPORT_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_INBOUND_TRANSPORT_V6 = Layer.INBOUND_TRANSPORT_V6.key();
    public static final UUID FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD = Layer.INBOUND_TRANSPORT_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_OUTBOUND_TRANSPORT_V4 = Layer.OUTBOUND_TRANSPORT_V4.key();
    public static final UUID FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD = Layer.OUTBOUND_TRANSPORT_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_OUTBOUND_TRANSPORT_V6 = Layer.OUTBOUND_TRANSPORT_V6.key();
    public static final UUID FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD = Layer.OUTBOUND_TRANSPORT_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_DATAGRAM_DATA_V4 = Layer.DATAGRAM_DATA_V4.key();
    public static final UUID FWPM_LAYER_DATAGRAM_DATA_V4_DISCARD = Layer.DATAGRAM_DATA_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_DATAGRAM_DATA_V6 = Layer.DATAGRAM_DATA_V6.key();
    public static final UUID FWPM_LAYER_DATAGRAM_DATA_V6_DISCARD = Layer.DATAGRAM_DATA_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4 = Layer.ALE_AUTH_RECV_ACCEPT_V4.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD = Layer.ALE_AUTH_RECV_ACCEPT_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6 = Layer.ALE_AUTH_RECV_ACCEPT_V6.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD = Layer.ALE_AUTH_RECV_ACCEPT_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_CONNECT_V4 = Layer.ALE_AUTH_CONNECT_V4.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_CONNECT_V4_DISCARD = Layer.ALE_AUTH_CONNECT_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_CONNECT_V6 = Layer.ALE_AUTH_CONNECT_V6.key();
    public static final UUID FWPM_LAYER_ALE_AUTH_CONNECT_V6_DISCARD = Layer.ALE_AUTH_CONNECT_V6_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4 = Layer.ALE_FLOW_ESTABLISHED_V4.key();
    public static final UUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4_DISCARD = Layer.ALE_FLOW_ESTABLISHED_V4_DISCARD.key();
    public static final UUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6 = Layer.ALE_FLOW_ESTABLISHED_V6.key();
    public static final UUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD = Layer.ALE_FLOW_ESTABLISHED_V6_DISCARD.key();

    public static final UUID FWPM_SUBLAYER_UNIVERSAL = Sublayer.UNIVERSAL.key();

    public static final UUID FWPM_CONDITION_IP_LOCAL_ADDRESS = ConditionKeys.of("IP_LOCAL_ADDRESS");
    public static final UUID FWPM_CONDITION_IP_REMOTE_ADDRESS = ConditionKeys.of("IP_REMOTE_ADDRESS");
    public static final UUID FWPM_CONDITION_IP_SOURCE_ADDRESS = ConditionKeys.of("IP_SOURCE_ADDRESS");
    public static final UUID FWPM_CONDITION_IP_DESTINATION_ADDRESS = ConditionKeys.of("IP_DESTINATION_ADDRESS");
    public static final UUID FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE = ConditionKeys.of("IP_LOCAL_ADDRESS_TYPE");
    public static final UUID FWPM_CONDITION_IP_DESTINATION_ADDRESS_TYPE =
            ConditionKeys.of("IP_DESTINATION_ADDRESS_TYPE");
    public static final UUID FWPM_CONDITION_IP_LOCAL_INTERFACE = ConditionKeys.of("IP_LOCAL_INTERFACE");
    public static final UUID FWPM_CONDITION_IP_FORWARD_INTERFACE = ConditionKeys.of("IP_FORWARD_INTERFACE");
    public static final UUID FWPM_CONDITION_INTERFACE_INDEX = ConditionKeys.of("INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_SUB_INTERFACE_INDEX = ConditionKeys.of("SUB_INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_SOURCE_INTERFACE_INDEX = ConditionKeys.of("SOURCE_INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_SOURCE_SUB_INTERFACE_INDEX = ConditionKeys.of("SOURCE_SUB_INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_DESTINATION_INTERFACE_INDEX =
            ConditionKeys.of("DESTINATION_INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_DESTINATION_SUB_INTERFACE_INDEX =
            ConditionKeys.of("DESTINATION_SUB_INTERFACE_INDEX");
    public static final UUID FWPM_CONDITION_FLAGS = ConditionKeys.of("FLAGS");
    public static final UUID FWPM_CONDITION_INTERFACE_TYPE = ConditionKeys.of("INTERFACE_TYPE");
    public static final UUID FWPM_CONDITION_TUNNEL_TYPE = ConditionKeys.of("TUNNEL_TYPE");
    public static final UUID FWPM_CONDITION_COMPARTMENT_ID = ConditionKeys.of("COMPARTMENT_ID");
    public static final UUID FWPM_CONDITION_IP_PHYSICAL_ARRIVAL_INTERFACE =
            ConditionKeys.of("IP_PHYSICAL_ARRIVAL_INTERFACE");
    public static final UUID FWPM_CONDITION_ARRIVAL_INTERFACE_PROFILE_ID =
            ConditionKeys.of("ARRIVAL_INTERFACE_PROFILE_ID");
    public static final UUID FWPM_CONDITION_IP_PHYSICAL_NEXTHOP_INTERFACE =
            ConditionKeys.of("IP_PHYSICAL_NEXTHOP_INTERFACE");
    public static final UUID FWPM_CONDITION_NEXTHOP_INTERFACE_PROFILE_ID =
            ConditionKeys.of("NEXTHOP_INTERFACE_PROFILE_ID");
    public static final UUID FWPM_CONDITION_IP_PROTOCOL = ConditionKeys.of("IP_PROTOCOL");
    public static final UUID FWPM_CONDITION_IP_LOCAL_PORT = ConditionKeys.of("IP_LOCAL_PORT");
    public static final UUID FWPM_CONDITION_IP_REMOTE_PORT = ConditionKeys.of("IP_REMOTE_PORT");
    public static final UUID FWPM_CONDITION_DIRECTION = ConditionKeys.of("DIRECTION");

    // ---- sessions ----

    /**
     * {@code FwpmEngineOpen0(serverName, authnService, authIdentity, session, &engineHandle)}: a session with the
     * thread's engine. {@code serverName} must be {@code NULL}: kernel clients open the local engine.
     *
     * @param session {@code NULL} for a non-dynamic session the engine names
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER
     */
    public static int FwpmEngineOpen0(
            @Nullable String serverName,
            int authnService,
            @Nullable Object authIdentity,
            @Nullable FWPM_SESSION0 session,
            Ref<EngineSession> engineHandle) {
        engineHandle.set(null);
        if (serverName != null || (authnService != RPC_C_AUTHN_WINNT && authnService != RPC_C_AUTHN_DEFAULT)) {
            return Fwpsk.STATUS_INVALID_PARAMETER;
        }
        UUID sessionKey = session == null ? null : session.sessionKey;
        try {
            engineHandle.set(SystemWfp.current()
                    .bfe()
                    .open(
                            sessionKey == null || sessionKey.equals(ZERO) ? UUID.randomUUID() : sessionKey,
                            session == null ? DisplayData.NONE : session.displayData.toDisplayData(),
                            session != null && (session.flags & FWPM_SESSION_FLAG_DYNAMIC) != 0));
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmEngineClose0(engineHandle)}: aborts an open transaction; a dynamic session's objects go. */
    public static int FwpmEngineClose0(EngineSession engineHandle) {
        try {
            engineHandle.close();
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmTransactionBegin0(engineHandle, flags)}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_TXN_IN_PROGRESS or STATUS_FWP_INVALID_FLAGS
     */
    public static int FwpmTransactionBegin0(EngineSession engineHandle, int flags) {
        if ((flags & ~FWPM_TXN_READ_ONLY) != 0) {
            return STATUS_FWP_INVALID_FLAGS;
        }
        try {
            engineHandle.beginTransaction();
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmTransactionCommit0(engineHandle)}: STATUS_SUCCESS or STATUS_FWP_NO_TXN_IN_PROGRESS. */
    public static int FwpmTransactionCommit0(EngineSession engineHandle) {
        try {
            engineHandle.commitTransaction();
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmTransactionAbort0(engineHandle)}: rolls back; STATUS_SUCCESS or STATUS_FWP_NO_TXN_IN_PROGRESS. */
    public static int FwpmTransactionAbort0(EngineSession engineHandle) {
        try {
            engineHandle.abortTransaction();
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    // ---- providers, sublayers, callouts ----

    /** {@code FwpmProviderAdd0(engineHandle, provider, sd)}: STATUS_SUCCESS or STATUS_FWP_ALREADY_EXISTS. */
    public static int FwpmProviderAdd0(EngineSession engineHandle, FWPM_PROVIDER0 provider, @Nullable Object sd) {
        UUID key = provider.providerKey;
        if (key == null) {
            return Fwpsk.STATUS_FWP_NULL_POINTER;
        }
        try {
            engineHandle.addProvider(key, provider.displayData.toDisplayData(), provider.flags);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmSubLayerAdd0(engineHandle, subLayer, sd)}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_ALREADY_EXISTS, STATUS_FWP_PROVIDER_NOT_FOUND or STATUS_INVALID_PARAMETER (a
     *     weight that is no UINT16)
     */
    public static int FwpmSubLayerAdd0(EngineSession engineHandle, FWPM_SUBLAYER0 subLayer, @Nullable Object sd) {
        UUID key = subLayer.subLayerKey;
        if (key == null) {
            return Fwpsk.STATUS_FWP_NULL_POINTER;
        }
        if (subLayer.weight < 0 || subLayer.weight > 0xFFFF) {
            return Fwpsk.STATUS_INVALID_PARAMETER;
        }
        try {
            engineHandle.addSublayer(
                    new Sublayer(key, subLayer.weight),
                    subLayer.displayData.toDisplayData(),
                    subLayer.providerKey,
                    subLayer.flags);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmSubLayerDeleteByKey0(engineHandle, key)}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_SUBLAYER_NOT_FOUND, STATUS_FWP_IN_USE or STATUS_FWP_BUILTIN_OBJECT
     */
    public static int FwpmSubLayerDeleteByKey0(EngineSession engineHandle, UUID key) {
        try {
            engineHandle.deleteSublayer(key);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmCalloutAdd0(engineHandle, callout, sd, &id)}: {@code id} receives the run-time id, the same one
     * {@code FwpsCalloutRegister2} gives for the key.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_ALREADY_EXISTS, STATUS_FWP_PROVIDER_NOT_FOUND or STATUS_FWP_LAYER_NOT_FOUND
     */
    public static int FwpmCalloutAdd0(
            EngineSession engineHandle, FWPM_CALLOUT0 callout, @Nullable Object sd, @Nullable Ref<Integer> id) {
        UUID key = callout.calloutKey;
        if (key == null) {
            return Fwpsk.STATUS_FWP_NULL_POINTER;
        }
        Layer layer = layer(callout.applicableLayer);
        if (layer == null) {
            return STATUS_FWP_LAYER_NOT_FOUND;
        }
        try {
            FwpmObject added = engineHandle.addCallout(
                    key, layer, callout.displayData.toDisplayData(), callout.providerKey, callout.flags);
            if (id != null) {
                id.set((int) added.id());
            }
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmCalloutDeleteById0(engineHandle, id)}: STATUS_FWP_CALLOUT_NOT_FOUND, STATUS_FWP_IN_USE. */
    public static int FwpmCalloutDeleteById0(EngineSession engineHandle, int id) {
        try {
            engineHandle.deleteCallout(id);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmCalloutDeleteByKey0(engineHandle, key)}: STATUS_FWP_CALLOUT_NOT_FOUND, STATUS_FWP_IN_USE. */
    public static int FwpmCalloutDeleteByKey0(EngineSession engineHandle, UUID key) {
        try {
            engineHandle.deleteCallout(key);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    // ---- filters ----

    /**
     * {@code FwpmFilterAdd0(engineHandle, filter, sd, &id)}: the filter with its {@code filterCondition} array and the
     * weight the engine assigns ({@link FilterWeight}: {@code FWP_EMPTY} automatic, {@code FWP_UINT8} a weight range,
     * {@code FWP_UINT64} as is). A callout action needs the callout's {@code FWPM_CALLOUT0} at the filter's layer.
     *
     * @return STATUS_SUCCESS or the refusal: STATUS_FWP_LAYER_NOT_FOUND, STATUS_FWP_SUBLAYER_NOT_FOUND,
     *     STATUS_FWP_PROVIDER_NOT_FOUND, STATUS_FWP_CALLOUT_NOT_FOUND, STATUS_FWP_INCOMPATIBLE_LAYER,
     *     STATUS_FWP_INVALID_ACTION_TYPE, STATUS_FWP_INVALID_FLAGS, STATUS_FWP_INVALID_WEIGHT,
     *     STATUS_FWP_CONDITION_NOT_FOUND, STATUS_FWP_INVALID_ENUMERATOR, STATUS_FWP_TYPE_MISMATCH,
     *     STATUS_FWP_MATCH_TYPE_MISMATCH, STATUS_FWP_ALREADY_EXISTS, STATUS_FWP_NULL_POINTER,
     *     STATUS_FWP_NULL_DISPLAY_NAME (a filter without {@code displayData.name})
     */
    public static int FwpmFilterAdd0(
            EngineSession engineHandle, FWPM_FILTER0 filter, @Nullable Object sd, @Nullable Ref<Long> id) {
        try {
            Layer layer = layer(filter.layerKey);
            if (layer == null) {
                return STATUS_FWP_LAYER_NOT_FOUND;
            }
            if ((filter.flags & ~ACCEPTED_FILTER_FLAGS) != 0) {
                return STATUS_FWP_INVALID_FLAGS;
            }
            ActionType action = action(filter.action.type);
            UUID filterKey = orRandom(filter.filterKey);
            UUID subLayerKey = filter.subLayerKey == null || filter.subLayerKey.equals(ZERO)
                    ? Sublayer.UNIVERSAL.key()
                    : filter.subLayerKey;
            FilterSpec spec = new FilterSpec(
                    filterKey,
                    layer,
                    subLayerKey,
                    0,
                    conditions(layer, filter),
                    action,
                    action.isCallout() ? filter.action.calloutKey : null,
                    runTimeFlags(filter.flags),
                    filter.rawContext);
            Filter added = engineHandle.addFilter(
                    spec, weight(filter.weight), filter.displayData.toDisplayData(), filter.providerKey, filter.flags);
            if (id != null) {
                id.set(added.filterId());
            }
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmFilterDeleteById0(engineHandle, id)}: STATUS_SUCCESS or STATUS_FWP_FILTER_NOT_FOUND. */
    public static int FwpmFilterDeleteById0(EngineSession engineHandle, long id) {
        try {
            engineHandle.deleteFilter(id);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /** {@code FwpmFilterDeleteByKey0(engineHandle, key)}: STATUS_SUCCESS or STATUS_FWP_FILTER_NOT_FOUND. */
    public static int FwpmFilterDeleteByKey0(EngineSession engineHandle, UUID key) {
        try {
            engineHandle.deleteFilter(key);
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmFilterCreateEnumHandle0(engineHandle, enumTemplate, &enumHandle)}: the filters the template matches
     * now ({@code NULL} for all of them; a template whose {@code layerKey} is {@code NULL} matches every layer).
     *
     * @return STATUS_SUCCESS, STATUS_FWP_LAYER_NOT_FOUND, or STATUS_INVALID_PARAMETER for template parts nbl4j does not
     *     support (conditions, flags, another enumType)
     */
    public static int FwpmFilterCreateEnumHandle0(
            EngineSession engineHandle, @Nullable FWPM_FILTER_ENUM_TEMPLATE0 enumTemplate, Ref<FilterEnum> enumHandle) {
        enumHandle.set(null);
        BaseFilteringEngine bfe = engineHandle.bfe();
        FilterEnum.Template template;
        if (enumTemplate == null) {
            template = new FilterEnum.Template(null, null, null, 0xFFFFFFFF, bfe);
        } else {
            if (enumTemplate.numFilterConditions != 0 || enumTemplate.flags != 0 || enumTemplate.enumType != 0) {
                return Fwpsk.STATUS_INVALID_PARAMETER;
            }
            Layer layer = null;
            if (enumTemplate.layerKey != null) {
                layer = layer(enumTemplate.layerKey);
                if (layer == null) {
                    return STATUS_FWP_LAYER_NOT_FOUND;
                }
            }
            template = new FilterEnum.Template(
                    layer, enumTemplate.providerKey, enumTemplate.calloutKey, enumTemplate.actionMask, bfe);
        }
        try {
            enumHandle.set(FilterEnum.of(bfe.engine(), template));
            return Fwpsk.STATUS_SUCCESS;
        } catch (FwpStatusException e) {
            return e.status();
        }
    }

    /**
     * {@code FwpmFilterEnum0(engineHandle, enumHandle, numEntriesRequested, &entries, &numEntriesReturned)}: the next
     * filters, as {@code FWPM_FILTER0} with the weight the engine assigned; free with {@code FwpmFreeMemory0}.
     */
    public static int FwpmFilterEnum0(
            EngineSession engineHandle,
            FilterEnum enumHandle,
            int numEntriesRequested,
            Ref<FWPM_FILTER0[]> entries,
            Ref<Integer> numEntriesReturned) {
        entries.set(null);
        numEntriesReturned.set(0);
        List<Filter> batch;
        try {
            batch = enumHandle.next(numEntriesRequested);
        } catch (FwpStatusException e) {
            return e.status();
        }
        FWPM_FILTER0[] filters = new FWPM_FILTER0[batch.size()];
        for (int i = 0; i < filters.length; i++) {
            Filter filter = batch.get(i);
            filters[i] = toFwpm(filter, engineHandle.bfe().object(FwpmObject.Kind.FILTER, filter.filterKey()));
        }
        entries.set(filters);
        numEntriesReturned.set(filters.length);
        return Fwpsk.STATUS_SUCCESS;
    }

    /**
     * {@code FwpmFilterDestroyEnumHandle0(engineHandle, enumHandle)}.
     *
     * @return {@code STATUS_SUCCESS}, or {@code STATUS_INVALID_DEVICE_STATE} above PASSIVE_LEVEL
     */
    public static int FwpmFilterDestroyEnumHandle0(EngineSession engineHandle, FilterEnum enumHandle) {
        try {
            enumHandle.destroy();
        } catch (FwpStatusException e) {
            return e.status();
        }
        return Fwpsk.STATUS_SUCCESS;
    }

    /**
     * {@code FwpmFreeMemory0(&p)}: what the engine returned is the garbage collector's; the pointer becomes NULL.
     * Refused above PASSIVE_LEVEL, checked by the bound engine's verifier: the pointer is left as it was.
     */
    public static void FwpmFreeMemory0(Ref<?> p) {
        if (SystemWfp.current().verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "FwpmFreeMemory0", "fwpmk")) {
            p.set(null);
        }
    }

    // ---- translation ----

    private static UUID orRandom(@Nullable UUID key) {
        return key == null || key.equals(ZERO) ? UUID.randomUUID() : key;
    }

    private static @Nullable Layer layer(@Nullable UUID layerKey) {
        for (Layer layer : Layer.values()) {
            if (layer.key().equals(layerKey)) {
                return layer;
            }
        }
        return null;
    }

    /** The action with the UINT32 value; the engine refuses the ones a filter cannot have. */
    private static ActionType action(int type) {
        try {
            return ActionType.of(type);
        } catch (IllegalArgumentException e) {
            throw new FwpStatusException(STATUS_FWP_INVALID_ACTION_TYPE, e.getMessage());
        }
    }

    private static int runTimeFlags(int fwpmFlags) {
        int flags = 0;
        if ((fwpmFlags & FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            flags |= Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT;
        }
        if ((fwpmFlags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) != 0) {
            flags |= Filter.FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
        }
        return flags;
    }

    private static FilterWeight weight(FWP_VALUE0 weight) {
        return switch (weight.type) {
            case FWP_EMPTY -> new FilterWeight.Automatic();
            case FWP_UINT8 -> new FilterWeight.InRange(weight.uint8);
            case FWP_UINT64 -> new FilterWeight.Exact(weight.uint64);
            default -> throw new FwpStatusException(STATUS_FWP_INVALID_WEIGHT, "weight of type " + weight.type);
        };
    }

    private static List<FilterCondition> conditions(Layer layer, FWPM_FILTER0 filter) {
        FWPM_FILTER_CONDITION0[] array = filter.filterCondition;
        if (filter.numFilterConditions < 0
                || (filter.numFilterConditions > 0 && (array == null || array.length < filter.numFilterConditions))) {
            throw new FwpStatusException(Fwpsk.STATUS_FWP_NULL_POINTER, "filterCondition");
        }
        List<FilterCondition> conditions = new ArrayList<>();
        for (int i = 0; i < filter.numFilterConditions; i++) {
            FWPM_FILTER_CONDITION0 condition = array[i];
            LayerField field = condition.fieldKey == null ? null : ConditionKeys.field(layer, condition.fieldKey);
            if (field == null) {
                throw new FwpStatusException(STATUS_FWP_CONDITION_NOT_FOUND, condition.fieldKey + " at " + layer);
            }
            if (condition.matchType < 0 || condition.matchType >= MatchType.values().length) {
                throw new FwpStatusException(STATUS_FWP_INVALID_ENUMERATOR, "matchType " + condition.matchType);
            }
            conditions.add(new FilterCondition(
                    field, MatchType.values()[condition.matchType], value(condition.conditionValue)));
        }
        return conditions;
    }

    private static ConditionValue value(FWP_CONDITION_VALUE0 value) {
        return switch (value.type) {
            case FWP_UINT8, FWP_UINT16, FWP_UINT32, FWP_UINT64 ->
                new ConditionValue.Unsigned(integer(value.type, value.uint8, value.uint16, value.uint32, value.uint64));
            case FWP_RANGE_TYPE -> {
                FWP_RANGE0 range = required(value.rangeValue);
                yield new ConditionValue.Range(integer(range.valueLow), integer(range.valueHigh));
            }
            case FWP_V4_ADDR_MASK -> {
                FWP_V4_ADDR_AND_MASK mask = required(value.v4AddrMask);
                yield new ConditionValue.V4AddressAndMask(mask.addr, mask.mask);
            }
            case FWP_BYTE_ARRAY16_TYPE -> new ConditionValue.Bytes16(required(value.byteArray16));
            case FWP_V6_ADDR_MASK -> {
                FWP_V6_ADDR_AND_MASK mask = required(value.v6AddrMask);
                yield new ConditionValue.V6AddressAndPrefix(mask.addr, mask.prefixLength);
            }
            default -> throw new FwpStatusException(STATUS_FWP_TYPE_MISMATCH, "condition value of type " + value.type);
        };
    }

    private static long integer(FWP_VALUE0 value) {
        if (value.type < FWP_UINT8 || value.type > FWP_UINT64) {
            throw new FwpStatusException(STATUS_FWP_TYPE_MISMATCH, "range end of type " + value.type);
        }
        return integer(value.type, value.uint8, value.uint16, value.uint32, value.uint64);
    }

    private static long integer(int type, int uint8, int uint16, int uint32, long uint64) {
        return switch (type) {
            case FWP_UINT8 -> uint8 & 0xFFL;
            case FWP_UINT16 -> uint16 & 0xFFFFL;
            case FWP_UINT32 -> uint32 & 0xFFFF_FFFFL;
            default -> uint64;
        };
    }

    private static <T> T required(@Nullable T member) {
        if (member == null) {
            throw new FwpStatusException(Fwpsk.STATUS_FWP_NULL_POINTER, "condition value");
        }
        return member;
    }

    private static FWPM_FILTER0 toFwpm(Filter filter, @Nullable FwpmObject object) {
        FWPM_FILTER0 entry = new FWPM_FILTER0();
        entry.filterKey = filter.filterKey();
        entry.displayData.from(object == null ? DisplayData.NONE : object.displayData());
        entry.flags = object == null ? fwpmFlags(filter.flags()) : object.flags();
        entry.providerKey = object == null ? null : object.providerKey();
        entry.layerKey = filter.layer().key();
        entry.subLayerKey = filter.sublayer().key();
        entry.weight.type = FWP_UINT64;
        entry.weight.uint64 = filter.weight();
        entry.effectiveWeight.type = FWP_UINT64;
        entry.effectiveWeight.uint64 = filter.weight();
        List<FilterCondition> conditions = filter.conditions();
        entry.numFilterConditions = conditions.size();
        entry.filterCondition = new FWPM_FILTER_CONDITION0[conditions.size()];
        for (int i = 0; i < conditions.size(); i++) {
            entry.filterCondition[i] = toFwpm(conditions.get(i), filter.layer().family());
        }
        entry.action.type = filter.action().value();
        entry.action.calloutKey = filter.calloutKey();
        entry.rawContext = filter.spec().rawContext();
        entry.filterId = filter.filterId();
        return entry;
    }

    private static int fwpmFlags(int runTimeFlags) {
        int flags = 0;
        if ((runTimeFlags & Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            flags |= FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT;
        }
        if ((runTimeFlags & Filter.FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) != 0) {
            flags |= FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
        }
        return flags;
    }

    private static FWPM_FILTER_CONDITION0 toFwpm(FilterCondition condition, AddressFamily family) {
        FWPM_FILTER_CONDITION0 entry = new FWPM_FILTER_CONDITION0();
        entry.fieldKey = ConditionKeys.of(condition.field());
        entry.matchType = condition.matchType().value();
        FWP_CONDITION_VALUE0 value = entry.conditionValue;
        FwpDataType type = condition.field().type(family);
        switch (condition.value()) {
            case ConditionValue.Unsigned(long integer) -> {
                value.type = type.value();
                setInteger(type, integer, value);
            }
            case ConditionValue.Range(long low, long high) -> {
                value.type = FWP_RANGE_TYPE;
                FWP_RANGE0 range = new FWP_RANGE0();
                setInteger(type, low, range.valueLow);
                setInteger(type, high, range.valueHigh);
                value.rangeValue = range;
            }
            case ConditionValue.V4AddressAndMask(int address, int mask) -> {
                value.type = FWP_V4_ADDR_MASK;
                FWP_V4_ADDR_AND_MASK v4 = new FWP_V4_ADDR_AND_MASK();
                v4.addr = address;
                v4.mask = mask;
                value.v4AddrMask = v4;
            }
            case ConditionValue.Bytes16 bytes -> {
                value.type = FWP_BYTE_ARRAY16_TYPE;
                value.byteArray16 = bytes.bytes().clone();
            }
            case ConditionValue.V6AddressAndPrefix prefix -> {
                value.type = FWP_V6_ADDR_MASK;
                FWP_V6_ADDR_AND_MASK v6 = new FWP_V6_ADDR_AND_MASK();
                v6.addr = prefix.address().clone();
                v6.prefixLength = prefix.prefixLength();
                value.v6AddrMask = v6;
            }
        }
        return entry;
    }

    private static void setInteger(FwpDataType type, long integer, FWP_VALUE0 value) {
        value.type = type.value();
        switch (type) {
            case UINT8 -> value.uint8 = (int) (integer & 0xFF);
            case UINT16 -> value.uint16 = (int) (integer & 0xFFFF);
            case UINT32 -> value.uint32 = (int) integer;
            default -> value.uint64 = integer;
        }
    }

    private static void setInteger(FwpDataType type, long integer, FWP_CONDITION_VALUE0 value) {
        switch (type) {
            case UINT8 -> value.uint8 = (int) (integer & 0xFF);
            case UINT16 -> value.uint16 = (int) (integer & 0xFFFF);
            case UINT32 -> value.uint32 = (int) integer;
            default -> value.uint64 = integer;
        }
    }
}
