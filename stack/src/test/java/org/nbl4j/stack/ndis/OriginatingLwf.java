package org.nbl4j.stack.ndis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.status.NtStatus;

/**
 * A filter that originates sends and indications from its own pool (tag {@code Orig}) and does what §6.3, §6.4 and §6.9
 * ask: takes its own NBLs out of chains that come back and frees them, passes the others on, and pends its pause
 * until its own NBLs are all back, then completes it exactly once.
 */
final class OriginatingLwf implements LwfHandlers {
    private final LwfHandle handle;
    private final List<String> log;
    private final String name;
    private @Nullable NetBufferListPool pool;
    /** Statuses of own sends that came back. */
    final List<Integer> ownCompleted = Collections.synchronizedList(new ArrayList<>());

    final AtomicInteger ownReturned = new AtomicInteger();
    final AtomicInteger pauseCompletes = new AtomicInteger();
    private final AtomicBoolean pausePending = new AtomicBoolean();
    volatile int pauseStatus;

    private OriginatingLwf(LwfHandle handle, String name, List<String> log) {
        this.handle = handle;
        this.name = name;
        this.log = log;
        this.pool = Stacks.dataPool(handle.ndis(), "Orig");
    }

    /** A driver whose modules are added to {@code modules} as they attach. */
    static LwfDriver driver(String name, List<String> log, List<OriginatingLwf> modules) {
        return handle -> {
            OriginatingLwf filter = new OriginatingLwf(handle, name, log);
            modules.add(filter);
            return filter;
        };
    }

    LwfHandle handle() {
        return handle;
    }

    NetBufferList own(byte[] bytes) {
        NetBufferListPool own = pool;
        if (own == null) {
            throw new IllegalStateException("detached");
        }
        return Stacks.packet(own, bytes, handle);
    }

    NetBufferList send(byte[] bytes, long cancelId) {
        NetBufferList nbl = own(bytes);
        nbl.setCancelId(cancelId);
        handle.sendNetBufferLists(nbl, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, 0);
        return nbl;
    }

    /** Indicates an own packet; with RESOURCES set it is back (and freed) when this returns. */
    void indicate(byte[] bytes, boolean resources) {
        NetBufferList nbl = own(bytes);
        handle.indicateReceiveNetBufferLists(
                nbl, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, 1, resources ? NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES : 0);
        if (resources) {
            nbl.free();
        }
    }

    @Override
    public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int sendCompleteFlags) {
        log.add(name + " send complete");
        NetBufferList others = null;
        NetBufferList othersTail = null;
        for (NetBufferList nbl : Stacks.list(chain)) {
            if (nbl.sourceHandle() == handle) {
                ownCompleted.add(nbl.status());
                nbl.setCancelId(0);
                nbl.free();
            } else if (othersTail == null) {
                others = othersTail = nbl;
            } else {
                othersTail.setNext(nbl);
                othersTail = nbl;
            }
        }
        if (others != null) {
            from.sendNetBufferListsComplete(others, sendCompleteFlags);
        }
        maybeCompletePause();
    }

    @Override
    public void returnNetBufferLists(LwfHandle from, NetBufferList chain, int returnFlags) {
        log.add(name + " return");
        NetBufferList others = null;
        NetBufferList othersTail = null;
        for (NetBufferList nbl : Stacks.list(chain)) {
            if (nbl.sourceHandle() == handle) {
                ownReturned.incrementAndGet();
                nbl.free();
            } else if (othersTail == null) {
                others = othersTail = nbl;
            } else {
                othersTail.setNext(nbl);
                othersTail = nbl;
            }
        }
        if (others != null) {
            from.returnNetBufferLists(others, returnFlags);
        }
        maybeCompletePause();
    }

    @Override
    public void sendNetBufferLists(LwfHandle from, NetBufferList chain, int portNumber, int sendFlags) {
        log.add(name + " send");
        LwfHandlers.super.sendNetBufferLists(from, chain, portNumber, sendFlags);
    }

    @Override
    public void receiveNetBufferLists(
            LwfHandle from, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        log.add(name + " receive");
        LwfHandlers.super.receiveNetBufferLists(from, chain, portNumber, numberOfNetBufferLists, receiveFlags);
    }

    @Override
    public int pause(LwfHandle from) {
        log.add(name + " pause");
        pausePending.set(true);
        if (from.outstandingSends() == 0
                && from.outstandingIndications() == 0
                && pausePending.compareAndSet(true, false)) {
            pauseStatus = NtStatus.NDIS_STATUS_SUCCESS;
            return pauseStatus;
        }
        pauseStatus = NtStatus.NDIS_STATUS_PENDING;
        return pauseStatus;
    }

    private void maybeCompletePause() {
        if (handle.outstandingSends() == 0
                && handle.outstandingIndications() == 0
                && pausePending.compareAndSet(true, false)) {
            pauseCompletes.incrementAndGet();
            handle.pauseComplete();
        }
    }

    @Override
    public int restart(LwfHandle from) {
        log.add(name + " restart");
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    @Override
    public void detach(LwfHandle from) {
        log.add(name + " detach");
        NetBufferListPool own = pool;
        if (own != null) {
            own.close();
            pool = null;
        }
    }
}
