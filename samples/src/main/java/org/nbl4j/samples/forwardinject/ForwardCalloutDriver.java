package org.nbl4j.samples.forwardinject;

import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.CalloutDriver;
import org.nbl4j.stack.wfp.ClassifyContext;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.IncomingValues;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.Layer;

/**
 * What both forward-layer callouts share, in the DDI style of a callout driver: {@code DriverEntry}'s injection handle
 * and callout registration, the filters at IPFORWARD_V4 and V6 (the management part, added through the engine as a
 * user-mode {@code FwpmFilterAdd0} would), the classifyFn skeleton, the completion function that frees the clone, and
 * {@code DriverUnload}. The variant decides what a classify does with a packet it takes ({@link #TakePacket}).
 *
 * <p>Each driver method runs on a thread bound to the stack's {@link org.nbl4j.stack.ddk.SystemWfp} and
 * {@link org.nbl4j.stack.ddk.SystemNdis}.
 */
public abstract sealed class ForwardCalloutDriver implements CalloutDriver
        permits ForwardInjectCallout, HoldingForwardCallout {
    /** The callout's key ({@code FWPS_CALLOUT2.calloutKey}). */
    public final UUID calloutKey = UUID.randomUUID();

    /** The driver's {@code gInjectionHandle}. */
    protected @Nullable InjectionHandle gInjectionHandle;

    /**
     * {@link #InjectCompleteFn} as the one function object every injection passes, as C passes the function's
     * address: a method reference written at the call would be a new object per packet.
     */
    private final InjectionCompletion injectCompleteFn = this::InjectCompleteFn;

    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failedCompletions = new AtomicLong();
    private final AtomicLong skippedOwn = new AtomicLong();

    /**
     * {@code DriverEntry}: creates the forward injection handle, registers the callout, and adds one filter per
     * IPFORWARD layer that calls it.
     *
     * @return STATUS_SUCCESS or the first failure
     */
    public int DriverEntry(FilterEngine engine) {
        Ref<InjectionHandle> injectionHandle = new Ref<>();
        int status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_FORWARD, injectionHandle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        gInjectionHandle = injectionHandle.value();

        Callout callout = Callout.of(calloutKey, this::ClassifyFn);
        Ref<Integer> calloutId = new Ref<>();
        status = FwpsCalloutRegister2(null, callout, calloutId);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V4, ActionType.CALLOUT_TERMINATING, calloutKey));
        engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V6, ActionType.CALLOUT_TERMINATING, calloutKey));
        return STATUS_SUCCESS;
    }

    /** Loads the driver as a host does: {@link #DriverEntry} with {@code engine} bound as the thread's WFP. */
    @Override
    public void load(FilterEngine engine) {
        try (SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            int status = DriverEntry(engine);
            if (!NT_SUCCESS(status)) {
                throw new IllegalStateException("DriverEntry failed: " + NtStatus.describe(status));
            }
        }
    }

    @Override
    public void unload() {
        DriverUnload();
    }

    /** {@code DriverUnload}: unregisters the callout, then destroys the injection handle (waits for completions). */
    public void DriverUnload() {
        FwpsCalloutUnregisterByKey0(calloutKey);
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
