package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * The IP layer's side of WFP packet injection ({@link PacketInjection}: the paths that {@code FwpsInjectForwardAsync0},
 * {@code FwpsInjectNetworkSendAsync0} and {@code FwpsInjectNetworkReceiveAsync0} enter): checks and adopts the injected
 * NBL, then hands it to the {@link Transmitter} (forward: the packet is already forwarded and is never reclassified),
 * to {@link LocalSend} (network send) or to the {@link ReceivePath} (network receive), at DISPATCH_LEVEL.
 */
final class InjectionPaths {
    private final InterfaceTable table;
    private final NblHolds holds;
    private final IpCounters counters;
    private final Transmitter transmitter;
    private final LocalSend send;
    private final ReceivePath receive;
    private final HostTransport host;

    InjectionPaths(IpPaths paths) {
        this.table = paths.table;
        this.holds = paths.holds;
        this.counters = paths.counters;
        this.transmitter = paths.transmitter;
        this.send = paths.send;
        this.receive = paths.receive;
        this.host = paths.host;
    }

    /**
     * {@link PacketInjection#injectForward}: a pass-through packet or one longer than the MTU completes with an error
     * status; any other is sent out of the interface as it is, never shown to a hook again. A coalesced clone sent
     * with LSO counts as a large send, as the forward path's do.
     */
    int injectForward(
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
            boolean largeSend = prepareOffloads(nbl, nb, frame, egress);
            if (HostModel.isPassThrough(egress.compartment(), nb, family, frame.window)) {
                // A weak-host packet: accepted, but only network receive or send can carry it (§3.5, §9 item 20).
                nbl.setStatus(NtStatus.STATUS_INVALID_PARAMETER);
            } else if (longest > egress.mtu() && !largeSend) {
                // Injection does not fragment (§5.6): the injector answers with frag-needed / packet too big.
                nbl.setStatus(NtStatus.STATUS_INVALID_BUFFER_SIZE);
            } else {
                nbl.setStatus(NtStatus.STATUS_SUCCESS);
                counters.count(IpCounters.FORWARDED);
                if (largeSend) {
                    // A clone of a coalesced packet leaves whole, as the forward path's own do: counted alike.
                    counters.count(IpCounters.LARGE_SENDS);
                }
                transmitter.transmit(nbl, egress, frame, true);
            }
        } finally {
            PathScratch.exit(frame);
            holds.release(nbl, true);
            Irql.lower(previous);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * A forward-injected clone carries the info slots of the packet it was cloned from, as the arrival's NIC wrote
     * them: make them speak to the egress as the forward path does ({@link EgressOffloads}). A coalesced packet (a
     * callout that opted in to RSC cloned it) leaves with LSO where the egress has it and its segments fit the MTU;
     * otherwise it is refused for its size as before, since injection does not cut packets.
     *
     * @return whether the packet leaves as a large send
     */
    private static boolean prepareOffloads(
            NetBufferList nbl, NetBuffer nb, PathScratch.Frame frame, IpInterface egress) {
        int segments = OffloadInfo.coalescedSegmentCount(nbl);
        if ((OffloadInfo.receiveChecksum(nbl) == 0 && segments == 0)
                || nb == null
                || nb.next() != null
                || ReceivePath.parseReceived(nb, frame) != null) {
            return false;
        }
        if (segments != 0) {
            int headers = Segmenter.headersLength(nb);
            int mss = headers == 0 ? 0 : Segmenter.segmentSize(nbl, nb.dataLength() - headers);
            OffloadInfo.setCoalesced(nbl, 0, 0);
            if (headers != 0
                    && headers + mss <= egress.mtu()
                    && EgressOffloads.toLargeSend(nbl, nb, frame, egress, mss)) {
                return true;
            }
        }
        EgressOffloads.toTransmitChecksum(nbl, nb, frame, egress);
        return false;
    }

    /** {@link PacketInjection#injectNetworkSend}: routed in the compartment and sent as this host's own packet. */
    int injectNetworkSend(NetBufferList nbl, AddressFamily family, int compartmentId, PacketCompletion completion) {
        Compartment compartment = table.compartment(compartmentId);
        if (compartment == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        holds.adopt(nbl, NblRole.INJECTED, completion);
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            NetBuffer nb = nbl.firstNetBuffer();
            PacketFacts facts = frame.facts;
            int available = nb == null ? 0 : Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            MemorySegment header = available == 0 ? null : nb.getDataBuffer(available, frame.window, 1, 0);
            if (header == null
                    || nb.next() != null
                    || PacketParser.parse(header, available, nb.dataLength(), facts) != null
                    || facts.family != family) {
                holds.undoAdopt(nbl);
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            Route route = compartment.lookup(family, facts.destinationHigh, facts.destinationLow);
            if (route == null) {
                holds.undoAdopt(nbl);
                return NtStatus.STATUS_NOT_FOUND;
            }
            try {
                send.sendLocal(nbl, header, frame, route.egress(), true);
            } finally {
                holds.release(nbl, true);
            }
            return NtStatus.STATUS_SUCCESS;
        } finally {
            PathScratch.exit(frame);
            Irql.lower(previous);
        }
    }

    /**
     * {@link PacketInjection#injectTransportSend}: an IPv4 or IPv6 header is written into the NBL's headroom (the
     * host's default TTL or hop limit, 128 as Windows'; IPv4 Identification 0 with DF set; the transport checksum as
     * the callout left it), then the packet leaves as the applications' packets do ({@link HostTransport#send}).
     */
    int injectTransportSend(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            long endpointHandle,
            byte[] remoteAddress,
            PacketCompletion completion) {
        Flow flow = host.flows().byHandle(endpointHandle);
        NetBuffer nb = nbl.firstNetBuffer();
        int header = TransportPacketHeaders.length(family);
        if (flow == null
                || flow.family() != family
                || table.compartment(compartmentId) == null
                || nb == null
                || nb.next() != null
                || remoteAddress.length != (family == AddressFamily.INET ? 4 : 16)
                || nb.dataOffset() < header
                || nb.dataLength() + header > 0xFFFF) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        holds.adopt(nbl, NblRole.INJECTED, completion);
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            nb.retreat(header, 0, null);
            MemorySegment window = frame.window;
            TransportPacketHeaders.write(
                    window, family, flow.protocol(), flow.localHigh, flow.localLow, remoteAddress, nb.dataLength());
            nb.copyFrom(0, window, 0, header);
            int available = Math.min(nb.dataLength(), PacketParser.PARSE_WINDOW);
            nb.copyTo(0, window, 0, available);
            if (PacketParser.parse(window, available, nb.dataLength(), frame.facts) != null) {
                nb.advance(header, false, null);
                holds.undoAdopt(nbl);
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            nbl.setStatus(NtStatus.STATUS_SUCCESS);
            try {
                host.send(nbl, nb, frame, true);
            } finally {
                holds.release(nbl, true);
            }
            return NtStatus.STATUS_SUCCESS;
        } finally {
            PathScratch.exit(frame);
            Irql.lower(previous);
        }
    }

    /** {@link PacketInjection#injectNetworkReceive}: received as if the interface had indicated it. */
    int injectNetworkReceive(
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
            receive.received(nbl, arrival, subInterfaceIndex, true);
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
        IpInterface target = table.byIndex(interfaceIndex);
        if (target == null || target.compartment().id() != InterfaceTable.effectiveCompartmentId(compartmentId)) {
            return null;
        }
        holds.adopt(nbl, NblRole.INJECTED, completion);
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null || !startsWithVersion(nb, family)) {
            holds.undoAdopt(nbl);
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
            PathScratch.exit(frame);
        }
    }
}
