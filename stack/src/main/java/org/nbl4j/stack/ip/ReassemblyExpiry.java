package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Reassembly time (tcpip.sys's reassembly timeout): ages out incomplete datagrams of the {@link Reassembler}, with an
 * ICMP Time Exceeded (code 1) toward the source of those whose first fragment had arrived, and the forward layer's
 * incomplete fragment groups ({@link ForwardPath}). Runs on each local fragment's arrival and when the user calls
 * {@link IpStack#expireReassembly}.
 */
final class ReassemblyExpiry {
    private final Reassembler reassembler;
    private final ForwardPath forward;
    private final LocalSend send;
    private final InterfaceTable table;
    private final IpCounters counters;

    ReassemblyExpiry(IpPaths paths) {
        this.reassembler = paths.reassembler;
        this.forward = paths.forward;
        this.send = paths.send;
        this.table = paths.table;
        this.counters = paths.counters;
    }

    /** {@link IpStack#expireReassembly}: the forward layer's fragment groups first, then the reassembly table. */
    void expire(long nowNanos, boolean dispatchLevel) {
        forward.expireGroups(nowNanos, dispatchLevel);
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
            if (PacketParser.parse(header, available, nb.dataLength(), frame.facts) != null) {
                return;
            }
            IpInterface arrival = table.destinationInterface(frame.facts);
            if (arrival != null) {
                // The quote is the first fragment's start; it is sent as a whole packet, not as a fragment.
                frame.facts.fragment = false;
                send.sendIcmpError(nb, frame, arrival, IcmpErrorKind.REASSEMBLY_TIME_EXCEEDED, 0, atDispatch);
            }
        } finally {
            PathScratch.exit(frame);
        }
    }
}
