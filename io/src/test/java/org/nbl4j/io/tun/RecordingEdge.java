package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferLists;
import org.nbl4j.stack.ndis.Miniport;
import org.nbl4j.stack.ndis.MiniportEdge;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * The NDIS side of a miniport under test: records every indication (a copy of each packet, the flags, the queue's
 * NBLs it keeps) and every send completion, and returns what it keeps when the test says so. Single-threaded: the
 * tests serve queues and send from one thread, except where noted.
 */
final class RecordingEdge implements MiniportEdge {
    /** One indicated packet. */
    record Received(byte[] bytes, int receiveFlags) {}

    private final Ndis ndis;
    private @Nullable Object miniport;
    final List<Received> received = new ArrayList<>();
    final List<Integer> indicationFlags = new ArrayList<>();
    private final List<NetBufferList> held = new ArrayList<>();
    final List<NetBufferList> completed = new ArrayList<>();
    final List<Integer> completionFlags = new ArrayList<>();
    private int totalCompleted;

    RecordingEdge(Ndis ndis) {
        this.ndis = ndis;
    }

    /** The miniport whose NBLs must carry it as SourceHandle. */
    void expectSource(Object miniport) {
        this.miniport = miniport;
    }

    /** One {@code NdisMOidRequestComplete}. */
    record OidCompletion(OidRequest request, int status) {}

    /** Every OID completion, in order; written on the serving thread or the cancelling one. */
    final List<OidCompletion> oidCompletions = new CopyOnWriteArrayList<>();
    /** Every status indication, in order. */
    final List<StatusIndication> statusIndications = new CopyOnWriteArrayList<>();

    @Override
    public void oidRequestComplete(OidRequest request, int status) {
        oidCompletions.add(new OidCompletion(request, status));
    }

    @Override
    public void indicateStatus(StatusIndication indication) {
        assertSame(this, indication.sourceHandle(), "the MiniportAdapterHandle indicates");
        statusIndications.add(indication);
    }

    @Override
    public Ndis ndis() {
        return ndis;
    }

    @Override
    public void indicateReceiveNetBufferLists(
            NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        assertEquals(NetBufferLists.count(chain), numberOfNetBufferLists, "NumberOfNetBufferLists");
        assertEquals(0, portNumber, "default port");
        assertTrue(
                (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0,
                "indications run on the queue's DPC");
        indicationFlags.add(receiveFlags);
        boolean mayKeep = (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES) == 0;
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            assertSame(this, nbl.sourceHandle(), "SourceHandle of an indicated NBL: the MiniportAdapterHandle");
            NetBuffer nb = nbl.firstNetBuffer();
            assertNotNull(nb);
            received.add(new Received(nb.toByteArray(), receiveFlags));
            if (mayKeep) {
                held.add(nbl);
            }
        }
    }

    @Override
    public void sendNetBufferListsComplete(NetBufferList chain, int sendCompleteFlags) {
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            nbl.setNext(null);
            completed.add(nbl);
            completionFlags.add(sendCompleteFlags);
            totalCompleted++;
            nbl = next;
        }
    }

    /** How many sends have completed since the start, whether or not the test released them yet. */
    int totalCompleted() {
        return totalCompleted;
    }

    /** How many indicated NBLs the edge keeps. */
    int held() {
        return held.size();
    }

    /** Returns every kept NBL to the miniport in one chain ({@code NdisReturnNetBufferLists}). */
    void returnHeld(Miniport to) {
        if (held.isEmpty()) {
            return;
        }
        NetBufferList head = null;
        for (int i = held.size() - 1; i >= 0; i--) {
            NetBufferList nbl = held.get(i);
            nbl.setNext(head);
            head = nbl;
        }
        held.clear();
        to.returnNetBufferLists(head, 0);
    }
}
