package org.nbl4j.stack.wfp;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.PacketCompletion;
import org.nbl4j.stack.ip.PacketInjection;

/**
 * An injection identity: the handle {@code FwpsInjectionHandleCreate0} returns (§3.2). It is the first argument of the
 * inject functions and what {@link #queryPacketInjectionState} compares against. {@link #close()} is
 * {@code FwpsInjectionHandleDestroy0}: new injections then fail with STATUS_FWP_INJECT_HANDLE_CLOSING, and it returns
 * only when every completion of the handle has returned (§3.3, I-7).
 *
 * <p>Each accepted injection records the handle and its {@code injectionContext} in the NBL's WFP info container
 * (where Windows keeps injection state too), before the NBL enters the path, so that a synchronous re-classification
 * already sees it as INJECTED_BY_SELF. Clones inherit that history, which gives PREVIOUSLY_INJECTED_BY_SELF (§3.9).
 * The completion function and its context wait in the same container, so injecting and completing allocate nothing.
 */
public final class InjectionHandle implements AutoCloseable {
    private enum State {
        OPEN,
        CLOSING,
        DESTROYED
    }

    private final FilterEngine engine;
    private final @Nullable AddressFamily family;
    private final int types;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object drained = new Object();
    private final PacketCompletion pathCompletion = this::completedByPath;
    private volatile State state = State.OPEN;

    InjectionHandle(FilterEngine engine, @Nullable AddressFamily family, int types) {
        this.engine = engine;
        this.family = family;
        this.types = types;
    }

    /** The handle's address family, {@code null} for AF_UNSPEC. */
    public @Nullable AddressFamily family() {
        return family;
    }

    /** The injection types the handle allows ({@code FWPS_INJECTION_TYPE_*}; flags 0 mean transport, stream, forward). */
    public int types() {
        return types;
    }

    /** Injections accepted whose completion has not yet returned. */
    public int pendingInjections() {
        return pending.get();
    }

    /**
     * {@code FwpsInjectForwardAsync0} (§3.5, seed 002): sends the NBL out of {@code interfaceIndex} as forwarded
     * traffic; it is not shown to any filtering layer again. The NBL must start at an IP header of {@code family}
     * and be a single NBL (a fragment group is reassembled first, §2.9).
     *
     * @param injectionContext returned by {@link #queryPacketInjectionState} for SELF and PREVIOUSLY_SELF
     * @param flags reserved, must be 0
     * @param compartmentId the metadata's compartment id, or 0 (UNSPECIFIED_COMPARTMENT_ID)
     * @param interfaceIndex the egress interface, normally the DESTINATION_INTERFACE_INDEX incoming value
     * @param completionFn called exactly once if, and only if, this returns STATUS_SUCCESS
     * @return STATUS_SUCCESS, STATUS_FWP_TCPIP_NOT_READY, STATUS_FWP_INJECT_HANDLE_CLOSING,
     *     STATUS_FWP_INJECT_HANDLE_STALE (no FORWARD type, or another family), STATUS_INVALID_PARAMETER, or the path's
     *     refusal; on failure the caller still owns and frees the NBL
     */
    public int injectForwardAsync(
            long injectionContext,
            int flags,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            NetBufferList nbl,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                Kind.FORWARD,
                injectionContext,
                flags,
                family,
                compartmentId,
                interfaceIndex,
                0,
                nbl,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectNetworkSendAsync0} (§3.6): sends the NBL as this host; it is shown at OUTBOUND_IPPACKET again.
     * The handle must have the NETWORK type and a family.
     *
     * @return as {@link #injectForwardAsync}
     */
    public int injectNetworkSendAsync(
            long injectionContext,
            int flags,
            int compartmentId,
            NetBufferList nbl,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                Kind.NETWORK_SEND,
                injectionContext,
                flags,
                family,
                compartmentId,
                0,
                0,
                nbl,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectNetworkReceiveAsync0} (§3.6): receives the NBL as if it had arrived on the interface; it is
     * shown at INBOUND_IPPACKET again. The handle must have the NETWORK type and a family.
     *
     * @return as {@link #injectForwardAsync}
     */
    public int injectNetworkReceiveAsync(
            long injectionContext,
            int flags,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            NetBufferList nbl,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                Kind.NETWORK_RECEIVE,
                injectionContext,
                flags,
                family,
                compartmentId,
                interfaceIndex,
                subInterfaceIndex,
                nbl,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectTransportSendAsync1} (§3.7, §3.11): a packet of a host-role flow starting at its transport
     * header, sent from the top of the outbound path: the path writes an IP header in its headroom (from the flow's
     * local address to {@code remoteAddress}), and the packet goes through the host layers (ALE for a new 5-tuple,
     * DATAGRAM_DATA, OUTBOUND_TRANSPORT) and OUTBOUND_IPPACKET. Needs a TRANSPORT handle.
     *
     * @param endpointHandle {@code inMetaValues->transportEndpointHandle} of the packet's flow
     * @param remoteAddress {@code sendArgs->remoteAddress}: 4 or 16 bytes in network order
     */
    public int injectTransportSendAsync(
            long injectionContext,
            long endpointHandle,
            int flags,
            byte[] remoteAddress,
            AddressFamily addressFamily,
            int compartmentId,
            NetBufferList nbl,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                Kind.TRANSPORT_SEND,
                injectionContext,
                flags,
                addressFamily,
                compartmentId,
                0,
                0,
                endpointHandle,
                remoteAddress,
                nbl,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsInjectTransportReceiveAsync0} (§3.7, §3.11): a packet starting at its IP header, received on
     * {@code interfaceIndex} as if it had just arrived, so it climbs the inbound path again (INBOUND_IPPACKET, then
     * the host role's INBOUND_TRANSPORT, ALE_AUTH_RECV_ACCEPT for a new flow, DATAGRAM_DATA) and reaches the
     * applications. Needs a TRANSPORT handle; the family is the argument's, so an AF_UNSPEC handle serves both.
     */
    public int injectTransportReceiveAsync(
            long injectionContext,
            int flags,
            AddressFamily addressFamily,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            NetBufferList nbl,
            InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                Kind.TRANSPORT_RECEIVE,
                injectionContext,
                flags,
                addressFamily,
                compartmentId,
                interfaceIndex,
                subInterfaceIndex,
                nbl,
                completionFn,
                completionContext);
    }

    /**
     * {@code FwpsQueryPacketInjectionState0} (§3.9): whether {@code nbl}, or the NBL it was cloned from, was injected
     * through this handle.
     *
     * @param injectionContext if not {@code null}, receives in element 0 the {@code injectionContext} of this handle's
     *     injection for SELF and PREVIOUSLY_SELF
     */
    public InjectionState queryPacketInjectionState(NetBufferList nbl, long @Nullable [] injectionContext) {
        if (!engine.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "FwpsQueryPacketInjectionState0", "fwpsk")) {
            return InjectionState.NOT_INJECTED;
        }
        WfpInfoContainer container = engine.containers().find(nbl);
        if (container == null || container.injectionDepth == 0) {
            return InjectionState.NOT_INJECTED;
        }
        int last = container.injectionDepth - 1;
        for (int i = last; i >= 0; i--) {
            if (container.injectors[i] == this) {
                if (injectionContext != null) {
                    injectionContext[0] = container.injectionContexts[i];
                }
                return i == last ? InjectionState.INJECTED_BY_SELF : InjectionState.PREVIOUSLY_INJECTED_BY_SELF;
            }
        }
        return InjectionState.INJECTED_BY_OTHER;
    }

    /**
     * {@code FwpsInjectionHandleDestroy0} (§3.3): refuses new injections with STATUS_FWP_INJECT_HANDLE_CLOSING, then
     * waits for every outstanding completion to return. PASSIVE_LEVEL only; never from a completion of this handle.
     */
    @Override
    public void close() {
        if (!engine.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "FwpsInjectionHandleDestroy0", "fwpsk")) {
            return;
        }
        if (state == State.DESTROYED) {
            return;
        }
        state = State.CLOSING;
        synchronized (drained) {
            while (pending.get() > 0) {
                try {
                    drained.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        state = State.DESTROYED;
    }

    private static final byte[] NO_ADDRESS = new byte[0];
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;

    private enum Kind {
        FORWARD("FwpsInjectForwardAsync0", InjectionType.FWPS_INJECTION_TYPE_FORWARD, false),
        NETWORK_SEND("FwpsInjectNetworkSendAsync0", InjectionType.FWPS_INJECTION_TYPE_NETWORK, true),
        NETWORK_RECEIVE("FwpsInjectNetworkReceiveAsync0", InjectionType.FWPS_INJECTION_TYPE_NETWORK, true),
        TRANSPORT_RECEIVE("FwpsInjectTransportReceiveAsync0", InjectionType.FWPS_INJECTION_TYPE_TRANSPORT, false),
        TRANSPORT_SEND("FwpsInjectTransportSendAsync1", InjectionType.FWPS_INJECTION_TYPE_TRANSPORT, false);

        final String ddi;
        final int requiredType;
        final boolean needsHandleFamily;

        Kind(String ddi, int requiredType, boolean needsHandleFamily) {
            this.ddi = ddi;
            this.requiredType = requiredType;
            this.needsHandleFamily = needsHandleFamily;
        }
    }

    private int inject(
            Kind kind,
            long injectionContext,
            int flags,
            @Nullable AddressFamily packetFamily,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            @Nullable NetBufferList nbl,
            @Nullable InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        return inject(
                kind,
                injectionContext,
                flags,
                packetFamily,
                compartmentId,
                interfaceIndex,
                subInterfaceIndex,
                0,
                NO_ADDRESS,
                nbl,
                completionFn,
                completionContext);
    }

    private int inject(
            Kind kind,
            long injectionContext,
            int flags,
            @Nullable AddressFamily packetFamily,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            long endpointHandle,
            byte[] remoteAddress,
            @Nullable NetBufferList nbl,
            @Nullable InjectionCompletion completionFn,
            @Nullable Object completionContext) {
        // Every inject function is documented "IRQL <= DISPATCH_LEVEL" (fwpsk.h, §3.4); refused, the NBL stays the
        // caller's, as after any failure.
        if (!engine.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, kind.ddi, "fwpsk")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (nbl == null || completionFn == null) {
            return NtStatus.STATUS_FWP_NULL_POINTER;
        }
        pending.incrementAndGet();
        int status = accept(kind, flags, packetFamily, nbl);
        if (status != NtStatus.STATUS_SUCCESS) {
            injectionEnded();
            return status;
        }
        WfpInfoContainer container = engine.containers().find(nbl);
        if (container == null) {
            injectionEnded();
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        boolean injectedBefore = container.injectedItself;
        container.recordInjection(this, injectionContext);
        container.injectingHandle = this;
        container.completionFn = completionFn;
        container.completionContext = completionContext;
        if (container.tagCount > 0) {
            engine.tags().enteredNetio(nbl, container);
        }
        nbl.handOff(OwnerState.INJECTED, this);
        PacketInjection path = engine.packetInjection();
        AddressFamily target = packetFamily != null ? packetFamily : AddressFamily.INET;
        status = path == null
                ? NtStatus.STATUS_FWP_TCPIP_NOT_READY
                : switch (kind) {
                    case FORWARD -> path.injectForward(nbl, target, compartmentId, interfaceIndex, pathCompletion);
                    case NETWORK_SEND -> path.injectNetworkSend(nbl, target, compartmentId, pathCompletion);
                    // Transport receive re-enters where network receive does, at the bottom of the inbound path: nbl4j
                    // shows it at INBOUND_IPPACKET again, which §3.11 leaves open ("INBOUND_IPPACKET?").
                    case NETWORK_RECEIVE, TRANSPORT_RECEIVE ->
                        path.injectNetworkReceive(
                                nbl, target, compartmentId, interfaceIndex, subInterfaceIndex, pathCompletion);
                    case TRANSPORT_SEND ->
                        path.injectTransportSend(
                                nbl, target, compartmentId, endpointHandle, remoteAddress, pathCompletion);
                };
        if (status == NtStatus.STATUS_SUCCESS && kind == Kind.TRANSPORT_SEND) {
            container.prependedHeader = target == AddressFamily.INET ? IPV4_HEADER : IPV6_HEADER;
        }
        if (status != NtStatus.STATUS_SUCCESS) {
            // Refused by the path: the NBL is the caller's again and carries no trace of this injection. (When the
            // history was full its oldest entry is gone for good.)
            nbl.handOff(OwnerState.OWNED, null);
            container.injectionDepth--;
            container.injectors[container.injectionDepth] = null;
            container.injectedItself = injectedBefore;
            container.injectingHandle = null;
            container.completionFn = null;
            container.completionContext = null;
            injectionEnded();
        } else {
            engine.countInjection();
        }
        return status;
    }

    /** The checks every inject function makes before it takes the NBL (§3.4, §3.12). */
    private int accept(Kind kind, int flags, @Nullable AddressFamily packetFamily, NetBufferList nbl) {
        if (state != State.OPEN) {
            return state == State.CLOSING ? NtStatus.STATUS_FWP_INJECT_HANDLE_CLOSING : NtStatus.STATUS_INVALID_HANDLE;
        }
        if (engine.faults().tcpipNotReady()) {
            return NtStatus.STATUS_FWP_TCPIP_NOT_READY;
        }
        if ((types & kind.requiredType) == 0
                || (kind.needsHandleFamily && family == null)
                || (family != null && packetFamily != family)) {
            return NtStatus.STATUS_FWP_INJECT_HANDLE_STALE;
        }
        if (flags != 0 || packetFamily == null || nbl.next() != null) {
            // flags are reserved; one NBL per call: a fragment group must be reassembled first (§3.5).
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        WfpInfoContainer container = engine.containers().find(nbl);
        WfpNblKind made = container == null ? WfpNblKind.FOREIGN : container.kind;
        if (made == WfpNblKind.FOREIGN || container.injectingHandle != null) {
            // Only NBLs from the WFP allocate and clone functions may be injected, once at a time (§3.4 item 1).
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        // A transport send starts at its transport header; the path checks what it needs of it.
        return kind == Kind.TRANSPORT_SEND || startsWithIpHeader(nbl, packetFamily)
                ? NtStatus.STATUS_SUCCESS
                : NtStatus.STATUS_INVALID_PARAMETER;
    }

    /** Called by the IP path, once per accepted NBL. */
    private void completedByPath(NetBufferList nbl, boolean dispatchLevel) {
        WfpInfoContainer container = engine.containers().find(nbl);
        InjectionCompletion completionFn = container == null ? null : container.completionFn;
        if (container == null || completionFn == null || container.injectingHandle != this) {
            throw new IllegalStateException(
                    "the IP path completed " + WfpInfoContainers.name(nbl) + ", which is not injected through " + this);
        }
        Object completionContext = container.completionContext;
        container.injectingHandle = null;
        container.completionFn = null;
        container.completionContext = null;
        InjectionFaults faults = engine.faults();
        nbl.setStatus(faults.completionStatus(nbl.status()));
        nbl.handOff(OwnerState.OWNED, null);
        if (container.prependedHeader > 0) {
            // The path wrote an IP header in front of a transport send: the NBL goes back as it was given.
            NetBuffer nb = nbl.firstNetBuffer();
            if (nb != null) {
                nb.advance(container.prependedHeader, false, null);
            }
            container.prependedHeader = 0;
        }
        if (faults.deliverOnAnotherThread()) {
            faults.deliverLater(() -> complete(completionFn, completionContext, nbl, false));
        } else {
            complete(completionFn, completionContext, nbl, dispatchLevel);
        }
    }

    private void complete(
            InjectionCompletion completionFn,
            @Nullable Object completionContext,
            NetBufferList nbl,
            boolean dispatchLevel) {
        try {
            completionFn.complete(completionContext, nbl, dispatchLevel);
        } finally {
            engine.countCompletion();
            injectionEnded();
        }
    }

    /** One injection (or refused attempt) is over; the last one lets a waiting destroy return. */
    private void injectionEnded() {
        if (pending.decrementAndGet() == 0 && state != State.OPEN) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    private static boolean startsWithIpHeader(NetBufferList nbl, AddressFamily family) {
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null || nb.dataLength() < (family == AddressFamily.INET ? 20 : 40)) {
            return false;
        }
        Mdl current = nb.currentMdl();
        int version;
        if (current != null && MdlCursor.inOneMdl(current, nb.currentMdlOffset(), 1)) {
            version = current.buffer().get(ValueLayout.JAVA_BYTE, current.bufferOffset() + nb.currentMdlOffset());
        } else {
            MdlCursor first = new MdlCursor();
            if (!first.seek(current, nb.currentMdlOffset(), 1)) {
                return false;
            }
            version = first.segment().get(ValueLayout.JAVA_BYTE, first.segmentOffset());
        }
        version = (version & 0xFF) >> 4;
        return version == family.ipVersion();
    }

    @Override
    public String toString() {
        return "injection handle " + (family == null ? "AF_UNSPEC" : family) + " types 0x" + Integer.toHexString(types);
    }
}
