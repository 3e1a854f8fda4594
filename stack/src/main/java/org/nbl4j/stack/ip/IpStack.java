package org.nbl4j.stack.ip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.LinkStateIndication;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.Oids;
import org.nbl4j.stack.ndis.Protocol;
import org.nbl4j.stack.ndis.ProtocolBinding;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * The IPv4/IPv6 layer (tcpip.sys's IP path): bound as the {@link Protocol} above each adapter, it validates received
 * packets, delivers those addressed to this host (reassembling fragments, answering echo requests), forwards the
 * others between interfaces of a compartment (TTL, route lookup, fragmentation, ICMP errors), shows each packet to
 * the {@link PacketHook} at INBOUND_IPPACKET, IPFORWARD and OUTBOUND_IPPACKET, and takes injected packets
 * ({@link PacketInjection}).
 *
 * <p><b>Order on the forward path</b> (wfp-callouts-and-injection §8.1, §9 item 16, chosen here): validate → scope (a
 * link-local source or destination is never forwarded: BEYOND_SCOPE) → route lookup (no route: NO_ROUTE, ICMP
 * unreachable) → TTL/hop-limit check (≤ 1: HOP_LIMIT_EXCEEDED, ICMP time exceeded)
 * → <em>decrement</em> TTL/hop limit (IPv4 checksum patched incrementally, RFC 1624) → IPFORWARD classify → MTU
 * (send as is, fragment, or DONT_FRAGMENT_MTU_EXCEEDED with ICMP frag-needed / packet too big). So the packet shown
 * at IPFORWARD already carries the decremented TTL and a valid checksum; a callout that clones it and injects the
 * clone with {@link #injectForward} sends it with that TTL: forward injection never decrements again.
 *
 * <p><b>Ownership.</b> An NBL indicated with RESOURCES clear is forwarded without copying and returned to its
 * binding exactly once: when its send completed, no hook pin is left ({@link #referenceNetBufferList}) and every
 * child (fragment NBL, callout clone: {@link #childFreed}) is gone. Indicated with RESOURCES set, it is copied first
 * ({@link IpPoolTags#RECEIVE_COPY}) and the copy travels instead. The bookkeeping lives in the NBL's
 * ProtocolReserved slots and protocol flag bits ({@link NblHolds}).
 *
 * <p><b>Threads.</b> Everything runs on the thread that indicated the packet (a receive queue, DISPATCH_LEVEL), or
 * that injected it (raised to DISPATCH_LEVEL for the call). Interfaces, addresses and routes are published
 * copy-on-write and read without locks; they are meant to be configured before traffic starts. The reassembly table
 * is shared and locked.
 *
 * <p><b>Host model and fragment grouping.</b> A packet for another interface's address, or sent from one, follows
 * the strong or weak host model and passes through IPFORWARD with the pass-through flags ({@link HostModel});
 * forwarded fragments can be grouped at IPFORWARD ({@link #setGroupForwardedFragments}).
 *
 * <p>An indicated NBL carries one packet (§5.2): an NBL with more than one NB is dropped (MALFORMED_HEADER). A packet
 * longer than its IP header says (link padding) is trimmed to the header's length before anything else sees it, and
 * handed back to its producer with its padding ({@link NblHolds#trimPadding}).
 *
 * <p><b>Parts.</b> This class is the facade: configuration, statistics, holds, and the {@link Protocol} and
 * {@link PacketInjection} entry points. The path itself is in package-private classes with one job each, wired here:
 * {@code ReceivePath}, {@code LocalDelivery}, {@code ForwardPath}, {@code LocalSend}, {@code InjectionPaths},
 * {@code HostTransport} (the host role, {@link #setApplicationInterface}),
 * {@code ReassemblyExpiry}, {@code Transmitter}, {@code PathInspection} and {@code InterfaceTable}
 * (docs/ip-layer.md).
 */
public final class IpStack implements Protocol, PacketInjection, HostFlows, AutoCloseable {

    /** {@code FWP_CONDITION_FLAG_IS_REAUTHORIZE}: an ALE reauthorization, not a new flow (§5.5). */
    public static final int FWP_CONDITION_FLAG_IS_REAUTHORIZE = 0x00000004;
    /** {@code FWP_CONDITION_FLAG_IS_FRAGMENT}. */
    public static final int FWP_CONDITION_FLAG_IS_FRAGMENT = 0x00000020;
    /** {@code FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP}: an NBL chain of one datagram's fragments at IPFORWARD (§5.6). */
    public static final int FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP = 0x00000040;
    /** {@code FWP_CONDITION_FLAG_IS_REASSEMBLED}. */
    public static final int FWP_CONDITION_FLAG_IS_REASSEMBLED = 0x00000400;

    /** Every part of the path, and what they share. */
    private final IpPaths paths;
    /** OID requests this stack issued that are not complete yet, by identity, with what their completion completes. */
    private final Map<OidRequest, CompletableFuture<Integer>> issuedOids =
            Collections.synchronizedMap(new IdentityHashMap<>());

    private IpStack(Builder builder) {
        this.paths = new IpPaths(
                this,
                builder.ndis,
                builder.nanoClock,
                new IcmpRateLimiter(builder.nanoClock, builder.icmpPerSecond, builder.icmpBurst),
                builder.reassemblyTimeout.toNanos(),
                builder.reassemblyBytes,
                builder.reassemblyDatagrams);
    }

    /** A builder for a stack over {@code ndis}, whose pools the stack's own packets come from. */
    public static Builder builder(Ndis ndis) {
        return new Builder(ndis);
    }

    /** The stack's settings. */
    public static final class Builder {
        private final Ndis ndis;
        private LongSupplier nanoClock = System::nanoTime;
        private int icmpPerSecond = 100;
        private int icmpBurst = 10;
        private Duration reassemblyTimeout = Duration.ofSeconds(60);
        private long reassemblyBytes = 4L << 20;
        private int reassemblyDatagrams = 1024;

        private Builder(Ndis ndis) {
            this.ndis = Objects.requireNonNull(ndis);
        }

        /** The clock (nanoseconds) of reassembly timeouts and the ICMP rate limit. */
        public Builder clock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        /** ICMP errors: at most {@code burst} at once, refilled at {@code perSecond} (defaults 100/s, 10). */
        public Builder icmpRateLimit(int perSecond, int burst) {
            this.icmpPerSecond = perSecond;
            this.icmpBurst = burst;
            return this;
        }

        /** How long an incomplete datagram waits (default 60 s, RFC 8200 §4.5). */
        public Builder reassemblyTimeout(Duration timeout) {
            this.reassemblyTimeout = timeout;
            return this;
        }

        /** The reassembly table's bounds: bytes held and datagrams (defaults 4 MiB, 1024). */
        public Builder reassemblyLimits(long bytes, int datagrams) {
            this.reassemblyBytes = bytes;
            this.reassemblyDatagrams = datagrams;
            return this;
        }

        public IpStack build() {
            return new IpStack(this);
        }
    }

    // ---- configuration ----

    /** Shows every packet to {@code hook} from now on ({@link PacketHook#NONE} to stop). */
    public void setPacketHook(PacketHook hook) {
        paths.inspection.setHook(Objects.requireNonNull(hook));
    }

    /** Where coalesced packets may travel ({@link #setOffloadMode}). */
    public OffloadMode offloadMode() {
        return paths.receive.offloadMode();
    }

    /**
     * Where coalesced (RSC) packets may travel and whether forwarded ones leave with LSO; {@link OffloadMode#OFF} by
     * default. Checksum bits are honoured in every mode: a TCP or UDP checksum an adapter says it checked is not
     * checked again, and a forwarded packet whose checksum field holds only a partial sum is sent with transmit
     * checksum offload where the egress has it, completed in software where it has not.
     */
    public void setOffloadMode(OffloadMode mode) {
        paths.receive.setOffloadMode(Objects.requireNonNull(mode));
    }

    /** Whether forwarded fragments are grouped at IPFORWARD ({@link #setGroupForwardedFragments}). */
    public boolean groupForwardedFragments() {
        return paths.forward.groupForwardedFragments();
    }

    /**
     * Fragment grouping at the forward layer, off by default: Windows' {@code netsh interface ipv4|ipv6 set global
     * groupforwardedfragments}, and the fault switch of wfp-callouts-and-injection §8.5. Off, each forwarded fragment
     * is shown at IPFORWARD once and forwarded at once; on, it is shown alone, held until its datagram's fragments are
     * all there, shown again in an NBL chain with {@link #FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP}, then forwarded
     * (§5.6 item 3). Switching it off drops the fragments held in incomplete groups. Limits: the reassembly timeout
     * and datagram count.
     */
    public void setGroupForwardedFragments(boolean on) {
        paths.forward.setGroupForwardedFragments(on);
    }

    /**
     * Adds an interface over an adapter binding, in a compartment (0 means the default, 1), forwarding off.
     *
     * @throws IllegalArgumentException if the index or the binding is already used
     */
    public synchronized IpInterface addInterface(int interfaceIndex, ProtocolBinding binding, int compartmentId) {
        return paths.table.add(interfaceIndex, binding, compartmentId);
    }

    /** Assigns a unicast address to an interface and adds the on-link route of its prefix. */
    public synchronized InterfaceAddress addAddress(int interfaceIndex, InetAddress address, int prefixLength) {
        IpInterface assignedTo = requireInterface(interfaceIndex);
        AddressFamily family = IpAddresses.familyOf(address);
        InterfaceAddress added = new InterfaceAddress(
                family, IpAddresses.high(address), IpAddresses.low(address), prefixLength, assignedTo);
        assignedTo.addAddress(added);
        assignedTo.compartment().addLocalAddress(added);
        assignedTo
                .compartment()
                .addRoute(new Route(family, added.high(), added.low(), prefixLength, true, 0, 0, assignedTo, 0));
        return added;
    }

    /**
     * Adds a route to the interface's compartment: {@code nextHop} null makes it on-link.
     *
     * @throws IllegalArgumentException for an unknown interface, or families that differ
     */
    public synchronized Route addRoute(
            InetAddress prefix, int prefixLength, @Nullable InetAddress nextHop, int interfaceIndex, int metric) {
        IpInterface egress = requireInterface(interfaceIndex);
        AddressFamily family = IpAddresses.familyOf(prefix);
        if (nextHop != null && IpAddresses.familyOf(nextHop) != family) {
            throw new IllegalArgumentException("next hop " + nextHop + " is not of the family of " + prefix);
        }
        Route route = new Route(
                family,
                IpAddresses.high(prefix),
                IpAddresses.low(prefix),
                prefixLength,
                nextHop == null,
                nextHop == null ? 0 : IpAddresses.high(nextHop),
                nextHop == null ? 0 : IpAddresses.low(nextHop),
                egress,
                metric);
        egress.compartment().addRoute(route);
        return route;
    }

    private IpInterface requireInterface(int interfaceIndex) {
        IpInterface found = interfaceByIndex(interfaceIndex);
        if (found == null) {
            throw new IllegalArgumentException("no interface " + interfaceIndex);
        }
        return found;
    }

    // ---- the host role ----

    /**
     * Makes the stack a host (docs/wfp.md, "Host mode"): the interface {@code interfaceIndex} faces the applications,
     * so what arrives on it is sent by this host through the transport, datagram-data and ALE layers
     * ({@link HostTransport}), and what arrives for this host's addresses on the other interfaces goes up through them
     * to that interface instead of to the stack's own echo and reset answers. The host's addresses are those of the
     * network interfaces, as on Windows.
     *
     * @throws IllegalArgumentException for an unknown interface
     */
    public synchronized void setApplicationInterface(int interfaceIndex) {
        paths.host.setApplications(requireInterface(interfaceIndex));
    }

    /**
     * Who tells the host role which process owns a flow's socket (the ALE layers' process id, process path and
     * {@code ALE_APP_ID}); {@link SocketOwners#NONE}, the default, leaves them out.
     */
    public void setSocketOwners(SocketOwners socketOwners) {
        paths.host.setSocketOwners(Objects.requireNonNull(socketOwners, "socketOwners"));
    }

    /** The host role's flows. */
    public FlowTable flows() {
        return paths.host.flows();
    }

    /**
     * How long flows last: a UDP or ICMP flow {@code idle} after its last packet (default 60 s), a TCP flow
     * {@code tcpIdle} after its last packet (default 2 h) or {@code closed} after FIN both ways or RST (default 4 s).
     */
    public void setFlowTimeouts(Duration idle, Duration tcpIdle, Duration closed) {
        paths.host.setTimeouts(idle.toNanos(), tcpIdle.toNanos(), closed.toNanos());
    }

    /** Ends the flows whose time is up at {@code nowNanos} (the stack clock's time); the path also does it as it goes. */
    public void expireFlows(long nowNanos) {
        paths.host.expire(nowNanos);
    }

    /** Ends every flow now, as at shutdown (a replay's end): each flow's contexts are deleted once. */
    public void endFlows() {
        paths.host.endAll();
    }

    @Override
    public @Nullable Flow flow(long handle) {
        return paths.host.flows().byHandle(handle);
    }

    @Override
    public boolean abortFlow(long handle) {
        return paths.host.abort(handle);
    }

    @Override
    public int pendAuthorization(long completionHandle) {
        return paths.host.pend(completionHandle);
    }

    @Override
    public boolean completeAuthorization(long completionHandle) {
        return paths.host.complete(completionHandle);
    }

    /** The interface with this {@code IF_INDEX}, or null. */
    public @Nullable IpInterface interfaceByIndex(int interfaceIndex) {
        return paths.table.byIndex(interfaceIndex);
    }

    /** The compartment with this id (0 means the default), or null. */
    public @Nullable Compartment compartment(int compartmentId) {
        return paths.table.compartment(compartmentId);
    }

    /** The counters now. */
    public IpStatistics statistics() {
        return paths.counters.snapshot(paths.table.statistics());
    }

    /** Incomplete datagrams in the reassembly table. */
    public int pendingReassemblies() {
        return paths.reassembler.datagrams();
    }

    // ---- holds on NBLs the stack holds (for the WFP layer) ----

    /**
     * {@code FwpsReferenceNetBufferList0} on an NBL the stack holds (one shown to the hook): it is not returned,
     * freed or completed until {@link #dereferenceNetBufferList} balances this call.
     *
     * @throws IllegalArgumentException if the stack does not hold the NBL
     */
    public void referenceNetBufferList(NetBufferList nbl) {
        requireHeld(nbl);
        paths.holds.hold(nbl);
    }

    /** {@code FwpsDereferenceNetBufferList0}: drops a pin; the NBL goes back if nothing else holds it. */
    public void dereferenceNetBufferList(NetBufferList nbl, boolean dispatchLevel) {
        requireHeld(nbl);
        paths.holds.release(nbl, dispatchLevel);
    }

    /**
     * A child (a callout's clone) of an NBL the stack holds was freed: decrements the parent's ChildRefCount and
     * returns the parent if that was its last child and nothing else holds it. The WFP layer calls this instead of
     * decrementing ChildRefCount itself, so that the decrement and the decision are one step.
     */
    public void childFreed(NetBufferList parent, boolean dispatchLevel) {
        paths.holds.childFreed(parent, dispatchLevel);
    }

    /** Whether the stack holds the NBL (indicated, its own, a fragment, or injected and not yet completed). */
    public boolean holds(NetBufferList nbl) {
        return NblHolds.role(nbl) != null;
    }

    private static void requireHeld(NetBufferList nbl) {
        if (NblHolds.role(nbl) == null) {
            throw new IllegalArgumentException(nbl + " is not held by the IP layer");
        }
    }

    // ---- OID requests ----

    /**
     * {@code NdisOidRequest} on the interface's binding, as TCP/IP queries and sets its adapters: the request goes down
     * through the adapter's filters to the miniport. The stage completes once with the request's final status: at
     * once, or when {@code ProtocolOidRequestComplete} ({@link #oidRequestComplete}) reports a pended one.
     *
     * @throws IllegalArgumentException if no interface has that index, or {@code request} is still outstanding here
     */
    public CompletionStage<Integer> oidRequest(int interfaceIndex, OidRequest request) {
        IpInterface iface = requireInterface(interfaceIndex);
        CompletableFuture<Integer> completion = new CompletableFuture<>();
        // Registered before it goes down: a pended request may complete on another thread before the call returns.
        if (issuedOids.putIfAbsent(request, completion) != null) {
            throw new IllegalArgumentException(request + " is still outstanding");
        }
        int status = iface.binding().oidRequest(request);
        if (status != NtStatus.NDIS_STATUS_PENDING) {
            issuedOids.remove(request);
            completion.complete(status);
        }
        return completion;
    }

    /** {@code NdisCancelOidRequest} on the interface's binding: the drivers below abort what they still pend. */
    public void cancelOidRequest(int interfaceIndex, Object requestId) {
        requireInterface(interfaceIndex).binding().cancelOidRequest(requestId);
    }

    /** {@code ProtocolOidRequestComplete}: completes the stage of a request this stack issued; others are ignored. */
    @Override
    public void oidRequestComplete(ProtocolBinding binding, OidRequest request, int status) {
        CompletableFuture<Integer> completion = issuedOids.remove(request);
        if (completion != null) {
            completion.complete(status);
        }
    }

    // ---- Protocol ----

    @Override
    public void receiveNetBufferLists(
            ProtocolBinding binding,
            NetBufferList chain,
            int portNumber,
            int numberOfNetBufferLists,
            int receiveFlags) {
        paths.receive.receive(binding, chain, portNumber, receiveFlags);
    }

    @Override
    public void sendNetBufferListsComplete(ProtocolBinding binding, NetBufferList chain, int sendCompleteFlags) {
        paths.transmitter.sendComplete(chain, sendCompleteFlags);
    }

    /**
     * {@code ProtocolStatusEx}: an {@code NDIS_STATUS_LINK_STATE} indication that came up through the adapter's
     * filters sets the interface's {@link IpInterface#mediaConnectState()}, as TCP/IP records the operational state.
     * Other indications are ignored. nbl4j does not stop forwarding over a disconnected interface (the miniport
     * completes what it cannot send).
     */
    @Override
    public void status(ProtocolBinding binding, StatusIndication indication) {
        IpInterface iface = paths.table.of(binding);
        if (iface != null
                && indication.statusCode() == Oids.NDIS_STATUS_LINK_STATE
                && indication.statusBuffer() instanceof LinkStateIndication state) {
            iface.setMediaConnectState(state.mediaConnectState());
        }
    }

    // ---- ICMP errors ----

    /**
     * Sends an ICMP error about {@code offending} (its data at its IP header) as if it had arrived on
     * {@code arrivalInterfaceIndex}, with the same rules and rate limit as the path's own errors: for example a
     * "fragmentation needed" / "packet too big" toward the source of a packet whose forward injection completed
     * with STATUS_INVALID_BUFFER_SIZE (wfp-callouts-and-injection S-WD-4). The caller keeps {@code offending}.
     *
     * @param parameter the next-hop MTU of a {@link IcmpErrorKind#PACKET_TOO_BIG}, the pointer of a Parameter Problem
     *     ({@link IcmpErrorKind#restOfHeader})
     * @return STATUS_SUCCESS when the packet was valid (whether or not the rules let an error go), or
     *     STATUS_INVALID_PARAMETER for an unknown interface or an invalid packet
     */
    public int sendIcmpError(NetBufferList offending, int arrivalInterfaceIndex, IcmpErrorKind kind, int parameter) {
        return paths.send.sendIcmpError(offending, paths.table.byIndex(arrivalInterfaceIndex), kind, parameter);
    }

    // ---- reassembly time ----

    /**
     * Drops incomplete datagrams older than the reassembly timeout at {@code nowNanos} (the stack clock's time),
     * sending ICMP Time Exceeded (code 1) for those whose first fragment had arrived, and the forwarded fragments of
     * incomplete groups as old ({@link #setGroupForwardedFragments}).
     */
    public void expireReassembly(long nowNanos, boolean dispatchLevel) {
        paths.expiry.expire(nowNanos, dispatchLevel);
    }

    // ---- PacketInjection ----

    @Override
    public int injectForward(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            PacketCompletion completion) {
        return paths.injection.injectForward(nbl, family, compartmentId, interfaceIndex, completion);
    }

    @Override
    public int injectNetworkSend(
            NetBufferList nbl, AddressFamily family, int compartmentId, PacketCompletion completion) {
        return paths.injection.injectNetworkSend(nbl, family, compartmentId, completion);
    }

    @Override
    public int injectNetworkReceive(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion) {
        return paths.injection.injectNetworkReceive(
                nbl, family, compartmentId, interfaceIndex, subInterfaceIndex, completion);
    }

    @Override
    public int injectTransportSend(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            long endpointHandle,
            byte[] remoteAddress,
            PacketCompletion completion) {
        return paths.injection.injectTransportSend(
                nbl, family, compartmentId, endpointHandle, remoteAddress, completion);
    }

    /**
     * Frees what the stack owns: the reassembly table and its pools; forwarded fragments still held in groups go back
     * to their owners.
     *
     * @throws org.nbl4j.core.verify.RuleViolation if some of the stack's NBLs are still out (a leak)
     */
    @Override
    public void close() {
        paths.host.endAll();
        paths.forward.dropAllGroups(false);
        paths.reassembler.close();
        paths.fragmenter.close();
        paths.segmenter.close();
        paths.generatedPackets.close();
    }
}
