package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongSupplier;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * The forward path (tcpip.sys's IP forwarding): scope, route lookup, TTL/hop limit, IPFORWARD, then send as is,
 * fragment or refuse for the MTU, with the ICMP errors each drop calls for ({@link LocalSend}); and fragment grouping
 * at the forward layer ({@link ForwardFragmentGrouping}, Windows' {@code groupforwardedfragments}) when it is on.
 */
final class ForwardPath {
    private final IpCounters counters;
    private final NblHolds holds;
    private final PathInspection inspection;
    private final Fragmenter fragmenter;
    private final Segmenter segmenter;
    private final Transmitter transmitter;
    private final LocalSend send;
    private final ForwardFragmentGrouping grouping;
    private final LongSupplier nanoClock;
    private volatile boolean groupForwardedFragments;

    ForwardPath(IpPaths paths, ForwardFragmentGrouping grouping) {
        this.counters = paths.counters;
        this.holds = paths.holds;
        this.inspection = paths.inspection;
        this.fragmenter = paths.fragmenter;
        this.segmenter = paths.segmenter;
        this.transmitter = paths.transmitter;
        this.send = paths.send;
        this.grouping = grouping;
        this.nanoClock = paths.nanoClock;
    }

    /**
     * Forwards a held packet that arrived on {@code arrival} and is not for this host, parsed into {@code frame} from
     * {@code header}, its first bytes (the order in {@link IpStack}'s Javadoc).
     */
    void forward(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            boolean atDispatch) {
        PacketFacts facts = frame.facts;
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
        if (IpAddresses.isLinkLocal(facts.family, facts.destinationHigh, facts.destinationLow)
                || IpAddresses.isLinkLocal(facts.family, facts.sourceHigh, facts.sourceLow)) {
            dropBeyondScope(nbl, nb, frame, arrival, subInterface, atDispatch);
            return;
        }
        Route route = arrival.compartment().lookup(facts.family, facts.destinationHigh, facts.destinationLow);
        if (route == null) {
            inspection.discard(HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.NO_ROUTE);
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.NO_ROUTE, 0, atDispatch);
            return;
        }
        IpInterface egress = route.egress();
        if (facts.hopLimit <= 1) {
            inspection.discard(
                    HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.HOP_LIMIT_EXCEEDED);
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.HOP_LIMIT_EXCEEDED, 0, atDispatch);
            return;
        }
        changeHopLimit(nb, header, frame, facts.family == AddressFamily.INET, -1);
        fillForwardFacts(frame, arrival, subInterface, egress);
        boolean continues = inspection.classify(HookPoint.IPFORWARD, nbl, frame);
        if (facts.fragment && groupForwardedFragments) {
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
        PacketFacts facts = frame.facts;
        boolean v4 = facts.family == AddressFamily.INET;
        int mtu = egress.mtu();
        if (OffloadInfo.coalescedSegmentCount(nbl) != 0) {
            sendCoalesced(nbl, nb, header, frame, arrival, subInterface, egress, atDispatch);
            return;
        }
        if (OffloadInfo.receiveChecksum(nbl) != 0) {
            // The slot holds what the arrival's NIC said; on the way out it must say what the egress's NIC is to do.
            EgressOffloads.toTransmitChecksum(nbl, nb, frame, egress);
        }
        if (facts.packetLength <= mtu) {
            counters.count(IpCounters.FORWARDED);
            transmitter.transmit(nbl, egress, frame, atDispatch);
            return;
        }
        if (v4 && !facts.dontFragment) {
            NetBufferList fragments = fragmenter.fragment(nbl, header, facts.headerLength, mtu);
            if (fragments == null) {
                inspection.discard(
                        HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.ALLOCATION_FAILURE);
                return;
            }
            counters.count(IpCounters.FORWARDED);
            transmitter.transmit(fragments, egress, frame, atDispatch);
            holds.release(fragments, atDispatch);
            return;
        }
        inspection.discard(
                HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED);
        // The error quotes the packet as it arrived (RFC 1812 §4.3.2.3): undo the decrement first.
        changeHopLimit(nb, header, frame, v4, +1);
        send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.PACKET_TOO_BIG, mtu, atDispatch);
    }

    /**
     * Forwards a coalesced packet ({@link OffloadMode#THROUGHPUT}), whose TTL has been changed once for all its
     * segments: never IP-fragmented, and the MTU is checked against one segment (its headers and the segment size
     * {@link Segmenter#segmentSize} gives: the sender's where the miniport carried it, else an even split of the payload
     * into {@code CoalescedSegCount}, as NDIS RSC carries no MSS). Where the egress has LSO for the family the packet
     * leaves whole as an LSOv2 send; otherwise, or for UDP, it is cut in software. When one segment does not fit the
     * egress MTU the packet is refused as one with DF set would be (TCP sets DF; nbl4j never fragments a
     * super-packet), with a packet-too-big error that lowers the sender's MSS.
     */
    private void sendCoalesced(
            NetBufferList nbl,
            NetBuffer nb,
            MemorySegment header,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            boolean atDispatch) {
        PacketFacts facts = frame.facts;
        boolean v6 = facts.family == AddressFamily.INET6;
        int headers = Segmenter.headersLength(nb);
        int mss =
                headers == 0 || nb.dataLength() <= headers ? 0 : Segmenter.segmentSize(nbl, nb.dataLength() - headers);
        OffloadInfo.setCoalesced(nbl, 0, 0);
        if (mss == 0) {
            // Not TCP or UDP after all: an ordinary packet.
            OffloadInfo.setChecksum(nbl, 0);
            sendForwarded(nbl, nb, header, frame, arrival, subInterface, egress, atDispatch);
            return;
        }
        if (headers + mss > egress.mtu()) {
            inspection.discard(
                    HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED);
            changeHopLimit(nb, header, frame, !v6, +1);
            send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.PACKET_TOO_BIG, egress.mtu(), atDispatch);
            return;
        }
        if (EgressOffloads.toLargeSend(nbl, nb, frame, egress, mss)) {
            counters.count(IpCounters.FORWARDED);
            counters.count(IpCounters.LARGE_SENDS);
            transmitter.transmit(nbl, egress, frame, atDispatch);
            return;
        }
        NetBufferList cut = segmenter.segmentForSend(nbl, headers, mss);
        if (cut == null) {
            inspection.discard(
                    HookPoint.IPFORWARD, nbl, frame, arrival, subInterface, IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        OffloadInfo.setChecksum(nbl, 0);
        counters.count(IpCounters.FORWARDED);
        transmitter.transmit(cut, egress, frame, atDispatch);
        holds.release(cut, atDispatch);
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
        PacketFacts facts = frame.facts;
        if (facts.family == AddressFamily.INET6
                && !IpAddresses.isLinkLocal(facts.family, facts.destinationHigh, facts.destinationLow)) {
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
        frame.facts.hopLimit += delta;
        if (header == frame.window) {
            // NdisGetDataBuffer copied the header: write the changed bytes back into the packet.
            nb.copyFrom(0, header, 0, v4 ? Ipv4Header.SOURCE : Ipv6Header.SOURCE);
        }
    }

    // ---- fragment grouping at the forward layer (wfp-callouts-and-injection §5.6 item 3) ----

    /** Whether forwarded fragments are grouped at IPFORWARD. */
    boolean groupForwardedFragments() {
        return groupForwardedFragments;
    }

    /** {@link IpStack#setGroupForwardedFragments}: switching it off drops the fragments held in incomplete groups. */
    void setGroupForwardedFragments(boolean on) {
        groupForwardedFragments = on;
        if (!on) {
            dropAllGroups(false);
        }
    }

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
        expireGroups(now, atDispatch);
        holds.hold(nbl);
        ForwardFragmentGrouping.Added added = grouping.add(
                arrival.compartment().id(), frame.facts, nbl, arrival, subInterface, egress, continues, now);
        switch (added.outcome()) {
            case HELD -> {}
            case NOT_GROUPED -> {
                holds.release(nbl, atDispatch);
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
            facts.setConditionFlags(IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP);
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
                } else if (NblHolds.role(member.nbl()) == NblRole.INJECTED) {
                    member.nbl().setStatus(NtStatus.STATUS_UNSUCCESSFUL);
                }
            } finally {
                holds.release(member.nbl(), atDispatch);
            }
        }
    }

    /** Sends a member of a complete group: parsed again, as the frame of its own arrival is gone. */
    private void sendHeldFragment(ForwardFragmentGrouping.Member member, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBufferList nbl = member.nbl();
            NetBuffer nb = nbl.firstNetBuffer();
            IpDiscardReason invalid = ReceivePath.parseReceived(nb, frame);
            if (invalid != null) {
                // A callout changed the held bytes.
                inspection.discard(HookPoint.IPFORWARD, nbl, frame, member.arrival(), member.subInterface(), invalid);
                return;
            }
            sendForwarded(
                    nbl, nb, frame.window, frame, member.arrival(), member.subInterface(), member.egress(), atDispatch);
        } finally {
            PathScratch.exit(frame);
        }
    }

    /** Drops the groups older than the reassembly timeout at {@code now}. */
    void expireGroups(long now, boolean atDispatch) {
        dropFragmentGroups(grouping.expire(now), atDispatch);
    }

    /** Drops every group held. */
    void dropAllGroups(boolean atDispatch) {
        dropFragmentGroups(grouping.removeAll(), atDispatch);
    }

    /** Drops the members of incomplete groups, counted as fragments that timed out (FIRST_FRAGMENT_INCOMPLETE). */
    private void dropFragmentGroups(List<ForwardFragmentGrouping.Member> members, boolean atDispatch) {
        for (ForwardFragmentGrouping.Member member : members) {
            counters.discard(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE);
            if (NblHolds.role(member.nbl()) == NblRole.INJECTED) {
                member.nbl().setStatus(NtStatus.STATUS_UNSUCCESSFUL);
            }
            holds.release(member.nbl(), atDispatch);
        }
    }
}
