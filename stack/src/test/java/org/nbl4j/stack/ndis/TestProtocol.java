package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.verify.Irql;

/**
 * A protocol for the tests: sends packets from its own pool, records what it receives (bytes, flags, IRQL) and which
 * sends come back with which status, and returns or holds indications.
 */
final class TestProtocol implements Protocol, AutoCloseable {
    record Received(byte[] bytes, int flags, @Nullable Object source, Irql irql, String thread) {}

    /**
     * A send that came back, read before its NBL was freed; {@code payloadSent} is the completed LSO slot's
     * {@code LsoV1TransmitComplete.TcpPayload}.
     */
    record Completed(NetBufferList nbl, byte[] bytes, int status, int payloadSent) {}

    private final NetBufferListPool pool;
    private final List<String> log;
    private @Nullable ProtocolBinding binding;
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    final List<Completed> completed = Collections.synchronizedList(new ArrayList<>());
    final List<NetBufferList> held = Collections.synchronizedList(new ArrayList<>());
    volatile boolean hold;

    TestProtocol(Ndis ndis, List<String> log) {
        this.pool = Stacks.dataPool(ndis, "Tprt");
        this.log = log;
    }

    void bindTo(Adapter adapter) {
        adapter.bind(this);
        binding = adapter;
    }

    ProtocolBinding binding() {
        ProtocolBinding bound = binding;
        assertNotNull(bound);
        return bound;
    }

    /** An NBL with the packet and SourceHandle = the binding, as §6.5 asks of a protocol. */
    NetBufferList packet(byte[] bytes) {
        return Stacks.packet(pool, bytes, binding());
    }

    NetBufferList send(byte[] bytes) {
        NetBufferList nbl = packet(bytes);
        binding().sendNetBufferLists(nbl, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, 0);
        return nbl;
    }

    @Override
    public void receiveNetBufferLists(
            ProtocolBinding from, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            log.add("protocol receive");
            received.add(new Received(
                    Stacks.bytes(nbl),
                    receiveFlags,
                    nbl.sourceHandle(),
                    Irql.current(),
                    Thread.currentThread().getName()));
        }
        if (NdisFlags.receiveCannotPend(receiveFlags)) {
            return;
        }
        if (hold) {
            held.addAll(Stacks.list(chain));
            return;
        }
        from.returnNetBufferLists(
                chain,
                (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0
                        ? NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                        : 0);
    }

    /** Returns what it held, from PASSIVE_LEVEL. */
    void returnHeld() {
        List<NetBufferList> nbls;
        synchronized (held) {
            nbls = new ArrayList<>(held);
            held.clear();
        }
        if (!nbls.isEmpty()) {
            binding().returnNetBufferLists(Stacks.chain(nbls.toArray(NetBufferList[]::new)), 0);
        }
    }

    @Override
    public void sendNetBufferListsComplete(ProtocolBinding from, NetBufferList chain, int sendCompleteFlags) {
        for (NetBufferList nbl : Stacks.list(chain)) {
            log.add("protocol send complete");
            completed.add(new Completed(nbl, Stacks.bytes(nbl), nbl.status(), OffloadInfo.largeSendPayloadSent(nbl)));
            nbl.free();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
