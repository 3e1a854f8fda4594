package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * Local delivery (tcpip.sys's receive path for locally destined datagrams): a packet for this host is checked as only
 * its destination checks it, shown at INBOUND_IPPACKET, reassembled if it is a fragment ({@link Reassembler}; the
 * datagram shown again with IS_REASSEMBLED) and handed to its protocol ({@link LocalProtocols}), whose answers
 * (echo replies, ICMP errors, TCP resets) {@link LocalSend} sends.
 */
final class LocalDelivery {
    private final IpCounters counters;
    private final NblHolds holds;
    private final PathInspection inspection;
    private final Reassembler reassembler;
    private final ReassemblyExpiry expiry;
    private final LocalSend send;
    private final HostTransport host;
    private final LongSupplier nanoClock;

    LocalDelivery(IpPaths paths) {
        this.counters = paths.counters;
        this.holds = paths.holds;
        this.inspection = paths.inspection;
        this.reassembler = paths.reassembler;
        this.expiry = paths.expiry;
        this.send = paths.send;
        this.host = paths.host;
        this.nanoClock = paths.nanoClock;
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
        int headerLength = facts.headerLength;
        HookVerdict verdict;
        nb.advance(headerLength, false, null);
        try {
            verdict = inspection.hook().classify(HookPoint.INBOUND_IPPACKET, nbl, facts);
        } finally {
            nb.retreat(headerLength, 0, null);
        }
        return inspection.continues(verdict, HookPoint.INBOUND_IPPACKET, nbl, frame);
    }

    /**
     * Delivers a held packet for this host (or a multicast or broadcast one), parsed into {@code frame} from
     * {@code header}, its first bytes; {@code arrival} is the interface it arrived on, or the one whose address it is
     * for after a pass-through.
     */
    void deliverLocally(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        PacketFacts facts = frame.facts;
        if (refusedAtDestination(nbl, nb, frame, arrival, subInterface, atDispatch)) {
            return;
        }
        if (!facts.fragment) {
            if (showInbound(nbl, nb, frame, arrival, subInterface, 0)) {
                deliver(nbl, nb, frame, arrival, subInterface, atDispatch);
            }
            return;
        }
        if (!showInbound(nbl, nb, frame, arrival, subInterface, 0)) {
            return;
        }
        long now = nanoClock.getAsLong();
        expiry.expire(now, atDispatch);
        frame.completed = null;
        Reassembler.Outcome outcome = reassembler.add(arrival.compartment().id(), facts, header, nb, now, frame);
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
            IpDiscardReason invalid = PacketParser.parse(header, available, nb.dataLength(), frame.facts);
            if (invalid != null) {
                inspection.discard(HookPoint.INBOUND_IPPACKET, whole, frame, arrival, subInterface, invalid);
            } else if (!refusedAtDestination(whole, nb, frame, arrival, subInterface, atDispatch)
                    && showInbound(
                            whole, nb, frame, arrival, subInterface, IpStack.FWP_CONDITION_FLAG_IS_REASSEMBLED)) {
                deliver(whole, nb, frame, arrival, subInterface, atDispatch);
            }
        } finally {
            PathScratch.exit(frame);
            holds.release(whole, atDispatch);
        }
    }

    /**
     * The checks only a packet's destination makes (RFC 8200 §4 extension headers, fragment lengths): if one failed
     * ({@link PacketFacts#deliveryProblem}), drops the packet at INBOUND_IPPACKET's twin with the ICMP error it calls
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
        IpDiscardReason problem = frame.facts.deliveryProblem;
        if (problem == null) {
            return false;
        }
        inspection.discard(HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, problem);
        send.reportProblem(nb, frame, arrival, atDispatch);
        return true;
    }

    /**
     * Hands a packet for this host to its protocol: in the host role to the applications ({@link HostTransport}), else
     * to {@link LocalProtocols} (there are no sockets): echo requests are
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
        PacketFacts facts = frame.facts;
        if (host.applications() != null) {
            // Host role: the applications' own stack answers, behind the transport boundary.
            host.receive(nbl, nb, frame, arrival, subInterface, atDispatch);
            return;
        }
        switch (LocalProtocols.classify(nb, facts, frame.window, OffloadInfo.receiveChecksum(nbl))) {
            case ECHO_REQUEST -> {
                delivered(nbl);
                send.sendEchoReply(nb, frame, arrival, facts.packetLength - facts.headerLength, atDispatch);
            }
            case CONSUMED -> delivered(nbl);
            case UDP_NO_RECEIVER -> {
                refuse(nbl, frame, arrival, subInterface, IpDiscardReason.PORT_UNREACHABLE);
                send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.PORT_UNREACHABLE, 0, atDispatch);
            }
            case TCP_NO_CONNECTION -> {
                refuse(nbl, frame, arrival, subInterface, IpDiscardReason.PORT_UNREACHABLE);
                // The window holds the segment's TCP header (LocalProtocols.classify put it there).
                send.sendTcpReset(frame, arrival, atDispatch);
            }
            case NO_PROTOCOL -> {
                refuse(nbl, frame, arrival, subInterface, IpDiscardReason.PROTOCOL_UNREACHABLE);
                send.sendIcmpError(
                        nb, frame, arrival, IcmpErrorKind.PROTOCOL_UNREACHABLE, facts.protocolField, atDispatch);
            }
            case BAD_CHECKSUM -> refuse(nbl, frame, arrival, subInterface, IpDiscardReason.BAD_CHECKSUM);
            case BAD_LENGTH -> refuse(nbl, frame, arrival, subInterface, IpDiscardReason.BAD_LENGTH);
        }
    }

    /** Drops a packet the transport refuses, at INBOUND_IPPACKET's discard twin (it was classified there already). */
    private void refuse(
            NetBufferList nbl, PathScratch.Frame frame, IpInterface arrival, int subInterface, IpDiscardReason reason) {
        inspection.discard(HookPoint.INBOUND_IPPACKET, nbl, frame, arrival, subInterface, reason);
    }

    private void delivered(NetBufferList nbl) {
        counters.count(IpCounters.DELIVERED);
        if (NblHolds.role(nbl) == NblRole.INJECTED) {
            nbl.setStatus(NtStatus.STATUS_SUCCESS);
        }
    }
}
