package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ndis.NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ndis.NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL;

import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * The IP layer's hand-off to the adapters below (tcpip.sys's framing layer): every path that sends a packet, forwarded,
 * originated or injected, ends in {@link #transmit}, and the adapter's send completion comes back through
 * {@link #sendComplete}, where the send's hold is dropped. While the thread works on a receive indication the packet
 * joins its egress's chain ({@link EgressGather}), sent when the indication is done; otherwise it goes down at once.
 */
final class Transmitter {
    private final NblHolds holds;

    Transmitter(NblHolds holds) {
        this.holds = holds;
    }

    /**
     * Sends a held NBL (one, not a chain) out of an interface; the send holds it until its completion. {@code frame}
     * is the sending thread's (any depth): it carries the thread's gather, so no thread-local lookup is made per
     * packet.
     */
    void transmit(NetBufferList nbl, IpInterface egress, PathScratch.Frame frame, boolean atDispatch) {
        ProtocolBinding binding = egress.binding();
        holds.hold(nbl);
        NblHolds.saveSourceHandle(nbl, binding);
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            egress.countOut(nb.dataLength());
        }
        if (!frame.gather.add(nbl, egress)) {
            binding.sendNetBufferLists(nbl, 0, atDispatch ? NDIS_SEND_FLAGS_DISPATCH_LEVEL : 0);
        }
    }

    /**
     * A chain of sent NBLs completed ({@code ProtocolSendNetBufferListsComplete}): a fragment's failure becomes its
     * parent's status, and each NBL's send hold is dropped.
     */
    void sendComplete(NetBufferList chain, int sendCompleteFlags) {
        boolean atDispatch = (sendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0;
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            nbl.setNext(null);
            NblHolds.restoreSourceHandle(nbl);
            NetBufferList parent = nbl.parent();
            if (NblHolds.role(nbl) == NblRole.FRAGMENT && parent != null && nbl.status() != NtStatus.STATUS_SUCCESS) {
                parent.setStatus(nbl.status());
            }
            holds.release(nbl, atDispatch);
            nbl = next;
        }
    }
}
