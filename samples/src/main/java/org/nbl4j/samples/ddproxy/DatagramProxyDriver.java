package org.nbl4j.samples.ddproxy;

import static org.nbl4j.stack.ddk.Fwpmk.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdf.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ddk.FWPM_CALLOUT0;
import org.nbl4j.stack.ddk.FWPM_FILTER0;
import org.nbl4j.stack.ddk.FWPM_FILTER_CONDITION0;
import org.nbl4j.stack.ddk.FWPM_SESSION0;
import org.nbl4j.stack.ddk.FWPM_SUBLAYER0;
import org.nbl4j.stack.ddk.FWPS_CALLOUT;
import org.nbl4j.stack.ddk.FWPS_TRANSPORT_SEND_PARAMS1;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ddk.WDFDRIVER;
import org.nbl4j.stack.ddk.WDFKEY;
import org.nbl4j.stack.ddk.WDF_DRIVER_CONFIG;
import org.nbl4j.stack.wfp.CalloutDriver;
import org.nbl4j.stack.wfp.ClassifyContext;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.EngineSession;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.IncomingValues;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;

/**
 * A datagram proxy callout driver shaped like Microsoft's {@code ddproxy} sample (wfp-callouts-and-injection §6.2),
 * IPv4 UDP, in our own code through the {@code ddk} facade. Datagrams the host sends to the <em>inspect</em>
 * destination ({@code InspectDestinationAddress}:{@code InspectDestinationPort}) leave for the <em>new</em> one
 * ({@code NewDestinationAddress}:{@code NewDestinationPort}); the answers from the new destination reach the
 * application as if they came from the inspect destination, so its socket sees the address and port it sent to.
 *
 * <ul>
 *   <li>ALE_FLOW_ESTABLISHED: two filters whose {@code rawContext} says which flow they find, the original (to the
 *       inspect destination) or the proxy's (to the new one); the callout gives the flow a context
 *       ({@code FwpsFlowAssociateContext0}) at DATAGRAM_DATA for the datagram callout.
 *   <li>DATAGRAM_DATA: the datagram callout is {@code FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW}, so it runs only for flows
 *       with a context. Outbound it clones the datagram, rewrites the destination port (UDP checksum 0) and sends the
 *       clone to the new address ({@code FwpsInjectTransportSendAsync1}); inbound it clones from the IP header,
 *       rewrites the source port and address back and receive-injects the clone. The original is absorbed.
 *   <li>{@code flowDeleteFn} forgets the flow's context; unload removes the contexts still associated
 *       ({@code FwpsFlowRemoveContext0}) before it unregisters the callouts.
 * </ul>
 *
 * <p>Configuration (REG_DWORDs of the Parameters key, {@code -Dnbl4j.parameters=<file>}): addresses as numbers
 * ({@code 0xC6336402} is 198.51.100.2), ports as numbers; a missing new address means the inspect address.
 *
 * <p>Where this port differs from ddproxy: it clones, modifies and injects in the classify function instead of
 * queueing to a worker thread (the inspect sample shows the worker).
 */
public final class DatagramProxyDriver implements CalloutDriver {
    /** The driver's sublayer. */
    public static final UUID DD_PROXY_SUBLAYER = UUID.fromString("0104fd7e-c825-414e-94c9-f0d525bbc169");

    private static final UUID DD_PROXY_FLOW_ESTABLISHED_CALLOUT_V4 =
            UUID.fromString("0104fd7e-c825-414e-94c9-f0d525bbc16a");
    private static final UUID DD_PROXY_CALLOUT_V4 = UUID.fromString("0104fd7e-c825-414e-94c9-f0d525bbc16b");

    /** The flow types a flow-established filter's {@code rawContext} carries. */
    static final long DD_PROXY_FLOW_ORIGINAL = 1;

    static final long DD_PROXY_FLOW_PROXY = 2;

    /** {@code IPPROTO_UDP} (ws2def.h). */
    private static final int IPPROTO_UDP = 17;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int UDP_DESTINATION_PORT = 2;
    private static final int UDP_SOURCE_PORT = 0;
    private static final int UDP_CHECKSUM = 6;
    private static final int IPV4_SOURCE = 12;

    // ---- the configuration (DD_drv.c) ----

    private int configInspectDestAddrV4;
    private int configInspectDestPort;
    private int configNewDestAddrV4;
    private int configNewDestPort;

    // ---- the driver's globals ----

    private @Nullable InjectionHandle gInjectionHandle;
    private @Nullable EngineSession gEngineHandle;
    private int gFlowEstablishedCalloutIdV4;
    private int gCalloutIdV4;
    private volatile boolean gDriverUnloading;

    /**
     * {@code gFlowList}: the flow contexts by the value given to FwpsFlowAssociateContext0 (ddproxy passes the
     * context's address; a Java object has none, so each gets a number).
     */
    private final Map<Long, DD_PROXY_FLOW_CONTEXT> gFlowList = new ConcurrentHashMap<>();

    private final AtomicLong nextFlowContext = new AtomicLong();

    private final InjectionCompletion injectCompleteFn = this::DDProxyInjectComplete;
    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong flowsDeleted = new AtomicLong();

    /** {@code DD_PROXY_FLOW_CONTEXT}: what the proxy keeps for one flow. */
    static final class DD_PROXY_FLOW_CONTEXT {
        long flowType;
        long flowId;
        int layerId;
        int calloutId;
        int addressFamily;
        /** ORIGINAL: where the datagrams go instead. PROXY: where the answers are said to come from. */
        int newAddressV4;

        int newPort;
        boolean deleted;
    }

    /** {@code DriverEntry}: the WDF driver object, the configuration, the injection handle and the callouts. */
    public int DriverEntry(@Nullable Object DriverObject, @Nullable Object RegistryPath) {
        WDF_DRIVER_CONFIG config = new WDF_DRIVER_CONFIG();
        WDF_DRIVER_CONFIG_INIT(config, null);
        config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
        Ref<WDFDRIVER> driver = new Ref<>();
        int status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, config, driver);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        status = DDProxyLoadConfig(driver.value());
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ref<InjectionHandle> injectionHandle = new Ref<>();
        status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_TRANSPORT, injectionHandle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        gInjectionHandle = injectionHandle.value();
        status = DDProxyRegisterCallouts(DriverObject);
        if (!NT_SUCCESS(status)) {
            EvtDriverUnload();
        }
        return status;
    }

    private int DDProxyLoadConfig(WDFDRIVER driver) {
        Ref<WDFKEY> key = new Ref<>();
        int status = WdfDriverOpenParametersRegistryKey(driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, key);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ref<Integer> value = new Ref<>();
        status = WdfRegistryQueryULong(key.value(), "InspectDestinationAddress", value);
        if (NT_SUCCESS(status)) {
            configInspectDestAddrV4 = value.value();
            configNewDestAddrV4 = configInspectDestAddrV4;
            status = WdfRegistryQueryULong(key.value(), "InspectDestinationPort", value);
        }
        if (NT_SUCCESS(status)) {
            configInspectDestPort = value.value() & 0xFFFF;
            status = WdfRegistryQueryULong(key.value(), "NewDestinationPort", value);
        }
        if (NT_SUCCESS(status)) {
            configNewDestPort = value.value() & 0xFFFF;
            if (NT_SUCCESS(WdfRegistryQueryULong(key.value(), "NewDestinationAddress", value))) {
                configNewDestAddrV4 = value.value();
            }
        }
        WdfRegistryClose(key.value());
        return status;
    }

    /** Loads the driver as a host does: {@link #DriverEntry} with {@code engine} as the thread's filter engine. */
    @Override
    public void load(FilterEngine engine) {
        SystemWfp.runDriverEntry(engine, () -> DriverEntry(null, null));
    }

    @Override
    public void unload() {
        EvtDriverUnload();
    }

    // ---- registration (DD_drv.c) ----

    private int DDProxyRegisterCallouts(@Nullable Object deviceObject) {
        FWPM_SESSION0 session = new FWPM_SESSION0();
        session.flags = FWPM_SESSION_FLAG_DYNAMIC;
        Ref<EngineSession> engineHandle = new Ref<>();
        int status = FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, session, engineHandle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        EngineSession engine = engineHandle.value();
        gEngineHandle = engine;
        status = FwpmTransactionBegin0(engine, 0);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        FWPM_SUBLAYER0 subLayer = new FWPM_SUBLAYER0();
        subLayer.subLayerKey = DD_PROXY_SUBLAYER;
        subLayer.displayData.name = "Datagram-Data Proxy Sub-Layer";
        subLayer.displayData.description = "Sub-Layer for use by Datagram-Data Proxy callouts";
        status = FwpmSubLayerAdd0(engine, subLayer, null);

        Ref<Integer> calloutId = new Ref<>();
        if (NT_SUCCESS(status)) {
            FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
            sCallout.calloutKey = DD_PROXY_FLOW_ESTABLISHED_CALLOUT_V4;
            sCallout.classifyFn = this::DDProxyFlowEstablishedClassify;
            status = RegisterCallout(deviceObject, engine, sCallout, FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, calloutId);
            gFlowEstablishedCalloutIdV4 = NT_SUCCESS(status) ? calloutId.value() : 0;
        }
        if (NT_SUCCESS(status)) {
            FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
            sCallout.calloutKey = DD_PROXY_CALLOUT_V4;
            sCallout.classifyFn = this::DDProxyClassify;
            sCallout.flowDeleteFn = this::DDProxyFlowDelete;
            sCallout.flags = FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW;
            status = RegisterCallout(deviceObject, engine, sCallout, FWPM_LAYER_DATAGRAM_DATA_V4, calloutId);
            gCalloutIdV4 = NT_SUCCESS(status) ? calloutId.value() : 0;
        }
        // The original flow is found going to the inspect destination, the proxy's going to the new one.
        if (NT_SUCCESS(status)) {
            status = DDProxyAddFilter(
                    engine,
                    "DDProxy ALE Flow Established Filter (original)",
                    FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4,
                    DD_PROXY_FLOW_ESTABLISHED_CALLOUT_V4,
                    configInspectDestAddrV4,
                    configInspectDestPort,
                    FWP_DIRECTION_OUTBOUND,
                    DD_PROXY_FLOW_ORIGINAL);
        }
        if (NT_SUCCESS(status)) {
            status = DDProxyAddFilter(
                    engine,
                    "DDProxy ALE Flow Established Filter (proxy)",
                    FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4,
                    DD_PROXY_FLOW_ESTABLISHED_CALLOUT_V4,
                    configNewDestAddrV4,
                    configNewDestPort,
                    FWP_DIRECTION_OUTBOUND,
                    DD_PROXY_FLOW_PROXY);
        }
        // Datagrams to redirect go out to the inspect destination; answers to reverse come in from the new one.
        if (NT_SUCCESS(status)) {
            status = DDProxyAddFilter(
                    engine,
                    "DDProxy Datagram-Data Filter (outbound)",
                    FWPM_LAYER_DATAGRAM_DATA_V4,
                    DD_PROXY_CALLOUT_V4,
                    configInspectDestAddrV4,
                    configInspectDestPort,
                    FWP_DIRECTION_OUTBOUND,
                    0);
        }
        if (NT_SUCCESS(status)) {
            status = DDProxyAddFilter(
                    engine,
                    "DDProxy Datagram-Data Filter (inbound)",
                    FWPM_LAYER_DATAGRAM_DATA_V4,
                    DD_PROXY_CALLOUT_V4,
                    configNewDestAddrV4,
                    configNewDestPort,
                    FWP_DIRECTION_INBOUND,
                    0);
        }
        if (!NT_SUCCESS(status)) {
            FwpmTransactionAbort0(engine);
            return status;
        }
        return FwpmTransactionCommit0(engine);
    }

    private static int RegisterCallout(
            @Nullable Object deviceObject,
            EngineSession engine,
            FWPS_CALLOUT sCallout,
            UUID layerKey,
            Ref<Integer> calloutId) {
        int status = FwpsCalloutRegister2(deviceObject, sCallout, calloutId);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        FWPM_CALLOUT0 mCallout = new FWPM_CALLOUT0();
        mCallout.calloutKey = sCallout.calloutKey;
        mCallout.displayData.name = "Datagram-Data Proxy Callout";
        mCallout.applicableLayer = layerKey;
        return FwpmCalloutAdd0(engine, mCallout, null, null);
    }

    /** {@code DDProxyAddFilter}: remote address, UDP, remote port and direction, with {@code rawContext}. */
    private static int DDProxyAddFilter(
            EngineSession engine,
            String name,
            UUID layerKey,
            UUID calloutKey,
            int remoteAddressV4,
            int remotePort,
            int direction,
            long rawContext) {
        FWPM_FILTER_CONDITION0[] filterConditions = new FWPM_FILTER_CONDITION0[4];
        for (int i = 0; i < filterConditions.length; i++) {
            filterConditions[i] = new FWPM_FILTER_CONDITION0();
            filterConditions[i].matchType = FWP_MATCH_EQUAL;
        }
        filterConditions[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
        filterConditions[0].conditionValue.type = FWP_UINT32;
        filterConditions[0].conditionValue.uint32 = remoteAddressV4;
        filterConditions[1].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
        filterConditions[1].conditionValue.type = FWP_UINT8;
        filterConditions[1].conditionValue.uint8 = IPPROTO_UDP;
        filterConditions[2].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
        filterConditions[2].conditionValue.type = FWP_UINT16;
        filterConditions[2].conditionValue.uint16 = remotePort;
        filterConditions[3].fieldKey = FWPM_CONDITION_DIRECTION;
        filterConditions[3].conditionValue.type = FWP_UINT32;
        filterConditions[3].conditionValue.uint32 = direction;

        FWPM_FILTER0 filter = new FWPM_FILTER0();
        filter.layerKey = layerKey;
        filter.displayData.name = name;
        filter.action.type = FWP_ACTION_CALLOUT_TERMINATING;
        filter.action.calloutKey = calloutKey;
        filter.subLayerKey = DD_PROXY_SUBLAYER;
        filter.weight.type = FWP_EMPTY;
        filter.filterCondition = filterConditions;
        filter.numFilterConditions = filterConditions.length;
        filter.rawContext = rawContext;
        return FwpmFilterAdd0(engine, filter, null, null);
    }

    // ---- classify functions (DD_proxy.c) ----

    /**
     * {@code DDProxyFlowEstablishedClassify}: gives the flow a context at DATAGRAM_DATA saying how to rewrite its
     * datagrams, and permits it.
     */
    void DDProxyFlowEstablishedClassify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut) {
        if ((classifyOut.rights() & FWPS_RIGHT_ACTION_WRITE) == 0) {
            return;
        }
        DD_PROXY_FLOW_CONTEXT context = new DD_PROXY_FLOW_CONTEXT();
        context.flowType = filter.context();
        context.flowId = inMetaValues.flowHandle();
        context.layerId = FWPS_LAYER_DATAGRAM_DATA_V4;
        context.calloutId = gCalloutIdV4;
        context.addressFamily = AF_INET;
        if (context.flowType == DD_PROXY_FLOW_ORIGINAL) {
            context.newAddressV4 = configNewDestAddrV4;
            context.newPort = configNewDestPort;
        } else {
            context.newAddressV4 = configInspectDestAddrV4;
            context.newPort = configInspectDestPort;
        }
        long contextValue = nextFlowContext.incrementAndGet();
        int status = gDriverUnloading
                ? NtStatus.STATUS_INVALID_DEVICE_STATE
                : FwpsFlowAssociateContext0(context.flowId, context.layerId, context.calloutId, contextValue);
        if (!NT_SUCCESS(status)) {
            classifyOut.setActionType(FWP_ACTION_BLOCK);
            classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
            return;
        }
        gFlowList.put(contextValue, context);
        classifyOut.setActionType(FWP_ACTION_PERMIT);
        if ((filter.flags() & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
        }
    }

    /** {@code DDProxyClassify}: rewrites a clone of the datagram and reinjects it in place of the original. */
    void DDProxyClassify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut) {
        InjectionHandle injectionHandle = gInjectionHandle;
        if ((classifyOut.rights() & FWPS_RIGHT_ACTION_WRITE) == 0 || layerData == null || injectionHandle == null) {
            return;
        }
        int state = FwpsQueryPacketInjectionState0(injectionHandle, layerData, null);
        if (state == FWPS_PACKET_INJECTED_BY_SELF || state == FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF) {
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            if ((filter.flags() & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
                classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
            }
            return;
        }
        DD_PROXY_FLOW_CONTEXT context = gFlowList.get(flowContext);
        if (context == null || context.deleted || gDriverUnloading) {
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            return;
        }
        boolean inbound =
                inFixedValues.get(FWPS_FIELD_DATAGRAM_DATA_V4_DIRECTION).integer() == FWP_DIRECTION_INBOUND;
        int status = inbound
                ? DDProxyCloneModifyReinjectInbound(injectionHandle, inFixedValues, inMetaValues, layerData, context)
                : DDProxyCloneModifyReinjectOutbound(injectionHandle, inMetaValues, layerData, context);
        if (!NT_SUCCESS(status)) {
            classifyOut.setActionType(FWP_ACTION_BLOCK);
            classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
            return;
        }
        classifyOut.setActionType(FWP_ACTION_BLOCK);
        classifyOut.setFlags(classifyOut.flags() | FWPS_CLASSIFY_OUT_FLAG_ABSORB);
        classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
    }

    /**
     * {@code DDProxyCloneModifyReinjectOutbound}: the clone starts at the UDP header; every NB gets the new
     * destination port and checksum 0 (written into the data it shares with the absorbed original), and the clone is
     * sent to the new address.
     */
    private int DDProxyCloneModifyReinjectOutbound(
            InjectionHandle injectionHandle,
            IncomingMetadata inMetaValues,
            NetBufferList layerData,
            DD_PROXY_FLOW_CONTEXT context) {
        Ref<NetBufferList> clonedNetBufferList = new Ref<>();
        int status = FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clonedNetBufferList);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        NetBufferList clone = clonedNetBufferList.value();
        for (NetBuffer netBuffer = NET_BUFFER_LIST_FIRST_NB(clone);
                netBuffer != null;
                netBuffer = NET_BUFFER_NEXT_NB(netBuffer)) {
            MemorySegment udpHeader = NdisGetDataBuffer(netBuffer, 8, null, 1, 0);
            if (udpHeader == null) {
                FwpsFreeCloneNetBufferList0(clone, 0);
                return STATUS_INVALID_PARAMETER;
            }
            udpHeader.set(U16, UDP_DESTINATION_PORT, (short) context.newPort);
            udpHeader.set(U16, UDP_CHECKSUM, (short) 0);
        }
        FWPS_TRANSPORT_SEND_PARAMS1 sendArgs = new FWPS_TRANSPORT_SEND_PARAMS1();
        sendArgs.remoteAddress = V4Bytes(context.newAddressV4);
        sendArgs.remoteScopeId = inMetaValues.remoteScopeId();
        status = FwpsInjectTransportSendAsync1(
                injectionHandle,
                0,
                inMetaValues.transportEndpointHandle(),
                0,
                sendArgs,
                AF_INET,
                inMetaValues.compartmentId(),
                clone,
                injectCompleteFn,
                null);
        if (!NT_SUCCESS(status)) {
            FwpsFreeCloneNetBufferList0(clone, 0);
            return status;
        }
        injected.incrementAndGet();
        return status;
    }

    /**
     * {@code DDProxyCloneModifyReinjectInbound}: retreat to the IP header, clone, advance the original back; the clone
     * gets the inspect port as its source port (checksum 0) and, if the new address differs, a new IP header from the
     * inspect address; then it is receive-injected where the original arrived.
     */
    private int DDProxyCloneModifyReinjectInbound(
            InjectionHandle injectionHandle,
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            NetBufferList layerData,
            DD_PROXY_FLOW_CONTEXT context) {
        NetBuffer netBuffer = NET_BUFFER_LIST_FIRST_NB(layerData);
        int ipHeaderSize = inMetaValues.ipHeaderSize();
        int headers = ipHeaderSize + inMetaValues.transportHeaderSize();
        int status = NdisRetreatNetBufferDataStart(netBuffer, headers, 0, null);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ref<NetBufferList> clonedNetBufferList = new Ref<>();
        status = FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clonedNetBufferList);
        NdisAdvanceNetBufferDataStart(netBuffer, headers, false, null);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        NetBufferList clone = clonedNetBufferList.value();
        MemorySegment headersView = NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(clone), headers, null, 1, 0);
        if (headersView == null) {
            FwpsFreeCloneNetBufferList0(clone, 0);
            return STATUS_INVALID_PARAMETER;
        }
        headersView.set(U16, ipHeaderSize + UDP_SOURCE_PORT, (short) context.newPort);
        headersView.set(U16, ipHeaderSize + UDP_CHECKSUM, (short) 0);
        int source = headersView.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), IPV4_SOURCE);
        if (source != context.newAddressV4) {
            // The answer must come from the address the application sent to: a new header from it to this host.
            status = FwpsConstructIpHeaderForTransportPacket0(
                    clone,
                    ipHeaderSize,
                    AF_INET,
                    V4Bytes(context.newAddressV4),
                    V4Bytes((int) inFixedValues
                            .get(FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_ADDRESS)
                            .integer()),
                    IPPROTO_UDP,
                    0,
                    null,
                    0,
                    0,
                    null,
                    0,
                    0);
            if (!NT_SUCCESS(status)) {
                FwpsFreeCloneNetBufferList0(clone, 0);
                return status;
            }
        }
        status = FwpsInjectTransportReceiveAsync0(
                injectionHandle,
                0,
                null,
                0,
                AF_INET,
                inMetaValues.compartmentId(),
                (int) inFixedValues
                        .get(FWPS_FIELD_DATAGRAM_DATA_V4_INTERFACE_INDEX)
                        .integer(),
                (int) inFixedValues
                        .get(FWPS_FIELD_DATAGRAM_DATA_V4_SUB_INTERFACE_INDEX)
                        .integer(),
                clone,
                injectCompleteFn,
                null);
        if (!NT_SUCCESS(status)) {
            FwpsFreeCloneNetBufferList0(clone, 0);
            return status;
        }
        injected.incrementAndGet();
        return status;
    }

    /** {@code DDProxyInjectComplete}: frees the clone. */
    void DDProxyInjectComplete(@Nullable Object context, NetBufferList netBufferList, boolean dispatchLevel) {
        FwpsFreeCloneNetBufferList0(netBufferList, 0);
        completed.incrementAndGet();
    }

    /** {@code DDProxyFlowDelete}: the flow ended; its context goes. */
    void DDProxyFlowDelete(int layerId, int calloutId, long flowContext) {
        DD_PROXY_FLOW_CONTEXT context = gFlowList.remove(flowContext);
        if (context != null) {
            context.deleted = true;
            flowsDeleted.incrementAndGet();
        }
    }

    // ---- unload ----

    /**
     * {@code EvtDriverUnload}: {@code DDProxyRemoveFlows} removes every context still associated (the callouts cannot
     * be unregistered while flows hold their contexts), then the session closes, the callouts are unregistered and the
     * injection handle destroyed.
     */
    public void EvtDriverUnload() {
        gDriverUnloading = true;
        List<DD_PROXY_FLOW_CONTEXT> contexts = new ArrayList<>(gFlowList.values());
        for (DD_PROXY_FLOW_CONTEXT context : contexts) {
            context.deleted = true;
            FwpsFlowRemoveContext0(context.flowId, context.layerId, context.calloutId);
        }
        EngineSession engine = gEngineHandle;
        if (engine != null) {
            FwpmEngineClose0(engine);
            gEngineHandle = null;
        }
        if (gFlowEstablishedCalloutIdV4 != 0) {
            FwpsCalloutUnregisterById0(gFlowEstablishedCalloutIdV4);
            gFlowEstablishedCalloutIdV4 = 0;
        }
        if (gCalloutIdV4 != 0) {
            FwpsCalloutUnregisterById0(gCalloutIdV4);
            gCalloutIdV4 = 0;
        }
        InjectionHandle handle = gInjectionHandle;
        if (handle != null) {
            FwpsInjectionHandleDestroy0(handle);
            gInjectionHandle = null;
        }
    }

    private static byte[] V4Bytes(int addressV4) {
        return new byte[] {
            (byte) (addressV4 >>> 24), (byte) (addressV4 >>> 16), (byte) (addressV4 >>> 8), (byte) addressV4
        };
    }

    // ---- what a host reports ----

    /** Clones accepted by a transport injection function. */
    public long injected() {
        return injected.get();
    }

    /** Injection completions run. */
    public long completed() {
        return completed.get();
    }

    /** Flow contexts given to flows and not yet deleted. */
    public int flowContexts() {
        return gFlowList.size();
    }

    /** Flow contexts the engine deleted through flowDeleteFn (each exactly once). */
    public long flowsDeleted() {
        return flowsDeleted.get();
    }
}
