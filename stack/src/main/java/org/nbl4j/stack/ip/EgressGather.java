package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ndis.NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * One thread's sends gathered per egress while the IP layer works on a receive indication: what the indication's
 * packets cause to leave (forwarded packets, the stack's answers, inline injections) is appended to its egress's
 * pending chain, and when the indication is done each egress gets its chain in one {@code NdisSendNetBufferLists}
 * call, which takes "a linked list of NET_BUFFER_LIST structures" (the DDI's NetBufferLists parameter,
 * learn.microsoft.com ndis/nf-ndis-ndissendnetbufferlists). A miniport below can then write a chain at once (the TUN
 * miniport's one system call per chain) and a filter stacked on the egress sees the chain in one
 * {@code FilterSendNetBufferLists}.
 *
 * <p>Outside an indication (a worker thread's injection, a send the stack makes on its own) nothing is open and
 * {@link #add} says so: the caller sends at once. Indications nest on one thread (an adapter below that indicates
 * synchronously what it was given): only the outermost one sends, so every packet for one egress keeps its order.
 * Sends made while the chains go down (a completion that injects again on the same thread) join the gather and are
 * sent in the same round, after what was already pending for their egress.
 *
 * <p>The slots grow only when one indication reaches more egresses than any before on this thread; a packet's append
 * is a scan of the egresses pending (few) and two stores. The chains hold NBLs the IP layer already holds for their
 * send ({@link Transmitter#transmit}), so their completion, status and hand-offs are those of a send made at once.
 */
final class EgressGather {
    private static final ThreadLocal<EgressGather> PER_THREAD = ThreadLocal.withInitial(EgressGather::new);

    /** Indications open on this thread: 0 outside one. */
    private int depth;
    /** Whether the outermost indication runs at DISPATCH_LEVEL: its chains go down with that flag. */
    private boolean atDispatch;

    private int pending;
    private IpInterface[] egresses = new IpInterface[4];
    private NetBufferList[] heads = new NetBufferList[4];
    private NetBufferList[] tails = new NetBufferList[4];

    private EgressGather() {}

    /** The calling thread's gather. */
    static EgressGather current() {
        return PER_THREAD.get();
    }

    /** A receive indication starts on this thread; {@link #close()} must follow. */
    void open(boolean dispatchLevel) {
        if (depth++ == 0) {
            atDispatch = dispatchLevel;
        }
    }

    /**
     * Appends an NBL (alone, not a chain) to its egress's pending chain, if an indication is open on this thread.
     *
     * @return false when nothing is open: the caller sends the NBL itself, at once
     */
    boolean add(NetBufferList nbl, IpInterface egress) {
        if (depth == 0) {
            return false;
        }
        int slot = slotOf(egress);
        if (slot < 0) {
            slot = pending++;
            if (slot == egresses.length) {
                egresses = Arrays.copyOf(egresses, slot * 2);
                heads = Arrays.copyOf(heads, slot * 2);
                tails = Arrays.copyOf(tails, slot * 2);
            }
            egresses[slot] = egress;
            heads[slot] = nbl;
        } else {
            tails[slot].setNext(nbl);
        }
        tails[slot] = nbl;
        return true;
    }

    private int slotOf(IpInterface egress) {
        for (int i = 0; i < pending; i++) {
            if (egresses[i] == egress) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The indication opened last is done. The outermost one sends each egress's chain, in the order the egresses were
     * first sent to, until nothing is pending; every chain is sent even when one send throws (the first throwable is
     * rethrown afterwards, the others suppressed), so no NBL stays held.
     */
    void close() {
        if (depth > 1) {
            depth--;
            return;
        }
        Throwable failure = null;
        try {
            while (pending > 0) {
                IpInterface egress = egresses[0];
                NetBufferList chain = heads[0];
                pending--;
                System.arraycopy(egresses, 1, egresses, 0, pending);
                System.arraycopy(heads, 1, heads, 0, pending);
                System.arraycopy(tails, 1, tails, 0, pending);
                egresses[pending] = null;
                heads[pending] = null;
                tails[pending] = null;
                failure = send(egress, chain, failure);
            }
        } finally {
            depth = 0;
        }
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
    }

    private @Nullable Throwable send(IpInterface egress, NetBufferList chain, @Nullable Throwable failure) {
        try {
            egress.binding().sendNetBufferLists(chain, 0, atDispatch ? NDIS_SEND_FLAGS_DISPATCH_LEVEL : 0);
            return failure;
        } catch (RuntimeException | Error e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }
}
