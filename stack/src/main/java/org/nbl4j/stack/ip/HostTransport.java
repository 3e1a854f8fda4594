package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;

/**
 * The host role's transport boundary (tcpip.sys's TCP/UDP modules and ALE, seen from below): the applications of a
 * Linux namespace play Windows' transport protocols behind the {@linkplain #applications() applications' interface};
 * this class shows their packets at the layers WFP places between transport and IP, and tracks their flows
 * ({@link FlowTable}). docs/wfp.md ("Host mode") gives the rule of what is shown where; in short:
 *
 * <ul>
 *   <li><b>Outbound</b> (a packet the applications send): a new 5-tuple is authorized at ALE_AUTH_CONNECT (TCP without
 *       a packet, as on Windows); a permitted UDP or ICMP echo flow is then shown at ALE_FLOW_ESTABLISHED; UDP and ICMP
 *       echo go through DATAGRAM_DATA; every TCP, UDP and ICMP packet through OUTBOUND_TRANSPORT, with the offset at
 *       the transport header; then the IP send path (OUTBOUND_IPPACKET) and the network interface.
 *   <li><b>Inbound</b> (a packet for this host, after INBOUND_IPPACKET and reassembly): INBOUND_TRANSPORT with the
 *       offset after the transport header (ICMP: at the ICMP header) and ALE_CLASSIFY_REQUIRED when it starts a flow;
 *       ALE_AUTH_RECV_ACCEPT for a new 5-tuple; ALE_FLOW_ESTABLISHED for a permitted UDP or ICMP flow; DATAGRAM_DATA;
 *       then out of the applications' interface.
 *   <li>A TCP flow is shown at ALE_FLOW_ESTABLISHED once, with the initiator's ACK that completes the handshake.
 *       Later packets of a permitted flow are not authorized again; those of a blocked flow are dropped at the
 *       transport layer's discard twin until the flow ends, and so are those of a flow whose authorization a callout
 *       pended, until it completes it (a completed connect is reauthorized at once, {@link #complete}).
 * </ul>
 *
 * <p>Only ICMP echo requests and replies make ICMP flows (keyed by the echo identifier); other ICMP messages, and
 * fragments other than the first, pass the transport layers without a flow. Other protocols pass with the IP
 * layers only. Everything runs on the thread that holds the packet; nothing here allocates for a packet of a known
 * flow.
 */
final class HostTransport {
    /** Bytes of the transport header copied to read it: TCP through its flags, UDP, the ICMP echo header. */
    static final int TRANSPORT_WINDOW = 20;

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;
    private static final long EXPIRY_PERIOD_NANOS = 1_000_000_000L;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final IpCounters counters;
    private final PathInspection inspection;
    private final LocalSend send;
    private final Transmitter transmitter;
    private final GeneratedPackets generatedPackets;
    private final NblHolds holds;
    private final AtomicInteger identification = new AtomicInteger();
    private final LongSupplier nanoClock;
    private final FlowTable flows = new FlowTable();
    private final Consumer<Flow> endFlow = this::flowEnded;

    private volatile @Nullable IpInterface applications;
    private volatile SocketOwners socketOwners = SocketOwners.NONE;
    private volatile long idleNanos = 60_000_000_000L;
    private volatile long tcpIdleNanos = 7_200_000_000_000L;
    private volatile long closedNanos = 4_000_000_000L;
    private volatile long nextExpiry;

    HostTransport(IpPaths paths) {
        this.counters = paths.counters;
        this.inspection = paths.inspection;
        this.send = paths.send;
        this.transmitter = paths.transmitter;
        this.generatedPackets = paths.generatedPackets;
        this.holds = paths.holds;
        this.nanoClock = paths.nanoClock;
    }

    /** The interface facing the applications, or null when the stack is a router only. */
    @Nullable
    IpInterface applications() {
        return applications;
    }

    void setApplications(@Nullable IpInterface applications) {
        this.applications = applications;
    }

    FlowTable flows() {
        return flows;
    }

    void setSocketOwners(SocketOwners socketOwners) {
        this.socketOwners = socketOwners;
    }

    void setTimeouts(long idleNanos, long tcpIdleNanos, long closedNanos) {
        this.idleNanos = idleNanos;
        this.tcpIdleNanos = tcpIdleNanos;
        this.closedNanos = closedNanos;
    }

    /** Ends the flows whose time is up at {@code nowNanos}. */
    void expire(long nowNanos) {
        nextExpiry = nowNanos + EXPIRY_PERIOD_NANOS;
        flows.expire(nowNanos, idleNanos, tcpIdleNanos, endFlow);
    }

    /** Ends every flow. */
    void endAll() {
        flows.endAll(endFlow);
    }

    /** {@code FwpsFlowAbort0}: ends a flow now; whether it was open. */
    boolean abort(long handle) {
        Flow flow = flows.byHandle(handle);
        return flow != null && flows.end(flow, endFlow);
    }

    private void flowEnded(Flow flow) {
        inspection.hook().flowEnded(flow);
    }

    // ---- outbound: a packet the applications send ----

    /**
     * A packet the applications sent, parsed into {@code frame} (its data at the IP header, its first
     * {@link ReceivePath#FIRST_WINDOW} bytes or more in the frame's window, as the parse left them), arriving on the
     * applications' interface: shown at the outbound host layers, then routed and sent as this host's own.
     */
    void send(NetBufferList nbl, NetBuffer nb, PathScratch.Frame frame, boolean atDispatch) {
        PacketFacts facts = frame.facts;
        long now = tick();
        Route route = applicationsCompartment().lookup(facts.family, facts.destinationHigh, facts.destinationLow);
        if (route == null) {
            inspection.discard(HookPoint.OUTBOUND_IPPACKET, nbl, frame, null, 0, IpDiscardReason.NO_ROUTE);
            return;
        }
        IpInterface egress = route.egress();
        int transportHeader = readTransport(nb, frame, false, now);
        if (transportHeader < 0) {
            send.sendLocal(nbl, frame.window, frame, egress, atDispatch);
            return;
        }
        Flow flow = facts.flow;
        int ipHeader = facts.headerLength;
        nb.advance(ipHeader, false, null);
        int outcome;
        try {
            outcome = outboundLayers(nbl, frame, egress, flow, transportHeader, now);
        } finally {
            nb.retreat(ipHeader, 0, null);
        }
        if (outcome == PASSES) {
            facts.flow = null;
            send.sendLocal(nbl, frame.window, frame, egress, atDispatch);
        } else if (outcome == REFUSED) {
            refuse(nb, frame, atDispatch);
        }
    }

    /** What the outbound layers did with a packet: it goes on, it was dropped or absorbed, or its flow is refused. */
    private static final int PASSES = 0;

    private static final int DROPPED = 1;
    private static final int REFUSED = 2;

    /**
     * Whether an outbound packet the layers stopped is answered toward the applications (docs/wfp.md, "A blocked
     * connect fails at once"): a packet of a flow the ALE layers blocked, and a TCP SYN or a flow's first datagram
     * that OUTBOUND_TRANSPORT blocked (not absorbed).
     */
    private static int refusedIf(boolean refused) {
        return refused ? REFUSED : DROPPED;
    }

    private int outboundLayers(
            NetBufferList nbl,
            PathScratch.Frame frame,
            IpInterface egress,
            @Nullable Flow flow,
            int transportHeader,
            long now) {
        PacketFacts facts = frame.facts;
        boolean firstPacket = flow != null && flow.state == Flow.AUTHORIZING;
        if (flow != null) {
            if (flow.state == Flow.BLOCKED || flow.state == Flow.PENDED) {
                showOut(frame, egress, transportHeader);
                inspection.discard(HookPoint.OUTBOUND_TRANSPORT, nbl, frame, null, 0, IpDiscardReason.INSPECTION_DROP);
                return refusedIf(flow.state == Flow.BLOCKED);
            }
            if (flow.state == Flow.AUTHORIZING) {
                showOut(frame, egress, transportHeader);
                facts.setWithoutLayerData(facts.protocol == IcmpMessages.IPPROTO_TCP);
                int authorized = authorize(HookPoint.ALE_AUTH_CONNECT, nbl, frame, flow);
                if (authorized != PASSES) {
                    return authorized;
                }
            }
            if (establishes(flow, facts)) {
                showOut(frame, egress, transportHeader);
                if (!establish(nbl, frame, flow)) {
                    return refusedIf(flow.state == Flow.BLOCKED);
                }
            }
            if (flow.protocol != IcmpMessages.IPPROTO_TCP) {
                showOut(frame, egress, transportHeader);
                if (!inspection.classify(HookPoint.DATAGRAM_DATA, nbl, frame)) {
                    return DROPPED;
                }
            }
        }
        showOut(frame, egress, transportHeader);
        HookVerdict verdict = inspection.hook().classify(HookPoint.OUTBOUND_TRANSPORT, nbl, facts);
        if (!inspection.continues(verdict, HookPoint.OUTBOUND_TRANSPORT, nbl, frame)) {
            boolean syn = (facts.tcpFlags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
            boolean opening = facts.protocol == IcmpMessages.IPPROTO_TCP ? syn : firstPacket;
            return refusedIf(verdict == HookVerdict.BLOCK && flow != null && opening);
        }
        if (flow != null) {
            track(flow, facts, now);
        }
        return PASSES;
    }

    // ---- answering a refused connect ----

    /**
     * Answers a refused outbound packet toward the applications, so that the Linux application's {@code connect()} or
     * {@code send()} fails at once instead of retransmitting into silence (docs/wfp.md): a TCP segment with a reset
     * from the remote (ECONNREFUSED), a UDP datagram or ICMP message with Destination Unreachable, port unreachable,
     * from the remote. Windows fails the same call with WSAEACCES; Linux has no packet that gives that.
     *
     * @param nb the refused packet, at its IP header, parsed into {@code frame} (its transport header in the window)
     */
    private void refuse(NetBuffer nb, PathScratch.Frame frame, boolean atDispatch) {
        IpInterface toApplications = applications;
        PacketFacts facts = frame.facts;
        if (toApplications == null) {
            return;
        }
        if (facts.protocol == IcmpMessages.IPPROTO_TCP) {
            // readTransport read an outbound header in the parse window; the reset is built from a copy.
            nb.copyTo(facts.headerLength, frame.transport, 0, TRANSPORT_WINDOW);
            if (TcpResetBuilder.due(frame.transport)) {
                answer(
                        toApplications,
                        TcpResetBuilder.length(facts.family),
                        IpPoolTags.TCP_RESET,
                        frame,
                        nb,
                        atDispatch);
            }
            return;
        }
        int length = IcmpErrorBuilder.errorLength(facts.family, facts.packetLength);
        answer(toApplications, length, IpPoolTags.ICMP_ERROR, frame, nb, atDispatch);
    }

    private void answer(
            IpInterface toApplications,
            int length,
            PoolTag tag,
            PathScratch.Frame frame,
            @Nullable NetBuffer offending,
            boolean atDispatch) {
        PacketFacts facts = frame.facts;
        NetBufferList answer = generatedPackets.allocate(length, tag);
        if (answer == null) {
            counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        holds.adopt(answer, NblRole.GENERATED, answer.protocolReserved()[NblHolds.SLOT_TARGET]);
        try {
            MemorySegment out = answer.firstNetBuffer().getDataBuffer(length, null, 1, 0);
            int id = identification.incrementAndGet() & 0xFFFF;
            if (offending == null || facts.protocol == IcmpMessages.IPPROTO_TCP) {
                TcpResetBuilder.write(out, facts, frame.transport, id);
                counters.count(IpCounters.RESETS_SENT);
            } else {
                IcmpErrorBuilder.write(
                        out,
                        facts.family,
                        IcmpErrorKind.PORT_UNREACHABLE,
                        0,
                        facts.destinationHigh,
                        facts.destinationLow,
                        facts.sourceHigh,
                        facts.sourceLow,
                        offending,
                        facts.packetLength,
                        id);
                counters.count(IpCounters.ICMP_ERRORS_SENT);
            }
            transmitter.transmit(answer, toApplications, frame, atDispatch);
        } finally {
            holds.release(answer, atDispatch);
        }
    }

    /**
     * A pended TCP connect that its reauthorization blocked: the SYN was dropped when the connect was pended, so the
     * reset answers the SYN the flow remembers ({@link Flow#initiatorSequence}).
     */
    private void refuseReauthorizedConnect(Flow flow, PathScratch.Frame frame) {
        IpInterface toApplications = applications;
        if (toApplications == null || flow.protocol != IcmpMessages.IPPROTO_TCP || !flow.outbound) {
            return;
        }
        PacketFacts facts = frame.facts;
        facts.headerLength = flow.family == AddressFamily.INET ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
        facts.packetLength = facts.headerLength + TcpResetBuilder.TCP_HEADER_LENGTH;
        MemorySegment syn = frame.transport;
        syn.set(U16, 0, (short) flow.localPort);
        syn.set(U16, 2, (short) flow.remotePort);
        syn.set(U32, 4, flow.initiatorSequence);
        syn.set(U32, 8, 0);
        syn.set(ValueLayout.JAVA_BYTE, 12, (byte) ((TcpResetBuilder.TCP_HEADER_LENGTH / 4) << 4));
        syn.set(ValueLayout.JAVA_BYTE, 13, (byte) TCP_SYN);
        answer(toApplications, TcpResetBuilder.length(flow.family), IpPoolTags.TCP_RESET, frame, null, true);
    }

    private static void showOut(PathScratch.Frame frame, IpInterface egress, int transportHeader) {
        PacketFacts facts = frame.facts;
        facts.showIn(egress.compartment().id());
        facts.setDestinationInterfaceIndex(egress.interfaceIndex());
        facts.setTransportHeaderSize(transportHeader);
    }

    // ---- inbound: a packet for this host ----

    /**
     * A packet for this host that the IP path delivers (its data at the IP header, parsed into {@code frame}): shown
     * at the inbound host layers, then handed to the applications.
     */
    void receive(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        IpInterface toApplications = applications;
        PacketFacts facts = frame.facts;
        long now = tick();
        int transportHeader = readTransport(nb, frame, true, now);
        if (transportHeader >= 0) {
            // ICMP is shown from its header on (§5.2): only the IP header is consumed, so the size reported is 0.
            int consumed = facts.protocol == IcmpMessages.IPPROTO_TCP || facts.protocol == IcmpMessages.IPPROTO_UDP
                    ? transportHeader
                    : 0;
            int advance = facts.headerLength + consumed;
            nb.advance(advance, false, null);
            boolean passes;
            try {
                passes = inboundLayers(nbl, frame, arrival, subInterface, consumed, now);
            } finally {
                nb.retreat(advance, 0, null);
            }
            if (!passes) {
                return;
            }
        }
        counters.count(IpCounters.DELIVERED);
        if (toApplications != null) {
            transmitter.transmit(nbl, toApplications, frame, atDispatch);
        }
    }

    private boolean inboundLayers(
            NetBufferList nbl, PathScratch.Frame frame, IpInterface arrival, int subInterface, int consumed, long now) {
        PacketFacts facts = frame.facts;
        Flow flow = facts.flow;
        PathInspection.fillFacts(frame, arrival, subInterface);
        facts.setTransportHeaderSize(consumed);
        facts.setAleClassifyRequired(flow != null && flow.state == Flow.AUTHORIZING);
        if (!inspection.classify(HookPoint.INBOUND_TRANSPORT, nbl, frame)) {
            return false;
        }
        if (flow == null) {
            return true;
        }
        if (flow.state == Flow.BLOCKED || flow.state == Flow.PENDED) {
            PathInspection.fillFacts(frame, arrival, subInterface);
            inspection.discard(
                    HookPoint.INBOUND_TRANSPORT, nbl, frame, arrival, subInterface, IpDiscardReason.INSPECTION_DROP);
            return false;
        }
        if (flow.state == Flow.AUTHORIZING) {
            showIn(frame, arrival, subInterface, consumed);
            if (authorize(HookPoint.ALE_AUTH_RECV_ACCEPT, nbl, frame, flow) != PASSES) {
                return false;
            }
        }
        if (establishes(flow, facts)) {
            showIn(frame, arrival, subInterface, consumed);
            if (!establish(nbl, frame, flow)) {
                return false;
            }
        }
        if (flow.protocol != IcmpMessages.IPPROTO_TCP) {
            showIn(frame, arrival, subInterface, consumed);
            if (!inspection.classify(HookPoint.DATAGRAM_DATA, nbl, frame)) {
                return false;
            }
        }
        track(flow, facts, now);
        return true;
    }

    private static void showIn(PathScratch.Frame frame, IpInterface arrival, int subInterface, int consumed) {
        PathInspection.fillFacts(frame, arrival, subInterface);
        frame.facts.setTransportHeaderSize(consumed);
    }

    // ---- flows ----

    /**
     * Shows a flow's first packet at an ALE authorization layer and records the decision.
     *
     * @return {@link #PASSES}; {@link #REFUSED} when this classification blocked the flow, so the packet is answered;
     *     or {@link #DROPPED}, also when a callout pended it: the pend's completion answers a refused connect, and may
     *     already have done so on another thread, so the flow's state says nothing about this packet
     */
    private int authorize(HookPoint point, NetBufferList nbl, PathScratch.Frame frame, Flow flow) {
        PacketFacts facts = frame.facts;
        // Before the ALE classification: the process fields of it and of the flow's later ALE classifications. Asking
        // nobody costs nothing, not even the addresses' arrays.
        SocketOwners owners = socketOwners;
        if (owners != SocketOwners.NONE) {
            flow.owner = owners.find(
                    flow.protocol(), flow.localAddress(), flow.localPort(), flow.remoteAddress(), flow.remotePort());
        }
        flow.authorizedAt = point;
        flow.interfaceIndex = facts.inbound ? facts.arrivalInterfaceIndex() : facts.destinationInterfaceIndex();
        flow.compartmentId = facts.compartmentId();
        HookVerdict verdict;
        synchronized (flow) {
            flow.inAuthorization = true;
        }
        try {
            verdict = inspection.hook().classify(point, nbl, facts);
        } finally {
            synchronized (flow) {
                flow.inAuthorization = false;
            }
        }
        boolean blockedHere = decide(flow, verdict);
        if (inspection.continues(verdict, point, nbl, frame)) {
            return PASSES;
        }
        return refusedIf(blockedHere);
    }

    /**
     * Records an ALE decision. ABSORB without a pend means the callout took the packet (cloned it to reinject): the
     * flow stays unauthorized, and its next packet, or the reinjection, is authorized again. A classification that
     * pended the flow records nothing: the pend owns the state from then on, and a worker may already have completed
     * it (and its reauthorization decided the flow) before this classification returned.
     *
     * @return whether this classification blocked the flow
     */
    private static boolean decide(Flow flow, HookVerdict verdict) {
        synchronized (flow) {
            if (flow.pendedInAuthorization) {
                flow.pendedInAuthorization = false;
                return false;
            }
            record(flow, verdict);
            return flow.state == Flow.BLOCKED;
        }
    }

    /** Sets the flow's state from a verdict; the caller holds the flow's lock. */
    private static void record(Flow flow, HookVerdict verdict) {
        switch (verdict) {
            case CONTINUE -> flow.state = Flow.PERMITTED;
            case BLOCK -> flow.state = Flow.BLOCKED;
            case ABSORB -> flow.state = Flow.AUTHORIZING;
        }
    }

    /** {@link HostFlows#pendAuthorization}. */
    int pend(long completionHandle) {
        Flow flow = flows.byHandle(completionHandle);
        if (flow == null) {
            return NtStatus.STATUS_FWP_NULL_POINTER;
        }
        synchronized (flow) {
            if (!flow.inAuthorization) {
                return NtStatus.STATUS_FWP_NULL_POINTER;
            }
            if (flow.reauthorizing) {
                return NtStatus.STATUS_FWP_CANNOT_PEND;
            }
            flow.state = Flow.PENDED;
            flow.pendedInAuthorization = true;
            return NtStatus.STATUS_SUCCESS;
        }
    }

    /** {@link HostFlows#completeAuthorization}. */
    boolean complete(long completionHandle) {
        Flow flow = flows.byHandle(completionHandle);
        if (flow == null) {
            return false;
        }
        synchronized (flow) {
            if (flow.state != Flow.PENDED) {
                return false;
            }
            flow.state = Flow.AUTHORIZING;
            if (flow.authorizedAt != HookPoint.ALE_AUTH_CONNECT) {
                return true;
            }
            flow.reauthorizing = true;
            flow.inAuthorization = true;
        }
        try {
            reauthorize(flow);
        } finally {
            synchronized (flow) {
                flow.reauthorizing = false;
                flow.inAuthorization = false;
            }
        }
        return true;
    }

    /** The reauthorization a completed connect gets: the flow's facts, IS_REAUTHORIZE, no packet (§4.10). */
    private void reauthorize(Flow flow) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            PacketFacts facts = frame.facts;
            facts.clearHeader(flow.family);
            facts.protocol = flow.protocol;
            facts.inbound = !flow.outbound;
            facts.flow = flow;
            facts.sourceHigh = flow.outbound ? flow.localHigh : flow.remoteHigh;
            facts.sourceLow = flow.outbound ? flow.localLow : flow.remoteLow;
            facts.destinationHigh = flow.outbound ? flow.remoteHigh : flow.localHigh;
            facts.destinationLow = flow.outbound ? flow.remoteLow : flow.localLow;
            boolean icmp = flow.protocol != IcmpMessages.IPPROTO_TCP && flow.protocol != IcmpMessages.IPPROTO_UDP;
            facts.localPort = icmp ? 0 : flow.localPort;
            facts.remotePort = icmp ? 0 : flow.remotePort;
            facts.showIn(flow.compartmentId);
            facts.setDestinationInterfaceIndex(flow.interfaceIndex);
            facts.setConditionFlags(IpStack.FWP_CONDITION_FLAG_IS_REAUTHORIZE);
            facts.setWithoutLayerData(true);
            HookVerdict verdict = inspection.hook().classifyWithoutPacket(HookPoint.ALE_AUTH_CONNECT, facts);
            synchronized (flow) {
                record(flow, verdict == HookVerdict.CONTINUE ? HookVerdict.CONTINUE : HookVerdict.BLOCK);
            }
            if (verdict != HookVerdict.CONTINUE) {
                refuseReauthorizedConnect(flow, frame);
            }
        } finally {
            PathScratch.exit(frame);
        }
    }

    /** Shows a permitted flow at ALE_FLOW_ESTABLISHED, once. */
    private boolean establish(NetBufferList nbl, PathScratch.Frame frame, Flow flow) {
        flow.established = true;
        HookVerdict verdict = inspection.hook().classify(HookPoint.ALE_FLOW_ESTABLISHED, nbl, frame.facts);
        if (verdict == HookVerdict.BLOCK) {
            flow.state = Flow.BLOCKED;
        }
        return inspection.continues(verdict, HookPoint.ALE_FLOW_ESTABLISHED, nbl, frame);
    }

    /**
     * Whether this packet establishes a permitted flow: the first packet of a UDP or ICMP flow, the initiator's ACK
     * after the responder's SYN+ACK for TCP.
     */
    private static boolean establishes(Flow flow, PacketFacts facts) {
        if (flow.established || flow.state != Flow.PERMITTED) {
            return false;
        }
        if (flow.protocol != IcmpMessages.IPPROTO_TCP) {
            return true;
        }
        boolean fromInitiator = facts.inbound != flow.outbound;
        return fromInitiator && flow.synAcknowledged && (facts.tcpFlags & (TCP_ACK | TCP_SYN | TCP_RST)) == TCP_ACK;
    }

    /** Updates a flow's state with a packet that passed: idle time, TCP handshake, close and sequence state. */
    private void track(Flow flow, PacketFacts facts, long now) {
        flow.lastSeenNanos = now;
        if (flow.protocol != IcmpMessages.IPPROTO_TCP) {
            return;
        }
        int flags = facts.tcpFlags;
        boolean fromInitiator = facts.inbound != flow.outbound;
        if (!fromInitiator && (flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
            flow.synAcknowledged = true;
        }
        if ((flags & TCP_FIN) != 0) {
            if (facts.inbound) {
                flow.finInbound = true;
            } else {
                flow.finOutbound = true;
            }
        }
        if (flow.closeDeadline == 0 && ((flags & TCP_RST) != 0 || (flow.finInbound && flow.finOutbound))) {
            flow.closeDeadline = now + closedNanos;
        }
    }

    /**
     * Reads the transport header of the packet in {@code frame} into the transport facts and finds or starts its flow.
     *
     * @return the transport header's length, or -1 when the packet passes without the transport layers
     */
    private int readTransport(NetBuffer nb, PathScratch.Frame frame, boolean inbound, long now) {
        PacketFacts facts = frame.facts;
        facts.inbound = inbound;
        int protocol = facts.protocol;
        boolean icmp = protocol
                == (facts.family == AddressFamily.INET ? IcmpMessages.IPPROTO_ICMP : IcmpMessages.IPPROTO_ICMPV6);
        boolean tcp = protocol == IcmpMessages.IPPROTO_TCP;
        if (!tcp && !icmp && protocol != IcmpMessages.IPPROTO_UDP) {
            return -1;
        }
        int available = facts.packetLength - facts.headerLength;
        if ((facts.fragment && facts.fragmentOffset != 0) || available < 8 || (tcp && available < TRANSPORT_WINDOW)) {
            return -1;
        }
        int copied = Math.min(available, TRANSPORT_WINDOW);
        MemorySegment header;
        long at;
        if (!inbound && facts.headerLength + copied <= Math.min(facts.packetLength, ReceivePath.FIRST_WINDOW)) {
            // An outbound packet comes straight from its parse (send's contract): the window holds its transport
            // header, read there without a copy (whose fresh stores the reads right after would wait on).
            header = frame.window;
            at = facts.headerLength;
        } else {
            header = frame.transport;
            at = 0;
            nb.copyTo(facts.headerLength, header, 0, copied);
        }
        int first = u16(header, at);
        int second = u16(header, at + 2);
        int length;
        int flowPort;
        boolean startsFlow;
        if (icmp) {
            int type = first >>> 8;
            facts.localPort = type;
            facts.remotePort = first & 0xFF;
            boolean echo = facts.family == AddressFamily.INET ? type == 8 || type == 0 : type == 128 || type == 129;
            facts.hasIcmpIdAndSequence = echo;
            facts.icmpIdAndSequence = echo ? header.get(U32, at + 4) : 0;
            if (!echo) {
                facts.flow = null;
                return 8;
            }
            flowPort = u16(header, at + 4);
            length = 8;
            startsFlow = true;
        } else {
            facts.localPort = inbound ? second : first;
            facts.remotePort = inbound ? first : second;
            flowPort = -1;
            if (tcp) {
                length = (Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 12)) >>> 4) * 4;
                facts.tcpFlags = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 13));
                startsFlow = (facts.tcpFlags & TCP_RST) == 0;
            } else {
                length = 8;
                startsFlow = true;
            }
        }
        int localPort = flowPort >= 0 ? flowPort : facts.localPort;
        int remotePort = flowPort >= 0 ? flowPort : facts.remotePort;
        long localHigh = inbound ? facts.destinationHigh : facts.sourceHigh;
        long localLow = inbound ? facts.destinationLow : facts.sourceLow;
        long remoteHigh = inbound ? facts.sourceHigh : facts.destinationHigh;
        long remoteLow = inbound ? facts.sourceLow : facts.destinationLow;
        Flow flow =
                flows.lookup(facts.family, protocol, localHigh, localLow, remoteHigh, remoteLow, localPort, remotePort);
        if (flow == null && startsFlow) {
            flow = flows.add(
                    facts.family,
                    protocol,
                    localHigh,
                    localLow,
                    remoteHigh,
                    remoteLow,
                    localPort,
                    remotePort,
                    !inbound);
            // Idle from its first packet on, even one the layers absorb or drop (a pended connect's SYN).
            flow.lastSeenNanos = now;
            if (tcp) {
                flow.initiatorSequence = header.get(U32, at + 4);
            }
        }
        facts.flow = flow;
        return length;
    }

    private long tick() {
        long now = nanoClock.getAsLong();
        if (now - nextExpiry >= 0) {
            expire(now);
        }
        return now;
    }

    private Compartment applicationsCompartment() {
        IpInterface faced = applications;
        if (faced == null) {
            throw new IllegalStateException("no applications' interface");
        }
        return faced.compartment();
    }

    private static int u16(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(U16, offset));
    }
}
