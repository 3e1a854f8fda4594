package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;

/**
 * What this host sends (tcpip.sys's send path of locally originated datagrams, and the ICMP and TCP answers the
 * stack makes itself): echo replies, ICMP errors (with their rules and rate limit) and TCP resets, built in packets of
 * its own ({@link GeneratedPackets}), and the send path they and network-send injections take: the host model's check,
 * fragmentation, OUTBOUND_IPPACKET, then the {@link Transmitter}.
 */
final class LocalSend {
    private final GeneratedPackets generatedPackets;
    private final NblHolds holds;
    private final IpCounters counters;
    private final PathInspection inspection;
    private final Fragmenter fragmenter;
    private final Transmitter transmitter;
    private final IcmpRateLimiter icmpLimiter;
    private final AtomicInteger identification = new AtomicInteger();

    LocalSend(IpPaths paths, IcmpRateLimiter icmpLimiter) {
        this.generatedPackets = paths.generatedPackets;
        this.holds = paths.holds;
        this.counters = paths.counters;
        this.inspection = paths.inspection;
        this.fragmenter = paths.fragmenter;
        this.transmitter = paths.transmitter;
        this.icmpLimiter = icmpLimiter;
    }

    // ---- echo replies ----

    /**
     * Builds the echo reply (RFC 792, RFC 4443 §4.2) to a request whose checksum was checked, in a new packet, and sends
     * it toward the request's source.
     */
    void sendEchoReply(
            NetBuffer request, PathScratch.Frame frame, IpInterface arrival, int icmpLength, boolean atDispatch) {
        PacketFacts facts = frame.facts;
        boolean v4 = facts.family == AddressFamily.INET;
        int ipHeader = v4 ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
        NetBufferList reply = generatedPackets.allocate(ipHeader + icmpLength, IpPoolTags.ECHO_REPLY);
        if (reply == null) {
            counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        holds.adopt(reply, NblRole.GENERATED, reply.protocolReserved()[NblHolds.SLOT_TARGET]);
        try {
            MemorySegment out = reply.firstNetBuffer().getDataBuffer(ipHeader + icmpLength, null, 1, 0);
            MemorySegment icmp = out.asSlice(ipHeader, icmpLength);
            request.copyTo(facts.headerLength, icmp, 0, icmpLength);
            if (v4) {
                Ipv4Header.write(
                        out,
                        ipHeader + icmpLength,
                        nextIdentification(),
                        0,
                        IcmpErrorBuilder.DEFAULT_HOP_LIMIT,
                        IcmpMessages.IPPROTO_ICMP,
                        (int) facts.destinationLow,
                        (int) facts.sourceLow);
                icmp.set(ValueLayout.JAVA_BYTE, 0, (byte) IcmpMessages.V4_ECHO_REPLY);
                IcmpMessages.setChecksum(icmp, 0);
                IcmpMessages.setChecksum(icmp, InternetChecksum.compute(icmp, 0, icmpLength));
            } else {
                Ipv6Header.write(
                        out,
                        icmpLength,
                        IcmpMessages.IPPROTO_ICMPV6,
                        IcmpErrorBuilder.DEFAULT_HOP_LIMIT,
                        facts.destinationHigh,
                        facts.destinationLow,
                        facts.sourceHigh,
                        facts.sourceLow);
                icmp.set(ValueLayout.JAVA_BYTE, 0, (byte) IcmpMessages.V6_ECHO_REPLY);
                IcmpMessages.setChecksum(icmp, 0);
                IcmpMessages.setChecksum(icmp, Ipv6Header.icmpChecksum(out, ipHeader, icmpLength));
            }
            counters.count(IpCounters.ECHO_REPLIES_SENT);
            // Routed like any packet this host sends (the arrival interface only without a route): a request that
            // passed through from another interface is answered from that interface's address (HostModel).
            sendOwn(reply, towardSource(facts, arrival), atDispatch);
        } finally {
            holds.release(reply, atDispatch);
        }
    }

    private int nextIdentification() {
        return identification.incrementAndGet() & 0xFFFF;
    }

    // ---- the send path ----

    /** Parses and sends one of the stack's own packets (echo reply, ICMP error) out of {@code egress}. */
    private void sendOwn(NetBufferList nbl, IpInterface egress, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            int available = Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = nb.getDataBuffer(available, frame.window, 1, 0);
            if (PacketParser.parse(header, available, nb.dataLength(), frame.facts) != null) {
                throw new IllegalStateException("the IP layer built an invalid packet");
            }
            sendLocal(nbl, header, frame, egress, atDispatch);
        } finally {
            PathScratch.exit(frame);
        }
    }

    /**
     * The send path of a packet this host originates (own or network-send injected), parsed into {@code frame} and
     * routed out of {@code routed}: the host model's check when its source is another interface's address
     * ({@link HostModel}), fragment if needed (IPv4, DF clear), show at OUTBOUND_IPPACKET (after fragmentation,
     * §8.1), send.
     */
    void sendLocal(
            NetBufferList nbl, MemorySegment header, PathScratch.Frame frame, IpInterface routed, boolean atDispatch) {
        PacketFacts facts = frame.facts;
        IpInterface egress = routed;
        IpInterface sourceInterface = HostModel.otherSourceInterface(routed, facts);
        if (sourceInterface != null && HostModel.sendsForOthers(routed)) {
            // Weak host send: shown at IPFORWARD as outbound pass-through, before fragmentation (HostModel).
            fillSendFacts(facts, routed);
            facts.setArrivalInterfaceIndex(sourceInterface.interfaceIndex());
            facts.setConditionFlags(HostModel.FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU);
            if (!inspection.classify(HookPoint.IPFORWARD, nbl, frame)) {
                return;
            }
        } else if (sourceInterface != null) {
            // Strong host send: only the routes out of the source address's interface count.
            Route own = routed.compartment()
                    .lookup(facts.family, facts.destinationHigh, facts.destinationLow, sourceInterface);
            if (own == null) {
                inspection.discard(HookPoint.OUTBOUND_IPPACKET, nbl, frame, null, 0, IpDiscardReason.NO_ROUTE);
                return;
            }
            egress = own.egress();
        }
        int mtu = egress.mtu();
        NetBufferList toSend = nbl;
        if (facts.packetLength > mtu) {
            if (facts.family == AddressFamily.INET6 || facts.dontFragment) {
                // IPv6 source fragmentation (a fragment header) is not implemented.
                inspection.discard(
                        HookPoint.OUTBOUND_IPPACKET, nbl, frame, null, 0, IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED);
                return;
            }
            NetBufferList fragments = fragmenter.fragment(nbl, header, facts.headerLength, mtu);
            if (fragments == null) {
                inspection.discard(
                        HookPoint.OUTBOUND_IPPACKET, nbl, frame, null, 0, IpDiscardReason.ALLOCATION_FAILURE);
                return;
            }
            toSend = fragments;
        }
        try {
            fillSendFacts(facts, egress);
            if (NblHolds.role(nbl) == NblRole.INJECTED) {
                nbl.setStatus(NtStatus.STATUS_SUCCESS);
            }
            if (inspection.classify(HookPoint.OUTBOUND_IPPACKET, toSend, frame)) {
                transmitter.transmit(toSend, egress, frame, atDispatch);
            } else if (toSend != nbl && NblHolds.role(nbl) == NblRole.INJECTED) {
                nbl.setStatus(NtStatus.STATUS_UNSUCCESSFUL);
            }
        } finally {
            if (toSend != nbl) {
                holds.release(toSend, atDispatch);
            }
        }
    }

    /** Sets the path facts of a packet this host sends that leaves by {@code egress}. */
    private static void fillSendFacts(PacketFacts facts, IpInterface egress) {
        facts.showIn(egress.compartment().id());
        facts.setDestinationInterfaceIndex(egress.interfaceIndex());
        facts.setPathMtu(egress.mtu());
    }

    // ---- ICMP errors and TCP resets ----

    /** Sends the ICMP error a failed check recorded in the frame's facts, if it calls for one. */
    void reportProblem(NetBuffer offending, PathScratch.Frame frame, IpInterface arrival, boolean atDispatch) {
        IcmpErrorKind problem = frame.facts.problem;
        if (problem != null) {
            sendIcmpError(offending, frame, arrival, problem, frame.facts.problemPointer, atDispatch);
        }
    }

    /**
     * Sends an ICMP error about a received packet parsed into {@code frame}, unless RFC 1812 §4.3.2.7 / RFC 4443
     * §2.4(e) forbid it (the packet is an ICMP error, an IPv4 fragment but the first, from an unspecified or
     * multicast source, to a multicast or broadcast destination, except for an IPv6 unrecognized option whose action
     * bits ask for the error whatever the destination: RFC 8200 §4.2, RFC 4443 §2.4(e.3)) or the rate limit says no.
     * It is routed toward the packet's source (the arrival interface if no route), from the arrival interface's
     * address of the family.
     *
     * @param parameter the next-hop MTU or the pointer ({@link IcmpErrorKind#restOfHeader})
     */
    void sendIcmpError(
            NetBuffer offending,
            PathScratch.Frame frame,
            IpInterface arrival,
            IcmpErrorKind kind,
            int parameter,
            boolean atDispatch) {
        PacketFacts facts = frame.facts;
        AddressFamily family = facts.family;
        boolean anyDestination = kind == IcmpErrorKind.UNRECOGNIZED_OPTION && family == AddressFamily.INET6;
        if (!answerable(facts)
                || (!anyDestination
                        && IpAddresses.isMulticastOrBroadcast(family, facts.destinationHigh, facts.destinationLow))
                || aboutIcmpError(offending, frame)) {
            return;
        }
        if (!icmpLimiter.tryAcquire()) {
            counters.count(IpCounters.ICMP_RATE_LIMITED);
            return;
        }
        Compartment compartment = arrival.compartment();
        InterfaceAddress source = arrival.firstAddress(family);
        if (source == null) {
            source = compartment.anyAddress(family);
        }
        if (source == null) {
            return;
        }
        IpInterface egress = towardSource(facts, arrival);
        int length = IcmpErrorBuilder.errorLength(family, facts.packetLength);
        NetBufferList error = generatedPackets.allocate(length, IpPoolTags.ICMP_ERROR);
        if (error == null) {
            counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        holds.adopt(error, NblRole.GENERATED, error.protocolReserved()[NblHolds.SLOT_TARGET]);
        try {
            MemorySegment out = error.firstNetBuffer().getDataBuffer(length, null, 1, 0);
            IcmpErrorBuilder.write(
                    out,
                    family,
                    kind,
                    parameter,
                    source.high(),
                    source.low(),
                    facts.sourceHigh,
                    facts.sourceLow,
                    offending,
                    facts.packetLength,
                    nextIdentification());
            counters.count(IpCounters.ICMP_ERRORS_SENT);
            sendOwn(error, egress, atDispatch);
        } finally {
            holds.release(error, atDispatch);
        }
    }

    /**
     * Whether a received packet may be answered at all: its source is a single host's (not unspecified, multicast or
     * broadcast: RFC 1812 §4.3.2.7, RFC 4443 §2.4(e), RFC 9293 §3.10.7.1) and, for IPv4, it is no fragment but the
     * first (RFC 1812 §4.3.2.7). IPv6 has no such rule: RFC 8200 §4.5 even asks for an error about a later fragment.
     */
    private static boolean answerable(PacketFacts facts) {
        return !(facts.family == AddressFamily.INET && facts.fragment && facts.fragmentOffset != 0)
                && !IpAddresses.isUnspecified(facts.sourceHigh, facts.sourceLow)
                && !IpAddresses.isMulticastOrBroadcast(facts.family, facts.sourceHigh, facts.sourceLow);
    }

    /** The interface an answer to a received packet leaves by: its source's route, else the arrival interface. */
    private static IpInterface towardSource(PacketFacts facts, IpInterface arrival) {
        Route back = arrival.compartment().lookup(facts.family, facts.sourceHigh, facts.sourceLow);
        return back == null ? arrival : back.egress();
    }

    /**
     * Answers a TCP segment for this host with a reset ({@link TcpResetBuilder}), from the address it was sent to,
     * unless the segment is a reset, or is not to or from a single host. Not rate-limited: like Linux's, a reset is
     * never longer than what it answers.
     *
     * @param frame its window holds the segment's TCP header at offset 0
     */
    void sendTcpReset(PathScratch.Frame frame, IpInterface arrival, boolean atDispatch) {
        PacketFacts facts = frame.facts;
        if (!answerable(facts)
                || IpAddresses.isMulticastOrBroadcast(facts.family, facts.destinationHigh, facts.destinationLow)
                || !TcpResetBuilder.due(frame.window)) {
            return;
        }
        int length = TcpResetBuilder.length(facts.family);
        NetBufferList reset = generatedPackets.allocate(length, IpPoolTags.TCP_RESET);
        if (reset == null) {
            counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        holds.adopt(reset, NblRole.GENERATED, reset.protocolReserved()[NblHolds.SLOT_TARGET]);
        try {
            MemorySegment out = reset.firstNetBuffer().getDataBuffer(length, null, 1, 0);
            TcpResetBuilder.write(out, facts, frame.window, nextIdentification());
            counters.count(IpCounters.RESETS_SENT);
            sendOwn(reset, towardSource(facts, arrival), atDispatch);
        } finally {
            holds.release(reset, atDispatch);
        }
    }

    /** Whether the offending packet is itself an ICMP error message. */
    private static boolean aboutIcmpError(NetBuffer offending, PathScratch.Frame frame) {
        PacketFacts facts = frame.facts;
        int icmp = facts.family == AddressFamily.INET ? IcmpMessages.IPPROTO_ICMP : IcmpMessages.IPPROTO_ICMPV6;
        if (facts.protocol != icmp || facts.packetLength <= facts.headerLength || facts.fragmentOffset != 0) {
            // A later fragment's first byte is not an ICMP type: it cannot be told to be an error message.
            return false;
        }
        MemorySegment start = offending.getDataBuffer(facts.headerLength + 1, frame.window, 1, 0);
        // A type that cannot be read is treated as an error message: better silent than a storm.
        return start == null
                || IcmpMessages.isError(
                        facts.family, Byte.toUnsignedInt(start.get(ValueLayout.JAVA_BYTE, facts.headerLength)));
    }

    /**
     * {@link IpStack#sendIcmpError(NetBufferList, int, IcmpErrorKind, int)}: parses {@code offending} and
     * sends the error about it as if it had arrived on {@code arrival} (null: an unknown interface).
     */
    int sendIcmpError(NetBufferList offending, @Nullable IpInterface arrival, IcmpErrorKind kind, int parameter) {
        NetBuffer nb = offending.firstNetBuffer();
        if (arrival == null || nb == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            int available = Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = available == 0 ? null : nb.getDataBuffer(available, frame.window, 1, 0);
            if (header == null || PacketParser.parse(header, available, nb.dataLength(), frame.facts) != null) {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            sendIcmpError(nb, frame, arrival, kind, parameter, true);
            return NtStatus.STATUS_SUCCESS;
        } finally {
            PathScratch.exit(frame);
            Irql.lower(previous);
        }
    }
}
