package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/** A miniport the test drives by hand: it keeps what is sent until the test completes it, in any grouping. */
final class ManualMiniport implements Miniport {
    private @Nullable MiniportEdge edge;
    final List<NetBufferList> sent = Collections.synchronizedList(new ArrayList<>());
    final List<NetBufferList> returned = Collections.synchronizedList(new ArrayList<>());

    MiniportEdge edge() {
        MiniportEdge initialized = edge;
        assertNotNull(initialized);
        return initialized;
    }

    /** Completes the given sent NBLs as one chain in this order, each with {@code status}, at PASSIVE_LEVEL. */
    void complete(int status, NetBufferList... nbls) {
        for (NetBufferList nbl : nbls) {
            if (!sent.remove(nbl)) {
                throw new IllegalArgumentException(nbl + " was not sent or is already complete");
            }
            nbl.setStatus(status);
        }
        edge().sendNetBufferListsComplete(Stacks.chain(nbls), 0);
    }

    @Override
    public String name() {
        return "manual0";
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public int receiveQueueCount() {
        return 1;
    }

    @Override
    public LinkState linkState() {
        return LinkState.CONNECTED;
    }

    @Override
    public MiniportStatistics statistics() {
        return new MiniportStatistics(0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void initialize(MiniportEdge miniportEdge) {
        edge = miniportEdge;
    }

    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        sent.addAll(Stacks.list(chain));
    }

    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        returned.addAll(Stacks.list(chain));
    }

    @Override
    public int serviceQueue(int queue, int budget) {
        return 0;
    }

    @Override
    public void awaitWork(int queue, long timeoutNanos) {
        LockSupport.parkNanos(timeoutNanos);
    }

    @Override
    public void close() {
        if (!sent.isEmpty()) {
            throw new IllegalStateException("halted with sends not completed: " + sent);
        }
    }
}
