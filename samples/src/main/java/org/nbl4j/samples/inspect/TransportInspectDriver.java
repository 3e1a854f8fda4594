package org.nbl4j.samples.inspect;

import static org.nbl4j.samples.inspect.TL_INSPECT_PENDED_PACKET.TL_INSPECT_CONNECT_PACKET;
import static org.nbl4j.samples.inspect.TL_INSPECT_PENDED_PACKET.TL_INSPECT_DATA_PACKET;
import static org.nbl4j.stack.ddk.Fwpmk.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Ntddk.*;
import static org.nbl4j.stack.ddk.Wdf.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.FWPM_CALLOUT0;
import org.nbl4j.stack.ddk.FWPM_FILTER0;
import org.nbl4j.stack.ddk.FWPM_FILTER_CONDITION0;
import org.nbl4j.stack.ddk.FWPM_SESSION0;
import org.nbl4j.stack.ddk.FWPM_SUBLAYER0;
import org.nbl4j.stack.ddk.FWPS_CALLOUT;
import org.nbl4j.stack.ddk.FWPS_TRANSPORT_SEND_PARAMS0;
import org.nbl4j.stack.ddk.HANDLE;
import org.nbl4j.stack.ddk.KEVENT;
import org.nbl4j.stack.ddk.KLOCK_QUEUE_HANDLE;
import org.nbl4j.stack.ddk.KSPIN_LOCK;
import org.nbl4j.stack.ddk.PETHREAD;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ddk.WDFDRIVER;
import org.nbl4j.stack.ddk.WDFKEY;
import org.nbl4j.stack.ddk.WDF_DRIVER_CONFIG;
import org.nbl4j.stack.wfp.CalloutDriver;
import org.nbl4j.stack.wfp.ClassifyContext;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.EngineSession;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.IncomingValues;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.PendedOperation;

/**
 * A transport inspection callout driver shaped like Microsoft's {@code inspect} sample (wfp-callouts-and-injection
 * §6.1), IPv4, in our own code through the {@code ddk} facade:
 *
 * <ul>
 *   <li>{@code DriverEntry}: {@code WdfDriverCreate} (non-PnP), the configuration from the driver's Parameters key, the
 *       transport injection handle, the callouts at ALE_AUTH_CONNECT, ALE_AUTH_RECV_ACCEPT, OUTBOUND_TRANSPORT and
 *       INBOUND_TRANSPORT with one CALLOUT_TERMINATING filter each (in the driver's sublayer of a dynamic session),
 *       and the worker thread ({@code PsCreateSystemThread}).
 *   <li>The ALE classify functions pend the first authorization of a flow to or from the inspected addresses
 *       ({@code FwpsPendOperation0}); the connect's reauthorization returns the worker's decision.
 *   <li>The transport classify function clones each packet of those flows, absorbs the original and queues the clone.
 *   <li>The worker, at PASSIVE_LEVEL, decides ({@link #IsTrafficPermitted}), completes pended connections
 *       ({@code FwpsCompleteOperation0}) and reinjects clones ({@code FwpsInjectTransportSendAsync0},
 *       {@code FwpsInjectTransportReceiveAsync0}) or drops them.
 * </ul>
 *
 * <p>Configuration (REG_DWORDs of the Parameters key, {@code -Dnbl4j.parameters=<file>}): {@code
 * RemoteAddressToInspect}, an IPv4 address as a number ({@code 0xC6336402} is 198.51.100.2); {@code
 * RemoteAddressToBlock}, a second inspected address the worker always blocks (our addition, so that one load shows
 * both decisions); {@code BlockTraffic}, 1 to block everything inspected (inspect's own switch).
 *
 * <p>Where this port differs from inspect: it clones in the classify function instead of referencing the original
 * ({@code FwpsReferenceNetBufferList0}) and cloning in the worker, because nbl4j's transport layers hand the NBL back
 * at its IP header once the classify returns; reauthorizations other than the completed connect's (policy changes)
 * are permitted instead of queued; and it registers the V4 layers only.
 */
public final class TransportInspectDriver implements CalloutDriver {
    /** The driver's sublayer. */
    public static final UUID TL_INSPECT_SUBLAYER = UUID.fromString("2e207682-d95f-4525-b966-969f26587f03");

    private static final UUID TL_INSPECT_ALE_CONNECT_CALLOUT_V4 =
            UUID.fromString("2e207682-d95f-4525-b966-969f26587f04");
    private static final UUID TL_INSPECT_ALE_RECV_ACCEPT_CALLOUT_V4 =
            UUID.fromString("2e207682-d95f-4525-b966-969f26587f05");
    private static final UUID TL_INSPECT_OUTBOUND_TRANSPORT_CALLOUT_V4 =
            UUID.fromString("2e207682-d95f-4525-b966-969f26587f06");
    private static final UUID TL_INSPECT_INBOUND_TRANSPORT_CALLOUT_V4 =
            UUID.fromString("2e207682-d95f-4525-b966-969f26587f07");

    // ---- the configuration (inspect.c's configInspectRemoteAddrV4, configPermitTraffic) ----

    private int configInspectRemoteAddrV4;
    private int configBlockRemoteAddrV4;
    private boolean configPermitTraffic = true;

    // ---- the driver's globals ----

    private @Nullable InjectionHandle gInjectionHandle;
    private @Nullable EngineSession gEngineHandle;
    private final List<Integer> gCalloutIds = new ArrayList<>();

    private final KSPIN_LOCK gConnListLock = new KSPIN_LOCK();
    private final List<TL_INSPECT_PENDED_PACKET> gConnList = new ArrayList<>();
    private final KSPIN_LOCK gPacketQueueLock = new KSPIN_LOCK();
    private final List<TL_INSPECT_PENDED_PACKET> gPacketQueue = new ArrayList<>();
    private final KEVENT gWorkerEvent = new KEVENT();
    private volatile boolean gDriverUnloading;
    /** Whether the worker holds an item it took from the lists (for {@link #idle}); guarded by gConnListLock. */
    private boolean workerBusy;

    private @Nullable PETHREAD gThreadObj;

    /** {@link #TLInspectInjectComplete} as the one function object every injection passes, as C passes its address. */
    private final InjectionCompletion injectCompleteFn = this::TLInspectInjectComplete;

    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong pendedConnections = new AtomicLong();
    private final AtomicLong blockedConnections = new AtomicLong();
    private final AtomicLong droppedPackets = new AtomicLong();

    /**
     * {@code DriverEntry(DriverObject, RegistryPath)}: the WDF driver object, the configuration, then the callouts and
     * the worker; on failure undoes what it did.
     */
    public int DriverEntry(@Nullable Object DriverObject, @Nullable Object RegistryPath) {
        WDF_DRIVER_CONFIG config = new WDF_DRIVER_CONFIG();
        WDF_DRIVER_CONFIG_INIT(config, null);
        config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
        Ref<WDFDRIVER> driver = new Ref<>();
        int status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, config, driver);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        status = TLInspectLoadConfig(driver.value());
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ref<InjectionHandle> injectionHandle = new Ref<>();
        status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_TRANSPORT, injectionHandle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        gInjectionHandle = injectionHandle.value();
        KeInitializeSpinLock(gConnListLock);
        KeInitializeSpinLock(gPacketQueueLock);
        KeInitializeEvent(gWorkerEvent, NotificationEvent, false);

        status = TLInspectRegisterCallouts(DriverObject);
        if (NT_SUCCESS(status)) {
            Ref<HANDLE> threadHandle = new Ref<>();
            status = PsCreateSystemThread(
                    threadHandle, THREAD_ALL_ACCESS, null, null, null, this::TLInspectWorker, null);
            if (NT_SUCCESS(status)) {
                Ref<PETHREAD> thread = new Ref<>();
                status = ObReferenceObjectByHandle(threadHandle.value(), 0, null, KernelMode, thread, null);
                gThreadObj = thread.value();
                ZwClose(threadHandle.value());
            }
        }
        if (!NT_SUCCESS(status)) {
            TLInspectEvtDriverUnload();
        }
        return status;
    }

    /** Reads the Parameters key; a missing {@code RemoteAddressToInspect} is an error, as in inspect. */
    private int TLInspectLoadConfig(WDFDRIVER driver) {
        Ref<WDFKEY> key = new Ref<>();
        int status = WdfDriverOpenParametersRegistryKey(driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, key);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ref<Integer> value = new Ref<>();
        status = WdfRegistryQueryULong(key.value(), "RemoteAddressToInspect", value);
        if (NT_SUCCESS(status)) {
            configInspectRemoteAddrV4 = value.value();
            if (NT_SUCCESS(WdfRegistryQueryULong(key.value(), "RemoteAddressToBlock", value))) {
                configBlockRemoteAddrV4 = value.value();
            }
            if (NT_SUCCESS(WdfRegistryQueryULong(key.value(), "BlockTraffic", value))) {
                configPermitTraffic = value.value() == 0;
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
        TLInspectEvtDriverUnload();
    }

    // ---- registration (TL_drv.c) ----

    private int TLInspectRegisterCallouts(@Nullable Object deviceObject) {
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
        subLayer.subLayerKey = TL_INSPECT_SUBLAYER;
        subLayer.displayData.name = "Transport Inspect Sub-Layer";
        subLayer.displayData.description = "Sub-Layer for use by Transport Inspect callouts";
        status = FwpmSubLayerAdd0(engine, subLayer, null);
        if (NT_SUCCESS(status)) {
            status = TLInspectRegisterCallout(
                    deviceObject,
                    engine,
                    FWPM_LAYER_ALE_AUTH_CONNECT_V4,
                    TL_INSPECT_ALE_CONNECT_CALLOUT_V4,
                    this::TLInspectALEConnectClassify);
        }
        if (NT_SUCCESS(status)) {
            status = TLInspectRegisterCallout(
                    deviceObject,
                    engine,
                    FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4,
                    TL_INSPECT_ALE_RECV_ACCEPT_CALLOUT_V4,
                    this::TLInspectALERecvAcceptClassify);
        }
        if (NT_SUCCESS(status)) {
            status = TLInspectRegisterCallout(
                    deviceObject,
                    engine,
                    FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
                    TL_INSPECT_OUTBOUND_TRANSPORT_CALLOUT_V4,
                    this::TLInspectTransportClassify);
        }
        if (NT_SUCCESS(status)) {
            status = TLInspectRegisterCallout(
                    deviceObject,
                    engine,
                    FWPM_LAYER_INBOUND_TRANSPORT_V4,
                    TL_INSPECT_INBOUND_TRANSPORT_CALLOUT_V4,
                    this::TLInspectTransportClassify);
        }
        if (!NT_SUCCESS(status)) {
            FwpmTransactionAbort0(engine);
            return status;
        }
        return FwpmTransactionCommit0(engine);
    }

    /**
     * Registers {@code classifyFn}, adds its callout object at {@code layerKey} and the filter that calls it for the
     * inspected remote addresses (two conditions on one field are alternatives).
     */
    private int TLInspectRegisterCallout(
            @Nullable Object deviceObject,
            EngineSession engine,
            UUID layerKey,
            UUID calloutKey,
            ClassifyFn classifyFn) {
        FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
        sCallout.calloutKey = calloutKey;
        sCallout.classifyFn = classifyFn;
        Ref<Integer> calloutId = new Ref<>();
        int status = FwpsCalloutRegister2(deviceObject, sCallout, calloutId);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        gCalloutIds.add(calloutId.value());

        FWPM_CALLOUT0 mCallout = new FWPM_CALLOUT0();
        mCallout.calloutKey = calloutKey;
        mCallout.displayData.name = "Transport Inspect Callout";
        mCallout.applicableLayer = layerKey;
        status = FwpmCalloutAdd0(engine, mCallout, null, null);
        if (!NT_SUCCESS(status)) {
            return status;
        }

        int[] addresses = configBlockRemoteAddrV4 == 0
                ? new int[] {configInspectRemoteAddrV4}
                : new int[] {configInspectRemoteAddrV4, configBlockRemoteAddrV4};
        FWPM_FILTER_CONDITION0[] filterConditions = new FWPM_FILTER_CONDITION0[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            filterConditions[i] = new FWPM_FILTER_CONDITION0();
            filterConditions[i].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
            filterConditions[i].matchType = FWP_MATCH_EQUAL;
            filterConditions[i].conditionValue.type = FWP_UINT32;
            filterConditions[i].conditionValue.uint32 = addresses[i];
        }
        FWPM_FILTER0 filter = new FWPM_FILTER0();
        filter.layerKey = layerKey;
        filter.displayData.name = "Transport Inspect Filter";
        filter.displayData.description = "Inspects the traffic of the configured remote addresses";
        filter.action.type = FWP_ACTION_CALLOUT_TERMINATING;
        filter.action.calloutKey = calloutKey;
        filter.subLayerKey = TL_INSPECT_SUBLAYER;
        filter.weight.type = FWP_EMPTY;
        filter.filterCondition = filterConditions;
        filter.numFilterConditions = filterConditions.length;
        return FwpmFilterAdd0(engine, filter, null, null);
    }

    // ---- classify functions (inspect.c) ----

    /** The common prologue: whether the packet is this driver's own reinjection (then it is permitted). */
    private boolean PermitOwnPacket(@Nullable NetBufferList layerData, Filter filter, ClassifyOut classifyOut) {
        InjectionHandle injectionHandle = gInjectionHandle;
        if (layerData == null || injectionHandle == null) {
            return false;
        }
        int state = FwpsQueryPacketInjectionState0(injectionHandle, layerData, null);
        if (state != FWPS_PACKET_INJECTED_BY_SELF && state != FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF) {
            return false;
        }
        classifyOut.setActionType(FWP_ACTION_PERMIT);
        if ((filter.flags() & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
        }
        return true;
    }

    /** {@code TLInspectALEConnectClassify}: pends a new connection; answers its reauthorization with the decision. */
    void TLInspectALEConnectClassify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut) {
        if ((classifyOut.rights() & FWPS_RIGHT_ACTION_WRITE) == 0 || PermitOwnPacket(layerData, filter, classifyOut)) {
            return;
        }
        int flags =
                (int) inFixedValues.get(FWPS_FIELD_ALE_AUTH_CONNECT_V4_FLAGS).integer();
        if ((flags & FWP_CONDITION_FLAG_IS_REAUTHORIZE) != 0) {
            TLInspectReauthorizeConnect(inFixedValues, filter, classifyOut);
            return;
        }
        TL_INSPECT_PENDED_PACKET pendedConnect = new TL_INSPECT_PENDED_PACKET();
        pendedConnect.type = TL_INSPECT_CONNECT_PACKET;
        pendedConnect.direction = FWP_DIRECTION_OUTBOUND;
        pendedConnect.addressFamily = AF_INET;
        pendedConnect.localAddressV4 = field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_ADDRESS);
        pendedConnect.remoteAddressV4 = field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_ADDRESS);
        pendedConnect.localPort = field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_PORT);
        pendedConnect.remotePort = field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_PORT);
        pendedConnect.protocol = field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_PROTOCOL);
        pendedConnect.compartmentId = inMetaValues.compartmentId();
        pendedConnect.endpointHandle = inMetaValues.transportEndpointHandle();
        pendedConnect.remoteScopeId = inMetaValues.remoteScopeId();
        // A UDP or ICMP flow's first packet comes with its authorization: it is kept to be sent once permitted.
        if (layerData != null && !CloneOutbound(layerData, pendedConnect)) {
            BlockWithoutAbsorb(classifyOut);
            return;
        }
        PendAndQueue(inMetaValues, pendedConnect, classifyOut);
    }

    /**
     * The reauthorization {@code FwpsCompleteOperation0} causes: the decided connection's decision; a permitted first
     * datagram goes to the packet queue to be sent. Any other reauthorization is permitted (see the class comment).
     */
    private void TLInspectReauthorizeConnect(IncomingValues inFixedValues, Filter filter, ClassifyOut classifyOut) {
        TL_INSPECT_PENDED_PACKET decided = null;
        KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
        for (TL_INSPECT_PENDED_PACKET each : gConnList) {
            if (each.authConnectDecision != 0
                    && each.direction == FWP_DIRECTION_OUTBOUND
                    && each.localPort == field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_LOCAL_PORT)
                    && each.remotePort == field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_PORT)
                    && each.remoteAddressV4 == field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_REMOTE_ADDRESS)
                    && each.protocol == field(inFixedValues, FWPS_FIELD_ALE_AUTH_CONNECT_V4_IP_PROTOCOL)) {
                decided = each;
                break;
            }
        }
        if (decided != null) {
            gConnList.remove(decided);
        }
        KeReleaseInStackQueuedSpinLock(connListLockHandle);
        if (decided == null) {
            // A policy change (permitted), or a connection the worker completed while unloading (blocked).
            if (gDriverUnloading) {
                BlockWithoutAbsorb(classifyOut);
            } else {
                classifyOut.setActionType(FWP_ACTION_PERMIT);
            }
            return;
        }
        classifyOut.setActionType(decided.authConnectDecision);
        if (decided.authConnectDecision == FWP_ACTION_BLOCK
                || (filter.flags() & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
        }
        if (decided.authConnectDecision == FWP_ACTION_PERMIT && decided.netBufferList != null) {
            decided.type = TL_INSPECT_DATA_PACKET;
            QueuePacket(decided);
        } else {
            FreePendedPacket(decided);
        }
    }

    /** {@code TLInspectALERecvAcceptClassify}: pends a new inbound flow, keeping a clone of its first packet. */
    void TLInspectALERecvAcceptClassify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut) {
        if ((classifyOut.rights() & FWPS_RIGHT_ACTION_WRITE) == 0 || PermitOwnPacket(layerData, filter, classifyOut)) {
            return;
        }
        int flags = (int)
                inFixedValues.get(FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_FLAGS).integer();
        if ((flags & FWP_CONDITION_FLAG_IS_REAUTHORIZE) != 0 || layerData == null) {
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            return;
        }
        TL_INSPECT_PENDED_PACKET pendedRecvAccept = new TL_INSPECT_PENDED_PACKET();
        pendedRecvAccept.type = TL_INSPECT_CONNECT_PACKET;
        pendedRecvAccept.direction = FWP_DIRECTION_INBOUND;
        pendedRecvAccept.addressFamily = AF_INET;
        pendedRecvAccept.localAddressV4 = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_ADDRESS);
        pendedRecvAccept.remoteAddressV4 = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_REMOTE_ADDRESS);
        pendedRecvAccept.localPort = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_LOCAL_PORT);
        pendedRecvAccept.remotePort = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_REMOTE_PORT);
        pendedRecvAccept.protocol = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_IP_PROTOCOL);
        pendedRecvAccept.compartmentId = inMetaValues.compartmentId();
        pendedRecvAccept.interfaceIndex = field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_INTERFACE_INDEX);
        pendedRecvAccept.subInterfaceIndex =
                field(inFixedValues, FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_SUB_INTERFACE_INDEX);
        if (!CloneInbound(layerData, inMetaValues, pendedRecvAccept)) {
            BlockWithoutAbsorb(classifyOut);
            return;
        }
        PendAndQueue(inMetaValues, pendedRecvAccept, classifyOut);
    }

    /** {@code TLInspectTransportClassify}, both directions: takes a clone of the packet for the worker. */
    void TLInspectTransportClassify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut) {
        if ((classifyOut.rights() & FWPS_RIGHT_ACTION_WRITE) == 0
                || layerData == null
                || PermitOwnPacket(layerData, filter, classifyOut)) {
            return;
        }
        boolean inbound = inFixedValues.layerId() == FWPS_LAYER_INBOUND_TRANSPORT_V4;
        // The flow's first inbound packet: ALE_AUTH_RECV_ACCEPT takes it (IsAleClassifyRequired).
        if (inbound && FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED)) {
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            return;
        }
        TL_INSPECT_PENDED_PACKET packet = new TL_INSPECT_PENDED_PACKET();
        packet.type = TL_INSPECT_DATA_PACKET;
        packet.addressFamily = AF_INET;
        packet.compartmentId = inMetaValues.compartmentId();
        boolean cloned;
        if (inbound) {
            packet.direction = FWP_DIRECTION_INBOUND;
            packet.localAddressV4 = field(inFixedValues, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS);
            packet.remoteAddressV4 = field(inFixedValues, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS);
            packet.protocol = field(inFixedValues, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL);
            packet.interfaceIndex = field(inFixedValues, FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_INDEX);
            packet.subInterfaceIndex = field(inFixedValues, FWPS_FIELD_INBOUND_TRANSPORT_V4_SUB_INTERFACE_INDEX);
            cloned = CloneInbound(layerData, inMetaValues, packet);
        } else {
            packet.direction = FWP_DIRECTION_OUTBOUND;
            packet.localAddressV4 = field(inFixedValues, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS);
            packet.remoteAddressV4 = field(inFixedValues, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS);
            packet.protocol = field(inFixedValues, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_PROTOCOL);
            packet.endpointHandle = inMetaValues.transportEndpointHandle();
            packet.remoteScopeId = inMetaValues.remoteScopeId();
            cloned = CloneOutbound(layerData, packet);
        }
        if (!cloned) {
            BlockWithoutAbsorb(classifyOut);
            return;
        }
        if (gDriverUnloading) {
            FreePendedPacket(packet);
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            return;
        }
        QueuePacket(packet);
        AbsorbPacket(classifyOut);
    }

    /** Pends the authorization being classified and queues the connection; BLOCK without ABSORB if it cannot pend. */
    private void PendAndQueue(
            IncomingMetadata inMetaValues, TL_INSPECT_PENDED_PACKET pendedConnect, ClassifyOut classifyOut) {
        Ref<PendedOperation> completionContext = new Ref<>();
        int status = FwpsPendOperation0(inMetaValues.completionHandle(), completionContext);
        if (!NT_SUCCESS(status)) {
            FreePendedPacket(pendedConnect);
            BlockWithoutAbsorb(classifyOut);
            return;
        }
        pendedConnect.completionContext = completionContext.value();
        pendedConnections.incrementAndGet();
        KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
        gConnList.add(pendedConnect);
        KeSetEvent(gWorkerEvent, IO_NO_INCREMENT, false);
        KeReleaseInStackQueuedSpinLock(connListLockHandle);
        AbsorbPacket(classifyOut);
    }

    private void QueuePacket(TL_INSPECT_PENDED_PACKET packet) {
        KLOCK_QUEUE_HANDLE packetQueueLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gPacketQueueLock, packetQueueLockHandle);
        gPacketQueue.add(packet);
        KeSetEvent(gWorkerEvent, IO_NO_INCREMENT, false);
        KeReleaseInStackQueuedSpinLock(packetQueueLockHandle);
    }

    private static void AbsorbPacket(ClassifyOut classifyOut) {
        classifyOut.setActionType(FWP_ACTION_BLOCK);
        classifyOut.setFlags(classifyOut.flags() | FWPS_CLASSIFY_OUT_FLAG_ABSORB);
        classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
    }

    private static void BlockWithoutAbsorb(ClassifyOut classifyOut) {
        classifyOut.setActionType(FWP_ACTION_BLOCK);
        classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
    }

    /** An outbound packet starts at its transport header: the clone does too, as transport send injection wants. */
    private static boolean CloneOutbound(NetBufferList layerData, TL_INSPECT_PENDED_PACKET packet) {
        Ref<NetBufferList> clone = new Ref<>();
        if (!NT_SUCCESS(FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clone))) {
            return false;
        }
        packet.netBufferList = clone.value();
        return true;
    }

    /**
     * {@code TLInspectCloneReinjectInbound}'s first steps: retreat to the IP header, clone, advance the original back,
     * so that the clone starts at the IP header as transport receive injection wants.
     */
    private static boolean CloneInbound(
            NetBufferList layerData, IncomingMetadata inMetaValues, TL_INSPECT_PENDED_PACKET packet) {
        NetBuffer netBuffer = NET_BUFFER_LIST_FIRST_NB(layerData);
        int headers = inMetaValues.ipHeaderSize() + inMetaValues.transportHeaderSize();
        if (!NT_SUCCESS(NdisRetreatNetBufferDataStart(netBuffer, headers, 0, null))) {
            return false;
        }
        Ref<NetBufferList> clone = new Ref<>();
        int status = FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clone);
        NdisAdvanceNetBufferDataStart(netBuffer, headers, false, null);
        if (!NT_SUCCESS(status)) {
            return false;
        }
        packet.netBufferList = clone.value();
        return true;
    }

    private static int field(IncomingValues inFixedValues, int index) {
        return (int) inFixedValues.get(index).integer();
    }

    // ---- the worker (TLInspectWorker) ----

    /** {@code IsTrafficPermitted}: inspect's BlockTraffic switch, and our blocked address. */
    private boolean IsTrafficPermitted(TL_INSPECT_PENDED_PACKET packet) {
        return configPermitTraffic
                && (configBlockRemoteAddrV4 == 0 || packet.remoteAddressV4 != configBlockRemoteAddrV4);
    }

    /** The system thread: waits for work and decides, at PASSIVE_LEVEL, until the driver unloads. */
    void TLInspectWorker(@Nullable Object StartContext) {
        while (true) {
            KeWaitForSingleObject(gWorkerEvent, Executive, KernelMode, false, null);
            if (gDriverUnloading) {
                break;
            }
            TL_INSPECT_PENDED_PACKET packet = NextWork();
            if (packet == null) {
                continue;
            }
            try {
                Decide(packet);
            } finally {
                KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
                KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
                workerBusy = false;
                KeReleaseInStackQueuedSpinLock(connListLockHandle);
            }
        }
        TLInspectDrainAtUnload();
    }

    /** Decides on one item: completes a pended connection, reinjects a permitted packet or drops it. */
    private void Decide(TL_INSPECT_PENDED_PACKET packet) {
        boolean permit = IsTrafficPermitted(packet);
        if (packet.type == TL_INSPECT_CONNECT_PACKET) {
            if (!TLInspectCompletePendedConnection(packet, permit)) {
                return; // the reauthorization took it over, or it was refused
            }
        }
        if (permit) {
            int status = packet.direction == FWP_DIRECTION_OUTBOUND
                    ? TLInspectCloneReinjectOutbound(packet)
                    : TLInspectCloneReinjectInbound(packet);
            if (NT_SUCCESS(status)) {
                return; // the completion function owns the packet now
            }
        }
        droppedPackets.incrementAndGet();
        FreePendedPacket(packet);
    }

    /**
     * The first connection without a decision (an inbound one leaves the list here), else the head of the packet
     * queue; clears the event when both are empty, under the locks, so that no signal is lost.
     */
    private @Nullable TL_INSPECT_PENDED_PACKET NextWork() {
        KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
        KLOCK_QUEUE_HANDLE packetQueueLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
        KeAcquireInStackQueuedSpinLock(gPacketQueueLock, packetQueueLockHandle);
        TL_INSPECT_PENDED_PACKET packet = null;
        for (TL_INSPECT_PENDED_PACKET each : gConnList) {
            if (each.authConnectDecision == 0) {
                packet = each;
                break;
            }
        }
        if (packet != null) {
            // An outbound connection stays listed for its reauthorization to find; it is marked as decided below.
            packet.authConnectDecision = IsTrafficPermitted(packet) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
            if (packet.direction == FWP_DIRECTION_INBOUND) {
                gConnList.remove(packet);
            }
        } else if (!gPacketQueue.isEmpty()) {
            packet = gPacketQueue.removeFirst();
        }
        workerBusy = packet != null;
        if (packet == null && !gDriverUnloading) {
            KeClearEvent(gWorkerEvent);
        }
        KeReleaseInStackQueuedSpinLock(packetQueueLockHandle);
        KeReleaseInStackQueuedSpinLock(connListLockHandle);
        return packet;
    }

    /**
     * {@code TlInspectCompletePendedConnection}: an outbound connection is completed, and its reauthorization (inside
     * FwpsCompleteOperation0) takes the entry over; an inbound one that is blocked is completed and freed; an inbound
     * one that is permitted goes on to be reinjected, which completes it.
     *
     * @return whether the caller still owns the packet
     */
    private boolean TLInspectCompletePendedConnection(TL_INSPECT_PENDED_PACKET packet, boolean permit) {
        if (!permit) {
            blockedConnections.incrementAndGet();
        }
        if (packet.direction == FWP_DIRECTION_OUTBOUND) {
            PendedOperation completionContext = packet.completionContext;
            packet.completionContext = null;
            FwpsCompleteOperation0(completionContext, null);
            return false;
        }
        return permit || freeAndFalse(packet);
    }

    private boolean freeAndFalse(TL_INSPECT_PENDED_PACKET packet) {
        FreePendedPacket(packet);
        return false;
    }

    /** {@code TLInspectCloneReinjectOutbound}: sends the clone to the packet's remote address. */
    private int TLInspectCloneReinjectOutbound(TL_INSPECT_PENDED_PACKET packet) {
        InjectionHandle injectionHandle = gInjectionHandle;
        NetBufferList clone = packet.netBufferList;
        if (injectionHandle == null || clone == null) {
            return STATUS_INVALID_PARAMETER;
        }
        FWPS_TRANSPORT_SEND_PARAMS0 sendArgs = new FWPS_TRANSPORT_SEND_PARAMS0();
        sendArgs.remoteAddress = V4Bytes(packet.remoteAddressV4);
        sendArgs.remoteScopeId = packet.remoteScopeId;
        int status = FwpsInjectTransportSendAsync0(
                injectionHandle,
                0,
                packet.endpointHandle,
                0,
                sendArgs,
                packet.addressFamily,
                packet.compartmentId,
                clone,
                injectCompleteFn,
                packet);
        if (NT_SUCCESS(status)) {
            injected.incrementAndGet();
        }
        return status;
    }

    /** {@code TLInspectCloneReinjectInbound}: completes a pended recv-accept with the clone, then receive-injects it. */
    private int TLInspectCloneReinjectInbound(TL_INSPECT_PENDED_PACKET packet) {
        InjectionHandle injectionHandle = gInjectionHandle;
        NetBufferList clone = packet.netBufferList;
        if (injectionHandle == null || clone == null) {
            return STATUS_INVALID_PARAMETER;
        }
        PendedOperation completionContext = packet.completionContext;
        if (completionContext != null) {
            packet.completionContext = null;
            FwpsCompleteOperation0(completionContext, clone);
        }
        int status = FwpsInjectTransportReceiveAsync0(
                injectionHandle,
                0,
                null,
                0,
                packet.addressFamily,
                packet.compartmentId,
                packet.interfaceIndex,
                packet.subInterfaceIndex,
                clone,
                injectCompleteFn,
                packet);
        if (NT_SUCCESS(status)) {
            injected.incrementAndGet();
        }
        return status;
    }

    /** {@code TLInspectInjectComplete}: frees the clone and the packet. */
    void TLInspectInjectComplete(@Nullable Object context, NetBufferList netBufferList, boolean dispatchLevel) {
        TL_INSPECT_PENDED_PACKET packet = (TL_INSPECT_PENDED_PACKET) context;
        FwpsFreeCloneNetBufferList0(netBufferList, 0);
        if (packet != null) {
            packet.netBufferList = null;
            FreePendedPacket(packet);
        }
        completed.incrementAndGet();
    }

    /** {@code FreePendedPacket}: frees the clone and completes a pended operation still held. */
    private static void FreePendedPacket(TL_INSPECT_PENDED_PACKET packet) {
        NetBufferList clone = packet.netBufferList;
        if (clone != null) {
            packet.netBufferList = null;
            FwpsFreeCloneNetBufferList0(clone, 0);
        }
        PendedOperation completionContext = packet.completionContext;
        if (completionContext != null) {
            packet.completionContext = null;
            FwpsCompleteOperation0(completionContext, null);
        }
    }

    /** The worker's exit path: every pended connection is completed with BLOCK and every queued packet freed. */
    private void TLInspectDrainAtUnload() {
        while (true) {
            TL_INSPECT_PENDED_PACKET packet;
            KLOCK_QUEUE_HANDLE lockHandle = new KLOCK_QUEUE_HANDLE();
            KeAcquireInStackQueuedSpinLock(gConnListLock, lockHandle);
            packet = gConnList.isEmpty() ? null : gConnList.removeFirst();
            KeReleaseInStackQueuedSpinLock(lockHandle);
            if (packet == null) {
                break;
            }
            // Completing an outbound connection reauthorizes it; unlisted and unloading, it is blocked.
            FreePendedPacket(packet);
        }
        while (true) {
            TL_INSPECT_PENDED_PACKET packet;
            KLOCK_QUEUE_HANDLE lockHandle = new KLOCK_QUEUE_HANDLE();
            KeAcquireInStackQueuedSpinLock(gPacketQueueLock, lockHandle);
            packet = gPacketQueue.isEmpty() ? null : gPacketQueue.removeFirst();
            KeReleaseInStackQueuedSpinLock(lockHandle);
            if (packet == null) {
                break;
            }
            FreePendedPacket(packet);
        }
    }

    // ---- unload (TL_drv.c) ----

    /**
     * {@code TLInspectEvtDriverUnload}: stops the worker (which completes and frees what is queued), then closes the
     * dynamic session (its filters, callout objects and sublayer go), unregisters the callouts and destroys the
     * injection handle, which waits for the injections still in flight.
     */
    public void TLInspectEvtDriverUnload() {
        KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
        KLOCK_QUEUE_HANDLE packetQueueLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
        KeAcquireInStackQueuedSpinLock(gPacketQueueLock, packetQueueLockHandle);
        gDriverUnloading = true;
        KeSetEvent(gWorkerEvent, IO_NO_INCREMENT, false);
        KeReleaseInStackQueuedSpinLock(packetQueueLockHandle);
        KeReleaseInStackQueuedSpinLock(connListLockHandle);
        PETHREAD thread = gThreadObj;
        if (thread != null) {
            KeWaitForSingleObject(thread, Executive, KernelMode, false, null);
            ObDereferenceObject(thread);
            gThreadObj = null;
        }
        EngineSession engine = gEngineHandle;
        if (engine != null) {
            FwpmEngineClose0(engine);
            gEngineHandle = null;
        }
        for (int calloutId : gCalloutIds) {
            FwpsCalloutUnregisterById0(calloutId);
        }
        gCalloutIds.clear();
        InjectionHandle handle = gInjectionHandle;
        if (handle != null) {
            FwpsInjectionHandleDestroy0(handle);
            gInjectionHandle = null;
        }
    }

    /** A host-order IPv4 address as the four bytes in network order that FWPS_TRANSPORT_SEND_PARAMS0 takes. */
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

    /** ALE authorizations pended. */
    public long pendedConnections() {
        return pendedConnections.get();
    }

    /** Pended connections the worker blocked. */
    public long blockedConnections() {
        return blockedConnections.get();
    }

    /** Packets the worker dropped (blocked, or their injection refused). */
    public long droppedPackets() {
        return droppedPackets.get();
    }

    /** Whether the worker has nothing queued: every pended connection decided and every packet handled. */
    public boolean idle() {
        KLOCK_QUEUE_HANDLE connListLockHandle = new KLOCK_QUEUE_HANDLE();
        KLOCK_QUEUE_HANDLE packetQueueLockHandle = new KLOCK_QUEUE_HANDLE();
        KeAcquireInStackQueuedSpinLock(gConnListLock, connListLockHandle);
        KeAcquireInStackQueuedSpinLock(gPacketQueueLock, packetQueueLockHandle);
        boolean idle = gConnList.isEmpty() && gPacketQueue.isEmpty() && !workerBusy;
        KeReleaseInStackQueuedSpinLock(packetQueueLockHandle);
        KeReleaseInStackQueuedSpinLock(connListLockHandle);
        return idle;
    }
}
