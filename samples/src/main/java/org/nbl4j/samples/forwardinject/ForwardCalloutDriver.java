package org.nbl4j.samples.forwardinject;

import static org.nbl4j.stack.ddk.Fwpmk.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.FWPM_CALLOUT0;
import org.nbl4j.stack.ddk.FWPM_FILTER0;
import org.nbl4j.stack.ddk.FWPM_FILTER_CONDITION0;
import org.nbl4j.stack.ddk.FWPM_SESSION0;
import org.nbl4j.stack.ddk.FWPM_SUBLAYER0;
import org.nbl4j.stack.ddk.FWPS_CALLOUT;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
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
 * What the forward-layer callouts share, in the DDI style of a callout driver: {@code DriverEntry} creates the
 * injection handle, registers one callout per IPFORWARD layer ({@code FwpsCalloutRegister2}) and, in one transaction
 * of a dynamic {@code Fwpm} session, adds the driver's sublayer, the two callout objects and one filter per layer whose
 * condition takes unicast destinations; the classifyFn skeleton, the completion function that frees the clone, and
 * {@code DriverUnload}, whose {@code FwpmEngineClose0} removes every object the session added. The variant decides
 * what a classify does with a packet it takes ({@link #TakePacket}).
 *
 * <p>Each driver method runs on a thread bound to the stack's {@link org.nbl4j.stack.ddk.SystemWfp} and
 * {@link org.nbl4j.stack.ddk.SystemNdis}.
 */
public abstract sealed class ForwardCalloutDriver implements CalloutDriver
        permits ForwardInjectCallout, HoldingForwardCallout, UserVerdictCallout {
    /** The driver's sublayer ({@code FWPM_SUBLAYER0.subLayerKey}). */
    public static final UUID FORWARD_INJECT_SUBLAYER = UUID.fromString("5c3a4e1b-7d52-4b8e-9f0a-3a1c6e2d9b41");
    /** The callout's key at IPFORWARD_V4 ({@code FWPS_CALLOUT.calloutKey}). */
    public static final UUID FORWARD_INJECT_CALLOUT_V4 = UUID.fromString("5c3a4e1b-7d52-4b8e-9f0a-3a1c6e2d9b42");
    /** The callout's key at IPFORWARD_V6. */
    public static final UUID FORWARD_INJECT_CALLOUT_V6 = UUID.fromString("5c3a4e1b-7d52-4b8e-9f0a-3a1c6e2d9b43");

    /** The driver's {@code gInjectionHandle}. */
    protected @Nullable InjectionHandle gInjectionHandle;
    /** The driver's {@code gEngineHandle}: its dynamic session. */
    private @Nullable EngineSession gEngineHandle;
    /** The run-time ids of the registered callouts ({@code gCalloutIdV4}, {@code gCalloutIdV6}); 0 while none. */
    private int gCalloutIdV4;

    private int gCalloutIdV6;

    /**
     * {@link #InjectCompleteFn} as the one function object every injection passes, as C passes the function's
     * address: a method reference written at the call would be a new object per packet.
     */
    private final InjectionCompletion injectCompleteFn = this::InjectCompleteFn;

    /**
     * The {@code FWPS_CALLOUT.flags} both callouts register with, fixed when the driver is built, as a C driver's are:
     * {@code FWP_CALLOUT_FLAG_ALLOW_RSC} where the variant can take coalesced (RSC) packets.
     */
    private final int gCalloutFlags;

    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failedCompletions = new AtomicLong();
    private final AtomicLong skippedOwn = new AtomicLong();

    /** A driver whose callouts register with {@code calloutFlags} ({@code FWP_CALLOUT_FLAG_*}). */
    protected ForwardCalloutDriver(int calloutFlags) {
        this.gCalloutFlags = calloutFlags;
    }

    /**
     * {@code DriverEntry(DriverObject, RegistryPath)}: creates the forward injection handle and registers the callouts
     * and their filters; on failure undoes what it did. The driver object is passed to {@code FwpsCalloutRegister2},
     * which accepts it and does not use it.
     *
     * @return STATUS_SUCCESS or the first failure
     */
    public int DriverEntry(@Nullable Object DriverObject, @Nullable String RegistryPath) {
        Ref<InjectionHandle> injectionHandle = new Ref<>();
        int status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_FORWARD, injectionHandle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        gInjectionHandle = injectionHandle.value();
        status = RegisterCallouts(DriverObject);
        if (!NT_SUCCESS(status)) {
            DriverUnload();
        }
        return status;
    }

    /**
     * Opens a dynamic session and, in one transaction, adds the sublayer and each layer's callout and filter; aborts
     * the transaction on the first failure.
     */
    private int RegisterCallouts(@Nullable Object DriverObject) {
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
        subLayer.subLayerKey = FORWARD_INJECT_SUBLAYER;
        subLayer.displayData.name = "Forward inject sublayer";
        subLayer.displayData.description = "Deep-clones forwarded packets and forward-injects the clones";
        subLayer.weight = 0x8000;
        status = FwpmSubLayerAdd0(engine, subLayer, null);

        Ref<Integer> calloutId = new Ref<>();
        if (NT_SUCCESS(status)) {
            status = RegisterCallout(
                    DriverObject, engine, FWPM_LAYER_IPFORWARD_V4, FORWARD_INJECT_CALLOUT_V4, calloutId);
            gCalloutIdV4 = NT_SUCCESS(status) ? calloutId.value() : 0;
        }
        if (NT_SUCCESS(status)) {
            status = RegisterCallout(
                    DriverObject, engine, FWPM_LAYER_IPFORWARD_V6, FORWARD_INJECT_CALLOUT_V6, calloutId);
            gCalloutIdV6 = NT_SUCCESS(status) ? calloutId.value() : 0;
        }
        if (!NT_SUCCESS(status)) {
            FwpmTransactionAbort0(engine);
            return status;
        }
        return FwpmTransactionCommit0(engine);
    }

    /**
     * Registers the classifyFn under {@code calloutKey}, adds its callout object at {@code layerKey}, and a filter there
     * that calls it for forwarded unicast packets, with the weight the engine assigns.
     */
    private int RegisterCallout(
            @Nullable Object DriverObject,
            EngineSession engine,
            UUID layerKey,
            UUID calloutKey,
            Ref<Integer> calloutId) {
        FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
        sCallout.calloutKey = calloutKey;
        sCallout.flags = gCalloutFlags;
        sCallout.classifyFn = this::ClassifyFn;
        int status = FwpsCalloutRegister2(DriverObject, sCallout, calloutId);
        if (!NT_SUCCESS(status)) {
            return status;
        }

        FWPM_CALLOUT0 mCallout = new FWPM_CALLOUT0();
        mCallout.calloutKey = calloutKey;
        mCallout.displayData.name = "Forward inject callout";
        mCallout.applicableLayer = layerKey;
        status = FwpmCalloutAdd0(engine, mCallout, null, null);
        if (!NT_SUCCESS(status)) {
            return status;
        }

        FWPM_FILTER_CONDITION0[] filterConditions = {new FWPM_FILTER_CONDITION0()};
        filterConditions[0].fieldKey = FWPM_CONDITION_IP_DESTINATION_ADDRESS_TYPE;
        filterConditions[0].matchType = FWP_MATCH_EQUAL;
        filterConditions[0].conditionValue.type = FWP_UINT8;
        filterConditions[0].conditionValue.uint8 = NlatUnicast;

        FWPM_FILTER0 filter = new FWPM_FILTER0();
        filter.layerKey = layerKey;
        filter.displayData.name = "Forward inject filter";
        filter.displayData.description = "Takes forwarded unicast packets";
        filter.action.type = FWP_ACTION_CALLOUT_TERMINATING;
        filter.action.calloutKey = calloutKey;
        filter.subLayerKey = FORWARD_INJECT_SUBLAYER;
        filter.weight.type = FWP_EMPTY; // the engine assigns it
        filter.filterCondition = filterConditions;
        filter.numFilterConditions = filterConditions.length;
        return FwpmFilterAdd0(engine, filter, null, null);
    }

    /** Loads the driver as a host does: {@link #DriverEntry} with {@code engine} bound as the thread's WFP. */
    @Override
    public void load(FilterEngine engine) {
        SystemWfp.runDriverEntry(engine, () -> DriverEntry(null, null));
    }

    @Override
    public void unload() {
        DriverUnload();
    }

    /**
     * {@code DriverUnload}: closes the dynamic session, which deletes its filters, callout objects and sublayer; then
     * unregisters the callouts and destroys the injection handle (waits for completions).
     */
    public void DriverUnload() {
        EngineSession engine = gEngineHandle;
        if (engine != null) {
            FwpmEngineClose0(engine);
            gEngineHandle = null;
        }
        if (gCalloutIdV4 != 0) {
            FwpsCalloutUnregisterById0(gCalloutIdV4);
            gCalloutIdV4 = 0;
        }
        if (gCalloutIdV6 != 0) {
            FwpsCalloutUnregisterById0(gCalloutIdV6);
            gCalloutIdV6 = 0;
        }
        InjectionHandle handle = gInjectionHandle;
        if (handle != null) {
            FwpsInjectionHandleDestroy0(handle);
            gInjectionHandle = null;
        }
    }

    /**
     * The classifyFn: packets this driver injected pass untouched (they never come back at IPFORWARD, seed 002, but a
     * callout must not take its own packets again, §3.9); any other packet goes to {@link #TakePacket} with the egress
     * interface and the compartment, and is absorbed when the variant took it.
     */
    void ClassifyFn(
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
        int injectionState = FwpsQueryPacketInjectionState0(injectionHandle, layerData, null);
        if (injectionState == FWPS_PACKET_INJECTED_BY_SELF
                || injectionState == FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF) {
            skippedOwn.incrementAndGet();
            classifyOut.setActionType(FWP_ACTION_PERMIT);
            return;
        }

        int addressFamily = inFixedValues.layerId() == FWPS_LAYER_IPFORWARD_V4 ? AF_INET : AF_INET6;
        // The V4 and V6 enumerations share this index.
        int interfaceIndex = (int) inFixedValues
                .get(FWPS_FIELD_IPFORWARD_V4_DESTINATION_INTERFACE_INDEX)
                .integer();
        int compartmentId = FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_COMPARTMENT_ID)
                ? inMetaValues.compartmentId()
                : UNSPECIFIED_COMPARTMENT_ID;

        if (!TakePacket(injectionHandle, layerData, addressFamily, compartmentId, interfaceIndex)) {
            return; // not taken: the packet goes on unmodified
        }
        classifyOut.setActionType(FWP_ACTION_BLOCK);
        classifyOut.setFlags(classifyOut.flags() | FWPS_CLASSIFY_OUT_FLAG_ABSORB);
        classifyOut.setRights(classifyOut.rights() & ~FWPS_RIGHT_ACTION_WRITE);
    }

    /**
     * Takes a forwarded packet: clones it and injects the clone now or later.
     *
     * @return whether the original is to be absorbed (the clone replaces it)
     */
    protected abstract boolean TakePacket(
            InjectionHandle injectionHandle,
            NetBufferList netBufferList,
            int addressFamily,
            int compartmentId,
            int interfaceIndex);

    /**
     * Forward-injects a clone; on failure frees it at once, since the completion function will not run (seed 002).
     *
     * @return the status of FwpsInjectForwardAsync0
     */
    protected final int InjectClone(
            InjectionHandle injectionHandle,
            NetBufferList clone,
            int addressFamily,
            int compartmentId,
            int interfaceIndex) {
        int status = FwpsInjectForwardAsync0(
                injectionHandle,
                0, // injectionContext
                0, // flags: reserved
                addressFamily,
                compartmentId,
                interfaceIndex,
                clone,
                injectCompleteFn,
                null);
        if (NT_SUCCESS(status)) {
            injected.incrementAndGet();
        } else {
            FwpsFreeCloneNetBufferList0(clone, 0);
        }
        return status;
    }

    /** The {@code FWPS_INJECT_COMPLETE0} function: the clone is done with; free it (seed 000). */
    void InjectCompleteFn(@Nullable Object context, NetBufferList netBufferList, boolean dispatchLevel) {
        if (!NT_SUCCESS(netBufferList.status())) {
            failedCompletions.incrementAndGet();
        }
        FwpsFreeCloneNetBufferList0(netBufferList, 0);
        completed.incrementAndGet();
    }

    /** Clones accepted by FwpsInjectForwardAsync0. */
    public long injected() {
        return injected.get();
    }

    /** Completion functions run. */
    public long completed() {
        return completed.get();
    }

    /** Completions whose NBL Status was a failure. */
    public long failedCompletions() {
        return failedCompletions.get();
    }

    /** Packets let through because this driver had injected them. */
    public long skippedOwn() {
        return skippedOwn.get();
    }
}
