package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ndis.NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ndis.NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES;
import static org.nbl4j.stack.ndis.NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * The IP receive path (tcpip.sys's receive of IP datagrams from the framing layer): takes the NBLs an adapter
 * indicates (copying those indicated with RESOURCES set), validates each packet, and sends it on to
 * {@link LocalDelivery} when it is for this host, through the host model's pass-through when it is for another
 * interface's address ({@link HostModel}), or to the {@link ForwardPath}. Network-receive injections enter here too.
 */
final class ReceivePath {
    /** Bytes of a received packet copied for parsing at first: the longest IPv4 header and then some. */
    static final int FIRST_WINDOW = 128;

    private final InterfaceTable table;
    private final GeneratedPackets generatedPackets;
    private final NblHolds holds;
    private final IpCounters counters;
    private final PathInspection inspection;
    private final LocalDelivery delivery;
    private final ForwardPath forward;
    private final LocalSend send;
    private final HostTransport host;
    private final Segmenter segmenter;
    private volatile OffloadMode offloadMode = OffloadMode.OFF;

    ReceivePath(IpPaths paths) {
        this.table = paths.table;
        this.generatedPackets = paths.generatedPackets;
        this.holds = paths.holds;
        this.counters = paths.counters;
        this.inspection = paths.inspection;
        this.delivery = paths.delivery;
        this.forward = paths.forward;
        this.send = paths.send;
        this.host = paths.host;
        this.segmenter = paths.segmenter;
    }

    OffloadMode offloadMode() {
        return offloadMode;
    }

    void setOffloadMode(OffloadMode mode) {
        offloadMode = mode;
    }

    /**
     * {@code ProtocolReceiveNetBufferLists}: each NBL of the chain is taken (with RESOURCES set, copied) and received
     * on the binding's interface. Nothing is received on a binding without an interface: its NBLs go back at once.
     * What the chain causes to be sent is gathered per egress and sent once the last NBL is done ({@link EgressGather}).
     */
    void receive(ProtocolBinding binding, NetBufferList chain, int portNumber, int receiveFlags) {
        boolean atDispatch = (receiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0;
        boolean resources = (receiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
        IpInterface arrival = table.of(binding);
        // What the chain's packets send leaves per egress as one chain when the whole indication is done.
        EgressGather gather = EgressGather.current();
        gather.open(atDispatch);
        try {
            receiveEach(binding, chain, arrival, portNumber, atDispatch, resources);
        } finally {
            gather.close();
        }
    }

    private void receiveEach(
            ProtocolBinding binding,
            NetBufferList chain,
            @Nullable IpInterface arrival,
            int portNumber,
            boolean atDispatch,
            boolean resources) {
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
                    holds.adopt(nbl, NblRole.INDICATED, binding);
                    received(nbl, arrival, portNumber, atDispatch);
                }
            }
            nbl = next;
        }
    }

    /** Processes one held packet and drops the hold of that work. */
    void received(NetBufferList nbl, IpInterface arrival, int subInterface, boolean atDispatch) {
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            arrival.countIn(nb == null ? 0 : nb.dataLength());
            if (nb != null && OffloadInfo.coalescedSegmentCount(nbl) != 0 && !keepsCoalesced(arrival)) {
                receiveSegments(nbl, nb, arrival, subInterface, atDispatch);
            } else {
                receivePacket(nbl, arrival, subInterface, atDispatch);
            }
        } finally {
            holds.release(nbl, atDispatch);
        }
    }

    /**
     * Whether a coalesced packet arriving on {@code arrival} stays coalesced: the offload mode allows it there
     * ({@link OffloadMode#keepsCoalesced}), no callout refuses large packets, and NDIS left RSC on for the adapter (no
     * filter of NDIS 6.20 or lower in its stack).
     */
    private boolean keepsCoalesced(IpInterface arrival) {
        return offloadMode.keepsCoalesced(arrival.forwarding())
                && inspection.hook().allowsCoalescedPackets()
                && arrival.binding().receiveSegmentCoalescing();
    }

    /**
     * RSC is off where this packet arrived: it goes up as the segments the NIC would have indicated without
     * coalescing, each copied into a packet of its own with full checksums, in order. A packet that is not TCP or UDP
     * over IPv4 or plain IPv6 is received as it is.
     */
    private void receiveSegments(
            NetBufferList nbl, NetBuffer nb, IpInterface arrival, int subInterface, boolean atDispatch) {
        int headers = Segmenter.headersLength(nb);
        if (headers == 0 || nb.dataLength() <= headers) {
            receivePacket(nbl, arrival, subInterface, atDispatch);
            return;
        }
        int mss = Segmenter.segmentSize(nbl, nb.dataLength() - headers);
        NetBufferList segment = segmenter.segmentCopies(nbl, headers, mss);
        if (segment == null) {
            counters.discard(IpDiscardReason.ALLOCATION_FAILURE);
            return;
        }
        // Every segment's checksums are whole now: what the NIC checked still holds, nothing is partial.
        int checksum = OffloadInfo.receiveChecksum(nbl)
                & ~(OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID | OffloadInfo.RECEIVE_IP_CHECKSUM_VALUE_INVALID);
        while (segment != null) {
            NetBufferList next = segment.next();
            segment.setNext(null);
            OffloadInfo.setChecksum(segment, checksum);
            OffloadInfo.setCoalesced(segment, 0, 0);
            try {
                receivePacket(segment, arrival, subInterface, atDispatch);
            } finally {
                holds.release(segment, atDispatch);
            }
            segment = next;
        }
    }

    /** A copy of a packet indicated with RESOURCES set, held as the stack's own; null when memory ran out. */
    private @Nullable NetBufferList copyOf(NetBufferList nbl, ProtocolBinding binding) {
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null || nb.dataLength() == 0) {
            return null;
        }
        NetBufferList copy = generatedPackets.allocate(nb.dataLength(), IpPoolTags.RECEIVE_COPY);
        if (copy == null) {
            return null;
        }
        holds.adopt(copy, NblRole.GENERATED, copy.protocolReserved()[NblHolds.SLOT_TARGET]);
        NetBuffer.copy(copy.firstNetBuffer(), 0, nb.dataLength(), nb, 0);
        // What the NIC said of the packet holds for the copy: checked checksums, coalescing.
        OffloadInfo.setChecksum(copy, OffloadInfo.receiveChecksum(nbl));
        OffloadInfo.setCoalesced(
                copy,
                OffloadInfo.coalescedSegmentCount(nbl),
                OffloadInfo.duplicateAckCount(nbl),
                OffloadInfo.coalescedSegmentSize(nbl));
        return copy;
    }

    /** Validates a held packet that arrived on {@code arrival}, then delivers or forwards it. */
    private void receivePacket(NetBufferList nbl, IpInterface arrival, int subInterface, boolean atDispatch) {
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            PacketFacts facts = frame.facts;
            if (nb == null || nb.next() != null) {
                facts.clearHeader(AddressFamily.INET);
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
            NblHolds.trimPadding(nbl, nb, facts.packetLength);
            if (arrival == host.applications()) {
                // Host role: what the applications send leaves this host through the transport boundary.
                host.send(nbl, nb, frame, atDispatch);
                return;
            }
            InterfaceAddress local =
                    arrival.compartment().localAddress(facts.family, facts.destinationHigh, facts.destinationLow);
            if (local != null && local.ipInterface() != arrival) {
                receivePassThrough(nbl, nb, frame, arrival, subInterface, local.ipInterface(), atDispatch);
            } else if (local != null
                    || IpAddresses.isMulticastOrBroadcast(facts.family, facts.destinationHigh, facts.destinationLow)) {
                delivery.deliverLocally(nbl, nb, frame.window, frame, arrival, subInterface, atDispatch);
            } else {
                forward.forward(nbl, nb, frame.window, frame, arrival, subInterface, atDispatch);
            }
        } finally {
            PathScratch.exit(frame);
        }
    }

    /**
     * A packet for an address of {@code addressInterface}, not the interface it arrived on ({@link HostModel}):
     * dropped under the strong host model, else shown at IPFORWARD with IS_INBOUND_PASS_THRU and delivered as if it
     * had arrived on {@code addressInterface}.
     */
    private void receivePassThrough(
            NetBufferList nbl,
            NetBuffer nb,
            PathScratch.Frame frame,
            IpInterface arrival,
            int subInterface,
            IpInterface addressInterface,
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
        facts.setDestinationInterfaceIndex(addressInterface.interfaceIndex());
        if (inspection.classify(HookPoint.IPFORWARD, nbl, frame)) {
            delivery.deliverLocally(nbl, nb, frame.window, frame, addressInterface, 0, atDispatch);
        }
    }

    /**
     * Copies a received packet's first bytes into the frame's window and parses them. Copied even when they are
     * contiguous in the packet: NdisGetDataBuffer's in-place answer would be a new MemorySegment slice per packet, the
     * receive path's only heap allocation; changes to the window are written back ({@link ForwardPath#changeHopLimit}), as for a
     * header that spans MDLs. The first {@value #FIRST_WINDOW} bytes hold every IPv4 header and the usual IPv6
     * extension headers; only when those run past them is the rest of the {@link PacketParser#PARSE_WINDOW} copied.
     */
    static @Nullable IpDiscardReason parseReceived(NetBuffer nb, PathScratch.Frame frame) {
        int dataLength = nb.dataLength();
        if (dataLength == 0) {
            return IpDiscardReason.BAD_LENGTH;
        }
        int whole = Math.min(dataLength, PacketParser.PARSE_WINDOW);
        int available = Math.min(whole, FIRST_WINDOW);
        nb.copyTo(0, frame.window, 0, available);
        IpDiscardReason invalid = PacketParser.parse(frame.window, available, dataLength, frame.facts);
        boolean notContiguous = invalid == IpDiscardReason.HEADER_NOT_CONTIGUOUS
                || frame.facts.deliveryProblem == IpDiscardReason.HEADER_NOT_CONTIGUOUS;
        if (notContiguous && available < whole) {
            nb.copyTo(available, frame.window, available, whole - available);
            invalid = PacketParser.parse(frame.window, whole, dataLength, frame.facts);
        }
        return invalid;
    }
}
