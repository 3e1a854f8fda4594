package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.Protocol;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * A test adapter that is only a wire: received packets become NBLs from its own pool, indicated to the protocol
 * (handed off INDICATED); sent NBLs are recorded as bytes (one packet per NB) and completed, at once or when the test
 * says; returned NBLs are checked to come back once each and are freed.
 */
final class WireBinding implements ProtocolBinding {
    static final PoolTag TAG = PoolTag.of("Wire");

    private final String name;
    private final int mtu;
    private final NetBufferListPool pool;
    private Protocol protocol;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<NetBufferList> pendingCompletions = new ArrayList<>();
    private final Set<NetBufferList> indicated = Collections.newSetFromMap(new IdentityHashMap<>());
    private int returned;
    private boolean deferCompletions;
    private int sendStatus = NtStatus.NDIS_STATUS_SUCCESS;

    WireBinding(Ndis ndis, String name, int mtu) {
        this.name = name;
        this.mtu = mtu;
        NetBufferListPool made = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 16384));
        assertNotNull(made);
        this.pool = made;
    }

    void attach(Protocol attached) {
        this.protocol = attached;
    }

    /** Indicates one packet with RESOURCES clear. */
    void receive(byte[] packet) {
        receive(packet, NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    }

    void receive(byte[] packet, int flags) {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(packet.length, 0, null));
        nb.write(0, packet);
        nbl.setSourceHandle(this);
        boolean resources = (flags & NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
        if (!resources) {
            indicated.add(nbl);
        }
        // The NDIS convention of Adapter: the indicator hands off, the protocol owns while its handler runs.
        nbl.handOff(OwnerState.INDICATED, this);
        nbl.handOff(OwnerState.OWNED, protocol);
        protocol.receiveNetBufferLists(this, nbl, 0, 1, flags);
        if (resources) {
            // Ownership came back when the call returned (ndis-buffers §6.4).
            nbl.free();
        }
    }

    @Override
    public String adapterName() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int receiveQueueCount() {
        return 1;
    }

    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            assertEquals(OwnerState.OWNED, nbl.ownerState(), "the protocol owns what it sends");
            nbl.handOff(OwnerState.SENT, protocol);
            nbl.handOff(OwnerState.OWNED, this);
            for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
                sent.add(nb.toByteArray());
            }
            nbl.setStatus(sendStatus);
            nbl.handOff(OwnerState.SENT, this);
        }
        if (deferCompletions) {
            pendingCompletions.add(chain);
        } else {
            completeToProtocol(chain);
        }
    }

    /** Hands a sent chain back: the protocol owns each NBL again while its completion handler runs. */
    private void completeToProtocol(NetBufferList chain) {
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            nbl.handOff(OwnerState.OWNED, protocol);
        }
        protocol.sendNetBufferListsComplete(this, chain, NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    }

    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            assertTrue(indicated.remove(nbl), "returned once, and only NBLs indicated with RESOURCES clear");
            assertEquals(OwnerState.OWNED, nbl.ownerState());
            nbl.handOff(OwnerState.INDICATED, protocol);
            nbl.handOff(OwnerState.OWNED, this);
            nbl.setNext(null);
            nbl.free();
            returned++;
            nbl = next;
        }
    }

    void deferCompletions(boolean defer) {
        this.deferCompletions = defer;
    }

    void sendStatus(int status) {
        this.sendStatus = status;
    }

    /** Completes every send held back. */
    void completeAll() {
        List<NetBufferList> chains = new ArrayList<>(pendingCompletions);
        pendingCompletions.clear();
        for (NetBufferList chain : chains) {
            completeToProtocol(chain);
        }
    }

    /** The packets sent so far, and forgets them. */
    List<byte[]> takeSent() {
        List<byte[]> copy = new ArrayList<>(sent);
        sent.clear();
        return copy;
    }

    int returned() {
        return returned;
    }

    /** NBLs indicated with RESOURCES clear and not yet returned. */
    int outstanding() {
        return indicated.size();
    }

    void close() {
        pool.close();
    }
}
