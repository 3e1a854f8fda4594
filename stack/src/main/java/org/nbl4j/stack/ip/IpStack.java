package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ndis.NdisFlags.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.ndis.Protocol;
import org.nbl4j.stack.ndis.ProtocolBinding;

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
 * ProtocolReserved slots and protocol flag bits ({@link NblOwnership}).
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
 * handed back to its owner with its padding ({@link NblOwnership#trimPadding}).
 */
public final class IpStack implements Protocol, PacketInjection, AutoCloseable {

    /** {@code FWP_CONDITION_FLAG_IS_FRAGMENT}. */
    public static final int FWP_CONDITION_FLAG_IS_FRAGMENT = 0x00000020;
    /** {@code FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP}: an NBL chain of one datagram's fragments at IPFORWARD (§5.6). */
    public static final int FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP = 0x00000040;
    /** {@code FWP_CONDITION_FLAG_IS_REASSEMBLED}. */
    public static final int FWP_CONDITION_FLAG_IS_REASSEMBLED = 0x00000400;

    /** Bytes of a received packet copied for parsing at first: the longest IPv4 header and then some. */
    private static final int FIRST_WINDOW = 128;

    private final Ndis ndis;
    private final LongSupplier nanoClock;
    private final IpCounters counters = new IpCounters();
    private final OwnPackets ownPackets;
    private final NblOwnership ownership;
    private final Fragmenter fragmenter;
    private final Reassembler reassembler;
    private final ForwardFragmentGrouping grouping;
    private volatile boolean groupForwardedFragments;
    private final PathInspection inspection = new PathInspection(counters);
    private final InterfaceTable table = new InterfaceTable();
    private final Transmitter transmitter;
    private final LocalSend send;

    private IpStack(Builder builder) {
        this.ndis = builder.ndis;
        this.nanoClock = builder.nanoClock;
        this.ownPackets = new OwnPackets(ndis);
        this.ownership = new NblOwnership(this, ownPackets);
        this.transmitter = new Transmitter(ownership);
        this.fragmenter = new Fragmenter(ndis, ownership, counters);
        this.reassembler = new Reassembler(
                ndis,
                ownPackets,
                ownership,
                builder.reassemblyTimeout.toNanos(),
                builder.reassemblyBytes,
                builder.reassemblyDatagrams);
        this.send = new LocalSend(
                ownPackets,
                ownership,
                counters,
                inspection,
                fragmenter,
                transmitter,
                new IcmpRateLimiter(nanoClock, builder.icmpPerSecond, builder.icmpBurst));
        this.grouping = new ForwardFragmentGrouping(builder.reassemblyTimeout.toNanos(), builder.reassemblyDatagrams);
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

    /** The hook packets are shown to. */
    PacketHook hook() {
        return inspection.hook();
    }

    /** Shows every packet to {@code hook} from now on ({@link PacketHook#NONE} to stop). */
    public void setPacketHook(PacketHook hook) {
        inspection.setHook(Objects.requireNonNull(hook));
    }

    /** Whether forwarded fragments are grouped at IPFORWARD ({@link #setGroupForwardedFragments}). */
    public boolean groupForwardedFragments() {
        return groupForwardedFragments;
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
        groupForwardedFragments = on;
        if (!on) {
            dropFragmentGroups(grouping.removeAll(), false);
        }
    }

    /**
     * Adds an interface over an adapter binding, in a compartment (0 means the default, 1), forwarding off.
     *
     * @throws IllegalArgumentException if the index or the binding is already used
     */
    public synchronized IpInterface addInterface(int interfaceIndex, ProtocolBinding binding, int compartmentId) {
        return table.add(interfaceIndex, binding, compartmentId);
    }

    /** Assigns a unicast address to an interface and adds the on-link route of its prefix. */
    public synchronized InterfaceAddress addAddress(int interfaceIndex, InetAddress address, int prefixLength) {
        IpInterface owner = requireInterface(interfaceIndex);
        AddressFamily family = IpAddresses.familyOf(address);
        InterfaceAddress added =
                new InterfaceAddress(family, IpAddresses.high(address), IpAddresses.low(address), prefixLength, owner);
        owner.addAddress(added);
        owner.compartment().addLocalAddress(added);
        owner.compartment().addRoute(new Route(family, added.high(), added.low(), prefixLength, true, 0, 0, owner, 0));
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

    /** The interface with this {@code IF_INDEX}, or null. */
    public @Nullable IpInterface interfaceByIndex(int interfaceIndex) {
        return table.byIndex(interfaceIndex);
    }

    /** The compartment with this id (0 means the default), or null. */
    public @Nullable Compartment compartment(int compartmentId) {
        return table.compartment(compartmentId);
    }

    /** The counters now. */
    public IpStatistics statistics() {
        return counters.snapshot(table.statistics());
    }

    /** Incomplete datagrams in the reassembly table. */
    public int pendingReassemblies() {
        return reassembler.datagrams();
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
        ownership.hold(nbl);
    }

    /** {@code FwpsDereferenceNetBufferList0}: drops a pin; the NBL goes back to its owner if nothing else holds it. */
    public void dereferenceNetBufferList(NetBufferList nbl, boolean dispatchLevel) {
        requireHeld(nbl);
        ownership.release(nbl, dispatchLevel);
    }

    /**
     * A child (a callout's clone) of an NBL the stack holds was freed: decrements the parent's ChildRefCount and
     * returns the parent if that was its last child and nothing else holds it. The WFP layer calls this instead of
     * decrementing ChildRefCount itself, so that the decrement and the decision are one step.
     */
    public void childFreed(NetBufferList parent, boolean dispatchLevel) {
        ownership.childFreed(parent, dispatchLevel);
    }

    /** Whether the stack holds the NBL (indicated, its own, a fragment, or injected and not yet completed). */
    public boolean holds(NetBufferList nbl) {
        return NblOwnership.role(nbl) != null;
    }

    private static void requireHeld(NetBufferList nbl) {
        if (NblOwnership.role(nbl) == null) {
            throw new IllegalArgumentException(nbl + " is not held by the IP layer");
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
        boolean atDispatch = (receiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0;
        boolean resources = (receiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
        IpInterface arrival = table.of(binding);
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            if (resources) {
                // RESOURCES set: the chain stays the adapter's, linkage included (ndis-buffers §6.4).
                NetBufferList copy = arrival == null ? null : copyOf(nbl, binding);
                if (copy != null) {
                    received(copy, arrival, portNumber, atDispatch);
                } else if (arrival != null) {
                    counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
                }
            } else {
                nbl.setNext(null);
                if (arrival == null) {
                    binding.returnNetBufferLists(nbl, atDispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
                } else {
                    ownership.adopt(nbl, NblRole.INDICATED, binding);
                    received(nbl, arrival, portNumber, atDispatch);
                }
            }
            nbl = next;
        }
    }

    /** Processes one held packet and drops the hold of that work. */
    private void received(NetBufferList nbl, IpInterface arrival, int subInterface, boolean atDispatch) {
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            arrival.countIn(nb == null ? 0 : nb.dataLength());
            receivePacket(nbl, arrival, subInterface, atDispatch);
        } finally {
            ownership.release(nbl, atDispatch);
        }
    }

    /** A copy of a packet indicated with RESOURCES set, held as the stack's own; null when memory ran out. */
    private @Nullable NetBufferList copyOf(NetBufferList nbl, ProtocolBinding binding) {
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null || nb.dataLength() == 0) {
            return null;
        }
        NetBufferList copy = ownPackets.allocate(nb.dataLength(), IpPoolTags.RECEIVE_COPY);
        if (copy == null) {
            return null;
        }
        ownership.adopt(copy, NblRole.OWN, copy.protocolReserved()[NblOwnership.SLOT_TARGET]);
        NetBuffer.copy(copy.firstNetBuffer(), 0, nb.dataLength(), nb, 0);
        return copy;
    }

    @Override
    public void sendNetBufferListsComplete(ProtocolBinding binding, NetBufferList chain, int sendCompleteFlags) {
        transmitter.sendComplete(chain, sendCompleteFlags);
    }

    // ---- the receive path ----

    /** Validates a held packet that arrived on {@code arrival}, then delivers or forwards it. */
    private void receivePacket(NetBufferList nbl, IpInterface arrival, int subInterface, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            ParsedPacket parsed = frame.parsed;
            if (nb == null || nb.next() != null) {
                parsed.reset(AddressFamily.INET);
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.MALFORMED_HEADER);
                return;
            }
            IpDiscardReason invalid = parseReceived(nb, frame);
            if (invalid != null) {
                inspection.discard(HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, invalid);
                send.reportProblem(nb, frame, arrival, atDispatch);
                return;
            }
            NblOwnership.trimPadding(nbl, nb, parsed.packetLength);
            InterfaceAddress local =
                    arrival.compartment().localAddress(parsed.family, parsed.destinationHigh, parsed.destinationLow);
            if (local != null && local.owner() != arrival) {
                receivePassThrough(nbl, nb, frame, arrival, subInterface, local.owner(), atDispatch);
            } else if (local != null
                    || IpAddresses.isMulticastOrBroadcast(
                            parsed.family, parsed.destinationHigh, parsed.destinationLow)) {
                deliverLocally(nbl, nb, frame.window, frame, arrival, subInterface, atDispatch);
            } else {
                forward(nbl, nb, frame.window, frame, arrival, subInterface, atDispatch);
            }
        } finally {
            PathScratch.exit();
        }
    }

    /**
     * A packet for an address of {@code owner}, another interface than the one it arrived on ({@link HostModel}):
     * dropped under the strong host model, else shown at IPFORWARD with IS_INBOUND_PASS_THRU and delivered as if it
     * had arrived on {@code owner}.
     */
    private void receivePassThrough(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface owner,
            boolean atDispatch) {
        if (!HostModel.receivesForOthers(arrival)) {
            inspection.discard(
                    HookPoint.INBOUND_IPPACKET,
                    nbl,
                    frame,
                    arrival,
                    subInterface,
                    IpDiscardReason.NOT_LOCALLY_DESTINED);
            return;
        }
        PathInspection.fillFacts(frame, arrival, subInterface);
        PacketFacts facts = frame.facts;
        facts.setConditionFlags(facts.conditionFlags() | HostModel.FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU);
        facts.setDestinationInterfaceIndex(owner.interfaceIndex());
        if (inspection.classify(HookPoint.IPFORWARD, nbl, frame)) {
            deliverLocally(nbl, nb, frame.window, frame, owner, 0, atDispatch);
        }
    }

    /**
     * Copies a received packet's first bytes into the frame's window and parses them. Copied even when they are
     * contiguous in the packet: NdisGetDataBuffer's in-place answer would be a new MemorySegment slice per packet, the
     * receive path's only heap allocation; changes to the window are written back ({@link #changeHopLimit}), as for a
     * header that spans MDLs. The first {@value #FIRST_WINDOW} bytes hold every IPv4 header and the usual IPv6
     * extension headers; only when those run past them is the rest of the {@link PacketParser#PARSE_WINDOW} copied.
     */
    private static @Nullable IpDiscardReason parseReceived(NetBuffer nb, PathScratch.Frame frame) {
        int dataLength = nb.dataLength();
        if (dataLength == 0) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int whole = Math.min(dataLength, PacketParser.PARSE_WINDOW);
        int available = Math.min(whole, FIRST_WINDOW);
        NetBufferBytes.copyOut(nb, 0, frame.window, 0, available);
        IpDiscardReason invalid = PacketParser.parse(frame.window, available, dataLength, frame.parsed);
        boolean notContiguous = invalid == IpDiscardReason.HEADER_NOT_CONTIGUOUS
                || frame.parsed.deliveryProblem == IpDiscardReason.HEADER_NOT_CONTIGUOUS;
        if (notContiguous && available < whole) {
            NetBufferBytes.copyOut(nb, available, frame.window, available, whole - available);
            invalid = PacketParser.parse(frame.window, whole, dataLength, frame.parsed);
        }
        return invalid;
    }

    /**
     * Shows a received packet at INBOUND_IPPACKET with its data advanced past the IP header (§5.2), and restores the
     * offset afterwards.
     *
     * @return whether the packet continues
     */
    private boolean showInbound(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            int flags) {
        PathInspection.fillFacts(frame, arrival, subInterface);
        PacketFacts facts = frame.facts;
        facts.setConditionFlags(facts.conditionFlags() | flags);
        int headerLength = frame.parsed.headerLength;
        HookVerdict verdict;
        nb.advance(headerLength, false, null);
        try {
            verdict = inspection.hook().classify(HookPoint.INBOUND_IPPACKET, nbl, facts);
        } finally {
            nb.retreat(headerLength, 0, null);
        }
        return inspection.continues(verdict, HookPoint.INBOUND_IPPACKET, nbl, frame);
    }

    private void deliverLocally(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        ParsedPacket parsed = frame.parsed;
        if (refusedAtDestination(nbl, nb, frame, arrival, subInterface, atDispatch)) {
            return;
        }
        if (!parsed.fragment) {
            if (showInbound(nbl, nb, frame, arrival, subInterface, 0)) {
                deliver(nbl, nb, frame, arrival, subInterface, atDispatch);
            }
            return;
        }
        if (!showInbound(nbl, nb, frame, arrival, subInterface, 0)) {
            return;
        }
        long now = nanoClock.getAsLong();
        expireReassembly(now, atDispatch);
        frame.completed = null;
        Reassembler.Outcome outcome = reassembler.add(arrival.compartment().id(), parsed, header, nb, now, frame);
        switch (outcome) {
            case HELD -> {}
            case OVERLAP ->
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.MALFORMED_HEADER);
            case NO_MEMORY ->
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.ALLOCATION_FAILURE);
            case TOO_LONG ->
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, IpDiscardReason.BAD_LENGTH);
            case COMPLETED -> {
                NetBufferList whole = frame.completed;
                frame.completed = null;
                counters.count(IpCounters.REASSEMBLED);
                receiveReassembled(whole, arrival, subInterface, atDispatch);
            }
        }
    }

    /** Shows a reassembled datagram (IS_REASSEMBLED) and delivers it; drops the hold the reassembler gave. */
    private void receiveReassembled(NetBufferList whole, IpInterface arrival, int subInterface, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = whole.firstNetBuffer();
            int available = Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = nb.getDataBuffer(available, frame.window, 1, 0);
            IpDiscardReason invalid = PacketParser.parse(header, available, nb.dataLength(), frame.parsed);
            if (invalid != null) {
                inspection.discard(HookPoint.INBOUND_IPPACKET, whole, frame, arrival, subInterface, invalid);
            } else if (!refusedAtDestination(whole, nb, frame, arrival, subInterface, atDispatch)
                    && showInbound(whole, nb, frame, arrival, subInterface, FWP_CONDITION_FLAG_IS_REASSEMBLED)) {
                deliver(whole, nb, frame, arrival, subInterface, atDispatch);
            }
        } finally {
            PathScratch.exit();
            ownership.release(whole, atDispatch);
        }
    }

    /**
     * The checks only a packet's destination makes (RFC 8200 §4 extension headers, fragment lengths): if one failed
     * ({@link ParsedPacket#deliveryProblem}), drops the packet at INBOUND_IPPACKET's twin with the ICMP error it calls
     * for.
     *
     * @return whether the packet was dropped
     */
    private boolean refusedAtDestination(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        IpDiscardReason problem = frame.parsed.deliveryProblem;
        if (problem == null) {
            return false;
        }
        inspection.discard(HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, problem);
        send.reportProblem(nb, frame, arrival, atDispatch);
        return true;
    }

    /**
     * Hands a packet for this host to its protocol ({@link LocalProtocols}: there are no sockets): echo requests are
     * answered and other ICMP, IGMP and No Next Header taken (DELIVERED); UDP is answered with port unreachable, TCP
     * with a reset (PORT_UNREACHABLE), any other protocol with protocol unreachable (PROTOCOL_UNREACHABLE); a wrong
     * upper-layer checksum or length is dropped silently. The drops are shown at INBOUND_IPPACKET's twin.
     */
    private void deliver(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        ParsedPacket parsed = frame.parsed;
        switch (LocalProtocols.classify(nb, parsed, frame.window)) {
            case ECHO_REQUEST -> {
                delivered(nbl);
                send.sendEchoReply(nb, frame, arrival, parsed.packetLength - parsed.headerLength, atDispatch);
            }
            case CONSUMED -> delivered(nbl);
            case UDP_NO_RECEIVER -> {
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.PORT_UNREACHABLE);
                send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.PORT_UNREACHABLE, 0, atDispatch);
            }
            case TCP_NO_CONNECTION -> {
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.PORT_UNREACHABLE);
                // The window holds the segment's TCP header (LocalProtocols.classify put it there).
                send.sendTcpReset(frame, arrival, atDispatch);
            }
            case NO_PROTOCOL -> {
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET,
                        nbl,
                        frame,
                        arrival,
                        subInterface,
                        IpDiscardReason.PROTOCOL_UNREACHABLE);
                send.sendIcmpError(
                        nb, frame, arrival, IcmpErrorKind.PROTOCOL_UNREACHABLE, parsed.protocolField, atDispatch);
            }
            case BAD_CHECKSUM ->
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, IpDiscardReason.BAD_CHECKSUM);
            case BAD_LENGTH ->
                inspection.discard(
                        HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, IpDiscardReason.BAD_LENGTH);
        }
    }

    private void delivered(NetBufferList nbl) {
        counters.count(IpCounters.DELIVERED);
        if (NblOwnership.role(nbl) == NblRole.INJECTED) {
            nbl.setStatus(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---- the forward path ----

    private void forward(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        ParsedPacket parsed = frame.parsed;
        if (!arrival.forwarding()) {
            inspection.discard(
                    HookPoint.INBOUND_IPPACKET,
                    nbl,
                    frame,
                    arrival,
                    subInterface,
                    IpDiscardReason.NOT_LOCALLY_DESTINED);
            return;
        }
        if (IpAddresses.isLinkLocal(parsed.family, parsed.destinationHigh, parsed.destinationLow)
                || IpAddresses.isLinkLocal(parsed.family, parsed.sourceHigh, parsed.sourceLow)) {
            dropBeyondScope(nbl, nb, frame, arrival, subInterface, atDispatch);
            return;
        }
        Route route = arrival.compartment().lookup(parsed.family, parsed.destinationHigh, parsed.destinationLow);
        if (route == null) {
            inspection.discard(HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.NO_ROUTE);
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.NO_ROUTE, 0, atDispatch);
            return;
        }
        IpInterface egress = route.egress();
        if (parsed.hopLimit <= 1) {
            inspection.discard(
                    HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.HOP_LIMIT_EXCEEDED);
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.HOP_LIMIT_EXCEEDED, 0, atDispatch);
            return;
        }
        changeHopLimit(nb, header, frame, parsed.family == AddressFamily.INET, -1);
        fillForwardFacts(frame, arrival, subInterface, egress);
        boolean continues = inspection.classify(HookPoint.IPFORWARD, nbl, frame);
        if (parsed.fragment && groupForwardedFragments) {
            groupFragment(nbl, nb, header, frame, arrival, subInterface, egress, continues, atDispatch);
        } else if (continues) {
            sendForwarded(nbl, nb, header, frame, arrival, subInterface, egress, atDispatch);
        }
    }

    /** Fills the facts of a packet at IPFORWARD, whose egress is chosen. */
    private static PacketFacts fillForwardFacts(
            PathScratch.Frame frame, IpInterface arrival, int subInterface, IpInterface egress) {
        PathInspection.fillFacts(frame, arrival, subInterface);
        PacketFacts facts = frame.facts;
        facts.setDestinationInterfaceIndex(egress.interfaceIndex());
        facts.setPathMtu(egress.mtu());
        return facts;
    }

    /**
     * The forward path after IPFORWARD: send as is, fragment (IPv4, DF clear), or drop with
     * DONT_FRAGMENT_MTU_EXCEEDED and answer with frag-needed / packet too big.
     */
    private void sendForwarded(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            boolean atDispatch) {
        ParsedPacket parsed = frame.parsed;
        boolean v4 = parsed.family == AddressFamily.INET;
        int mtu = egress.mtu();
        if (parsed.packetLength <= mtu) {
            counters.count(IpCounters.FORWARDED);
            transmitter.transmit(nbl, egress, atDispatch);
            return;
        }
        if (v4 && !parsed.dontFragment) {
            NetBufferList fragments = fragmenter.fragment(nbl, header, parsed.headerLength, mtu);
            if (fragments == null) {
                inspection.discard(
                        HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.ALLOCATION_FAILURE);
                return;
            }
            counters.count(IpCounters.FORWARDED);
            transmitter.transmit(fragments, egress, atDispatch);
            ownership.release(fragments, atDispatch);
            return;
        }
        inspection.discard(
                HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED);
        // The error quotes the packet as it arrived (RFC 1812 §4.3.2.3): undo the decrement first.
        changeHopLimit(nb, header, frame, v4, +1);
        send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.PACKET_TOO_BIG, mtu, atDispatch);
    }

    // ---- fragment grouping at the forward layer (wfp-callouts-and-injection §5.6 item 3) ----

    /**
     * Holds a forwarded fragment, already shown alone at IPFORWARD, in its group. When the group is complete it is
     * shown at IPFORWARD (the layer where samples meet it, §9 item 15) as an NBL chain with IS_FRAGMENT_GROUP, and
     * each member is sent if both its own indication and the group's let it continue [I: the spec says only that each
     * fragment is indicated alone first and then in its group; which verdict decides the fragment's fate is not
     * stated]. Every fragment is in the chain, also one a callout absorbed or blocked at its own indication, so that
     * the group is whole. A fragment the grouping refuses (overlap, duplicate, table full) is forwarded alone at once.
     */
    private void groupFragment(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            boolean continues,
            boolean atDispatch) {
        long now = nanoClock.getAsLong();
        dropFragmentGroups(grouping.expire(now), atDispatch);
        ownership.hold(nbl);
        ForwardFragmentGrouping.Added added = grouping.add(
                arrival.compartment().id(), frame.parsed, nbl, arrival, subInterface, egress, continues, now);
        switch (added.outcome()) {
            case HELD -> {}
            case NOT_GROUPED -> {
                ownership.release(nbl, atDispatch);
                if (continues) {
                    sendForwarded(nbl, nb, header, frame, arrival, subInterface, egress, atDispatch);
                }
            }
            case COMPLETED -> sendFragmentGroup(added.members(), frame, arrival, subInterface, egress, atDispatch);
        }
    }

    /** Shows a complete group at IPFORWARD as a chain in offset order, then sends or drops its members. */
    private void sendFragmentGroup(
            List<ForwardFragmentGrouping.Member> members,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            boolean atDispatch) {
        NetBufferList head = members.getFirst().nbl();
        boolean continues;
        try {
            for (int i = 1; i < members.size(); i++) {
                members.get(i - 1).nbl().setNext(members.get(i).nbl());
            }
            PacketFacts facts = fillForwardFacts(frame, arrival, subInterface, egress);
            facts.setConditionFlags(FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP);
            continues = inspection.classify(HookPoint.IPFORWARD, head, frame);
        } finally {
            for (ForwardFragmentGrouping.Member member : members) {
                member.nbl().setNext(null);
            }
        }
        for (ForwardFragmentGrouping.Member member : members) {
            try {
                if (continues && member.continues()) {
                    sendHeldFragment(member, atDispatch);
                } else if (NblOwnership.role(member.nbl()) == NblRole.INJECTED) {
                    member.nbl().setStatus(NtStatus.STATUS_UNSUCCESSFUL);
                }
            } finally {
                ownership.release(member.nbl(), atDispatch);
            }
        }
    }

    /** Sends a member of a complete group: parsed again, as the frame of its own arrival is gone. */
    private void sendHeldFragment(ForwardFragmentGrouping.Member member, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBufferList nbl = member.nbl();
            NetBuffer nb = nbl.firstNetBuffer();
            IpDiscardReason invalid = parseReceived(nb, frame);
            if (invalid != null) {
                // A callout changed the held bytes.
                inspection.discard(HookPoint.IPFORWARD, nbl, frame, member.arrival(), member.subInterface(), invalid);
                return;
            }
            sendForwarded(
                    nbl, nb, frame.window, frame, member.arrival(), member.subInterface(), member.egress(), atDispatch);
        } finally {
            PathScratch.exit();
        }
    }

    /** Drops the members of incomplete groups, counted as fragments that timed out (FIRST_FRAGMENT_INCOMPLETE). */
    private void dropFragmentGroups(List<ForwardFragmentGrouping.Member> members, boolean atDispatch) {
        for (ForwardFragmentGrouping.Member member : members) {
            counters.discard(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE);
            if (NblOwnership.role(member.nbl()) == NblRole.INJECTED) {
                member.nbl().setStatus(NtStatus.STATUS_UNSUCCESSFUL);
            }
            ownership.release(member.nbl(), atDispatch);
        }
    }

    /**
     * Drops a packet to forward whose source or destination is link-local (RFC 3927 §7, RFC 4291 §2.5.6): such an
     * address means nothing beyond the link it came from (BEYOND_SCOPE, at IPFORWARD's twin). An IPv6 source gets
     * Destination Unreachable code 2 when its own link-local address is what keeps a global destination out of reach
     * (RFC 4443 §3.1, RFC 4007 §9). A link-local destination that is not this host's is another host's on the arrival
     * link: dropped silently, since this router sends nothing back onto the link it came from (it has no redirects).
     * RFC 3927 asks for no ICMP error for IPv4.
     */
    private void dropBeyondScope(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        inspection.discard(HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.BEYOND_SCOPE);
        ParsedPacket parsed = frame.parsed;
        if (parsed.family == AddressFamily.INET6
                && !IpAddresses.isLinkLocal(parsed.family, parsed.destinationHigh, parsed.destinationLow)) {
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.BEYOND_SCOPE, 0, atDispatch);
        }
    }

    /** Changes the TTL (incremental checksum) or hop limit by {@code delta}, in the packet itself. */
    private static void changeHopLimit(
            NetBuffer nb, MemorySegment header, PathScratch.Frame frame, boolean v4, int delta) {
        if (v4) {
            if (delta < 0) {
                Ipv4Header.decrementTtl(header);
            } else {
                int oldWord = Short.toUnsignedInt(header.get(InternetChecksum.U16, Ipv4Header.TTL));
                int newWord = oldWord + 0x0100;
                header.set(InternetChecksum.U16, Ipv4Header.TTL, (short) newWord);
                Ipv4Header.setChecksum(header, InternetChecksum.update(Ipv4Header.checksum(header), oldWord, newWord));
            }
        } else {
            Ipv6Header.setHopLimit(header, Ipv6Header.hopLimit(header) + delta);
        }
        frame.parsed.hopLimit += delta;
        if (header == frame.window) {
            // NdisGetDataBuffer copied the header: write the changed bytes back into the packet.
            NetBufferBytes.copyIn(nb, 0, header, 0, v4 ? Ipv4Header.SOURCE : Ipv6Header.SOURCE);
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
    public int sendIcmpError(
            NetBufferList offending,
            int arrivalInterfaceIndex,
            IcmpErrorKind kind,
            int parameter,
            boolean dispatchLevel) {
        return send.sendIcmpError(offending, table.byIndex(arrivalInterfaceIndex), kind, parameter);
    }

    // ---- reassembly time ----

    /**
     * Drops incomplete datagrams older than the reassembly timeout at {@code nowNanos} (the stack clock's time),
     * sending ICMP Time Exceeded (code 1) for those whose first fragment had arrived, and the forwarded fragments of
     * incomplete groups as old ({@link #setGroupForwardedFragments}).
     */
    public void expireReassembly(long nowNanos, boolean dispatchLevel) {
        dropFragmentGroups(grouping.expire(nowNanos), dispatchLevel);
        int expired = reassembler.expire(
                nowNanos, (first, family, compartmentId) -> reassemblyTimedOut(first, dispatchLevel));
        if (expired > 0) {
            counters.add(IpCounters.REASSEMBLY_TIMEOUTS, expired);
            for (int i = 0; i < expired; i++) {
                counters.discard(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE);
            }
        }
    }

    private void reassemblyTimedOut(NetBufferList first, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = first.firstNetBuffer();
            int available = Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = nb.getDataBuffer(available, frame.window, 1, 0);
            if (PacketParser.parse(header, available, nb.dataLength(), frame.parsed) != null) {
                return;
            }
            IpInterface arrival = table.destinationOwner(frame.parsed);
            if (arrival != null) {
                // The quote is the first fragment's start; it is sent as a whole packet, not as a fragment.
                frame.parsed.fragment = false;
                send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.REASSEMBLY_TIME_EXCEEDED, 0, atDispatch);
            }
        } finally {
            PathScratch.exit();
        }
    }

    // ---- PacketInjection ----

    @Override
    public int injectForward(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            PacketCompletion completion) {
        IpInterface egress = adoptInjected(nbl, family, compartmentId, interfaceIndex, completion);
        if (egress == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        NetBuffer nb = nbl.firstNetBuffer();
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            int longest = 0;
            for (NetBuffer each = nb; each != null; each = each.next()) {
                longest = Math.max(longest, each.dataLength());
            }
            if (HostModel.isPassThrough(egress.compartment(), nb, family, frame.window)) {
                // A weak-host packet: accepted, but only network receive or send can carry it (§3.5, §9 item 20).
                nbl.setStatus(NtStatus.STATUS_INVALID_PARAMETER);
            } else if (longest > egress.mtu()) {
                // Injection does not fragment (§5.6): the injector answers with frag-needed / packet too big.
                nbl.setStatus(NtStatus.STATUS_INVALID_BUFFER_SIZE);
            } else {
                nbl.setStatus(NtStatus.STATUS_SUCCESS);
                counters.count(IpCounters.FORWARDED);
                transmitter.transmit(nbl, egress, true);
            }
        } finally {
            PathScratch.exit();
            ownership.release(nbl, true);
            Irql.lower(previous);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    @Override
    public int injectNetworkSend(
            NetBufferList nbl, AddressFamily family, int compartmentId, PacketCompletion completion) {
        Compartment compartment = compartment(compartmentId);
        if (compartment == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        ownership.adopt(nbl, NblRole.INJECTED, completion);
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            ParsedPacket parsed = frame.parsed;
            int available = nb == null ? 0 : Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = available == 0 ? null : nb.getDataBuffer(available, frame.window, 1, 0);
            if (header == null
                    || nb.next() != null
                    || PacketParser.parse(header, available, nb.dataLength(), parsed) != null
                    || parsed.family != family) {
                ownership.disown(nbl);
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            Route route = compartment.lookup(family, parsed.destinationHigh, parsed.destinationLow);
            if (route == null) {
                ownership.disown(nbl);
                return NtStatus.STATUS_NOT_FOUND;
            }
            try {
                send.sendLocal(nbl, header, frame, route.egress(), true);
            } finally {
                ownership.release(nbl, true);
            }
            return NtStatus.STATUS_SUCCESS;
        } finally {
            PathScratch.exit();
            Irql.lower(previous);
        }
    }

    @Override
    public int injectNetworkReceive(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion) {
        IpInterface arrival = adoptInjected(nbl, family, compartmentId, interfaceIndex, completion);
        if (arrival == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        nbl.setStatus(NtStatus.STATUS_SUCCESS);
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        try {
            received(nbl, arrival, subInterfaceIndex, true);
        } finally {
            Irql.lower(previous);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Takes an NBL injected on an interface (forward or network receive): the interface must exist in the
     * compartment and the NBL must start with an IP header of {@code family}.
     *
     * @return the interface, with the NBL adopted; null when the injection is refused and the caller still owns it
     */
    private @Nullable IpInterface adoptInjected(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            PacketCompletion completion) {
        IpInterface target = interfaceByIndex(interfaceIndex);
        if (target == null || target.compartment().id() != InterfaceTable.effectiveCompartmentId(compartmentId)) {
            return null;
        }
        ownership.adopt(nbl, NblRole.INJECTED, completion);
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null || !startsWithVersion(nb, family)) {
            ownership.disown(nbl);
            return null;
        }
        return target;
    }

    /** Whether the NB's data starts with the version nibble of {@code family}. */
    private static boolean startsWithVersion(NetBuffer nb, AddressFamily family) {
        if (nb.dataLength() < 1) {
            return false;
        }
        PathScratch.Frame frame = PathScratch.enter();
        try {
            MemorySegment first = nb.getDataBuffer(1, frame.window, 1, 0);
            return first != null
                    && (Byte.toUnsignedInt(first.get(ValueLayout.JAVA_BYTE, 0)) >>> 4) == family.ipVersion();
        } finally {
            PathScratch.exit();
        }
    }

    /**
     * Frees what the stack owns: the reassembly table and its pools; forwarded fragments still held in groups go back
     * to their owners.
     *
     * @throws org.nbl4j.core.verify.RuleViolation if some of the stack's NBLs are still out (a leak)
     */
    @Override
    public void close() {
        dropFragmentGroups(grouping.removeAll(), false);
        reassembler.close();
        fragmenter.close();
        ownPackets.close();
    }
}
