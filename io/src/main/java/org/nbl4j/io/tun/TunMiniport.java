package org.nbl4j.io.tun;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferLists;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.Miniport;
import org.nbl4j.stack.ndis.MiniportEdge;
import org.nbl4j.stack.ndis.MiniportOidAnswers;
import org.nbl4j.stack.ndis.MiniportStatistics;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.ReceiveSideScaling;

/**
 * A miniport over a Linux TUN device: each TUN queue is one receive queue, and every NBL carries one raw IP packet
 * read straight into, or written straight from, pool memory.
 *
 * <p><b>Receive.</b> At {@link #initialize} the miniport allocates a data pool (tag {@code Tunr}, data size the MTU
 * rounded up to 64 bytes) and a fixed number of NBLs per queue. {@link #serviceQueue} reads packets without blocking
 * into free NBLs and indicates them as one chain with {@code NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL}; when fewer than the
 * low-water mark of NBLs would stay free it sets {@code NDIS_RECEIVE_FLAGS_RESOURCES}, and takes the chain back when
 * the call returns. With no NBL free, a packet is still read (so the kernel's queue does not stall) and dropped as a
 * receive discard. Indicated NBLs carry the miniport as {@code SourceHandle}.
 *
 * <p><b>Ownership.</b> The miniport records no verifier hand-offs itself: as NDIS's NBL tracker does in
 * {@code NdisMIndicateReceiveNetBufferLists} and {@code NdisReturnNetBufferLists}, the {@link MiniportEdge} and
 * the layers above mark NBLs as they cross. Returned receive NBLs must be {@code OWNED} again by the time the
 * miniport frees them at {@link #close()}; sent NBLs are read through their MDLs only, whatever their state.
 *
 * <p><b>Send.</b> {@link #sendNetBufferLists} writes each NB with one {@code writev} over its MDLs to the queue chosen
 * by the NBL's hash value modulo the queue count, sets the NBL's Status, and queues it for completion from that
 * queue's next {@link #serviceQueue}, waking the queue's thread. A TUN write that would block (the kernel does not
 * normally refuse one) completes the NBL with {@code NDIS_STATUS_RESOURCES} rather than holding it: a miniport may
 * not hold sends without bound, and a full NIC ring behaves the same. An NB longer than the MTU completes with
 * {@code NDIS_STATUS_INVALID_LENGTH}, other write errors with {@code NDIS_STATUS_FAILURE}; all three count as send
 * discards.
 *
 * <p>Received NBLs carry their Toeplitz hash in the RSS hash slots, for filters and callouts that read it; the queue
 * a packet arrives on is the one the kernel steered its flow to.
 */
public final class TunMiniport implements Miniport {
    /** Answers OID requests from the device's own properties; keeps the packet filter the protocol set. */
    private final MiniportOidAnswers oidAnswers = new MiniportOidAnswers(this);

    private final ReceiveSideScaling receiveSideScaling = ReceiveSideScaling.spreading(1);
    /** The receive pool's tag. */
    public static final PoolTag RECEIVE_POOL_TAG = PoolTag.of("Tunr");
    /** Receive NBLs per queue unless the constructor says otherwise. */
    public static final int DEFAULT_RECEIVE_NBLS_PER_QUEUE = 256;
    /** The smallest MTU an IPv4 link may have (RFC 791). */
    public static final int MINIMUM_MTU = 68;
    /** The largest IP packet, and so the largest MTU. */
    public static final int MAXIMUM_MTU = 65535;

    /** {@code NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL} (ndis-buffers §6.2): completions run on a queue's DPC. */
    /** The MDLs one NB may span; a longer chain fails its send rather than being copied. */
    private static final int MAXIMUM_IOVECS = 64;

    private static final ThreadLocal<MemorySegment> IOVECS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(Libc.IOVEC, MAXIMUM_IOVECS));

    private final TunDevice device;
    private final int mtu;
    private final int dataSize;
    private final int receiveNblsPerQueue;
    private final int lowWaterMark;
    private final Arena arena = Arena.ofShared();
    private final TunQueue[] queues;

    private @Nullable MiniportEdge edge;
    private @Nullable NetBufferListPool pool;
    private volatile boolean closed;

    private final LongAdder receivedPackets = new LongAdder();
    private final LongAdder receivedBytes = new LongAdder();
    private final LongAdder receiveDiscards = new LongAdder();
    private final LongAdder receiveErrors = new LongAdder();
    private final LongAdder sentPackets = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private final LongAdder sendDiscards = new LongAdder();

    /** A miniport with {@value #DEFAULT_RECEIVE_NBLS_PER_QUEUE} receive NBLs per queue. */
    public TunMiniport(TunDevice device, int mtu) throws TunException {
        this(device, mtu, DEFAULT_RECEIVE_NBLS_PER_QUEUE);
    }

    /**
     * A miniport over {@code device}, which it owns from now on and closes at {@link #close()} (if the constructor
     * throws, the caller still owns the device).
     *
     * @param device a device opened non-blocking
     * @param mtu the interface's MTU as the caller configures it; received packets up to this size fit an NBL
     * @param receiveNblsPerQueue how many NBLs each queue receives into; the low-water mark under which indications
     *     carry {@code NDIS_RECEIVE_FLAGS_RESOURCES} is an eighth of it (at least 1)
     */
    public TunMiniport(TunDevice device, int mtu, int receiveNblsPerQueue) throws TunException {
        if (!device.nonBlocking()) {
            throw new IllegalArgumentException(
                    "TunMiniport polls and reads without blocking: open " + device.name() + " with nonBlocking true");
        }
        if (mtu < MINIMUM_MTU || mtu > MAXIMUM_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " outside [" + MINIMUM_MTU + ", " + MAXIMUM_MTU + "]");
        }
        if (receiveNblsPerQueue < 1) {
            throw new IllegalArgumentException("at least one receive NBL per queue: " + receiveNblsPerQueue);
        }
        this.device = device;
        this.mtu = mtu;
        this.dataSize = (mtu + 63) & ~63;
        this.receiveNblsPerQueue = receiveNblsPerQueue;
        this.lowWaterMark = Math.max(1, receiveNblsPerQueue / 8);
        this.queues = new TunQueue[device.queueCount()];
        try {
            for (int i = 0; i < queues.length; i++) {
                queues[i] = new TunQueue(i, device.fd(i), receiveNblsPerQueue, dataSize, arena, device.name());
            }
        } catch (TunException e) {
            try {
                closeQueues();
            } catch (TunException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            arena.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int receiveQueueCount() {
        return queues.length;
    }

    /** The interface index ({@code if_nametoindex} when the device was opened). */
    public int ifIndex() {
        return device.ifIndex();
    }

    /** Connected from construction until {@link #close()}: a TUN link is up as long as its descriptors are open. */
    @Override
    public LinkState linkState() {
        return closed ? LinkState.DISCONNECTED : LinkState.CONNECTED;
    }

    /** {@code MiniportOidRequest}: the minimal set every nbl4j miniport answers, at once. */
    @Override
    public int oidRequest(OidRequest request) {
        return oidAnswers.answer(request);
    }

    @Override
    public MiniportStatistics statistics() {
        return new MiniportStatistics(
                receivedPackets.sum(),
                receivedBytes.sum(),
                receiveDiscards.sum(),
                receiveErrors.sum(),
                sentPackets.sum(),
                sentBytes.sum(),
                sendDiscards.sum());
    }

    @Override
    public void initialize(MiniportEdge edge) {
        requireOpen();
        if (this.edge != null) {
            throw new IllegalStateException(name() + " is initialized already");
        }
        NetBufferListPool receivePool = edge.ndis()
                .allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, RECEIVE_POOL_TAG, dataSize));
        if (receivePool == null) {
            throw new IllegalStateException("NdisAllocateNetBufferListPool refused a data size of " + dataSize);
        }
        for (TunQueue queue : queues) {
            for (int i = 0; i < receiveNblsPerQueue; i++) {
                NetBufferList nbl = receivePool.allocateNetBufferList(0, 0);
                if (nbl == null) {
                    throw new IllegalStateException("NdisAllocateNetBufferList failed in " + receivePool);
                }
                nbl.setSourceHandle(edge); // the MiniportAdapterHandle (ndis-buffers §6.5)
                nbl.miniportReserved()[0] = queue;
                queue.add(nbl);
            }
        }
        this.pool = receivePool;
        this.edge = edge;
    }

    // ---- receive ----

    @Override
    public int serviceQueue(int queue, int budget) {
        MiniportEdge up = requireRunning();
        TunQueue q = queues[queue];
        int done = completeSends(q, up);
        return done + receive(q, budget, up);
    }

    private int completeSends(TunQueue q, MiniportEdge up) {
        NetBufferList chain = q.takeCompletions();
        if (chain == null) {
            return 0;
        }
        int count = NetBufferLists.count(chain);
        up.sendNetBufferListsComplete(chain, NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        return count;
    }

    private int receive(TunQueue q, int budget, MiniportEdge up) {
        NetBufferList head = null;
        NetBufferList tail = null;
        int count = 0;
        long bytes = 0;
        // Each iteration reads at most one packet, indicated or dropped, so the budget bounds the reads as well.
        for (int read = 0; read < budget; read++) {
            NetBufferList nbl = q.take();
            if (nbl == null) {
                if (!discardOne(q)) {
                    break;
                }
                continue;
            }
            int length = readInto(nbl, q);
            if (length <= 0) {
                q.recycle(nbl);
                if (length == TunDevice.WOULD_BLOCK) {
                    break;
                }
                continue;
            }
            nbl.setNext(null);
            if (tail == null) {
                head = nbl;
            } else {
                tail.setNext(nbl);
            }
            tail = nbl;
            count++;
            bytes += length;
        }
        if (head == null) {
            return 0;
        }
        receivedPackets.add(count);
        receivedBytes.add(bytes);
        boolean resources = q.available() < lowWaterMark;
        int flags =
                NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL | (resources ? NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES : 0);
        up.indicateReceiveNetBufferLists(head, 0, count, flags);
        if (resources) {
            // Ownership came back when the call returned (ndis-buffers §6.4).
            NetBufferList nbl = head;
            while (nbl != null) {
                NetBufferList next = nbl.next();
                nbl.setNext(null);
                q.recycle(nbl);
                nbl = next;
            }
        }
        return count;
    }

    /**
     * Reads one packet into the NBL's data buffer and makes the NB describe it from the buffer's start.
     *
     * @return the packet's length; {@link TunDevice#WOULD_BLOCK} when there is nothing more to read this round; or 0
     *     if the packet was bad (counted)
     */
    private int readInto(NetBufferList nbl, TunQueue q) {
        NetBuffer nb = nbl.firstNetBuffer();
        Mdl data = nb == null ? null : nb.mdlChain();
        if (nb == null || data == null) {
            throw new IllegalStateException(nbl + " came back without its NB or data MDL");
        }
        int length;
        try {
            length = device.read(q.index, data.buffer(), data.bufferOffset(), dataSize);
        } catch (TunException e) {
            // A failing descriptor would fail again at once: end this round as if the queue were empty.
            receiveErrors.increment();
            return TunDevice.WOULD_BLOCK;
        }
        if (length == TunDevice.WOULD_BLOCK) {
            return length;
        }
        if (length > dataSize || length == 0) {
            // The kernel reports a packet's full length even when it copied only what fit: bigger than the MTU.
            receiveErrors.increment();
            return 0;
        }
        nb.setDataOffset(0);
        nb.setDataLength(length);
        nb.adjustCurrentMdl();
        receiveSideScaling.stamp(nbl, data.buffer(), data.bufferOffset(), length);
        return length;
    }

    /** @return whether a packet was there to drop */
    private boolean discardOne(TunQueue q) {
        try {
            if (device.read(q.index, q.discard, 0, dataSize) == TunDevice.WOULD_BLOCK) {
                return false;
            }
        } catch (TunException e) {
            receiveErrors.increment();
            return false;
        }
        receiveDiscards.increment();
        return true;
    }

    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            if (nbl.pool() != pool || !(nbl.miniportReserved()[0] instanceof TunQueue q)) {
                throw new IllegalArgumentException(nbl + " was not indicated by " + name());
            }
            q.giveBack(nbl);
            nbl = next;
        }
    }

    // ---- send ----

    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        requireRunning();
        MemorySegment iovecs = IOVECS.get();
        MemorySegment errno = Libc.errnoState();
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            int queue = queues.length == 1 ? 0 : Integer.remainderUnsigned(nbl.hashValue(), queues.length);
            nbl.setStatus(send(nbl, queue, iovecs, errno));
            nbl.setNext(null);
            queues[queue].queueCompletion(nbl);
            nbl = next;
        }
    }

    /** Writes every NB of the NBL as one packet; the NBL's status is the first failure's, or success. */
    private int send(NetBufferList nbl, int queue, MemorySegment iovecs, MemorySegment errno) {
        NetBuffer nb = nbl.firstNetBuffer();
        if (nb == null) {
            sendDiscards.increment();
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        int status = NtStatus.NDIS_STATUS_SUCCESS;
        for (; nb != null; nb = nb.next()) {
            int result = sendOne(nb, queue, iovecs, errno);
            if (result == NtStatus.NDIS_STATUS_SUCCESS) {
                sentPackets.increment();
                sentBytes.add(nb.dataLength());
            } else {
                sendDiscards.increment();
                if (status == NtStatus.NDIS_STATUS_SUCCESS) {
                    status = result;
                }
            }
        }
        return status;
    }

    /**
     * Describes the NB's {@code length} bytes as iovecs, one per MDL run, without copying.
     *
     * @return how many iovecs, or 0 if there is nothing to send, a run is not native memory, there are too many, or
     *     the MDL chain ends before DataLength does (a broken NB, ndis-buffers §3.2)
     */
    private static int gather(NetBuffer nb, int length, MemorySegment iovecs) {
        if (length == 0) {
            return 0;
        }
        Mdl first = nb.currentMdl();
        long offset = nb.currentMdlOffset();
        if (MdlCursor.inOneMdl(first, offset, length)) {
            // Every single-MDL packet: one iovec and no cursor, so the send path allocates nothing whatever the JIT
            // decides about the cursor's escape.
            return setIovec(iovecs, 0, first.buffer(), first.bufferOffset() + offset, length) ? 1 : 0;
        }
        int count = 0;
        MdlCursor runs = new MdlCursor();
        for (boolean more = runs.seek(first, offset, length); more; more = runs.next()) {
            if (count == MAXIMUM_IOVECS
                    || !setIovec(iovecs, count, runs.segment(), runs.segmentOffset(), runs.length())) {
                return 0;
            }
            count++;
        }
        return runs.remaining() > 0 ? 0 : count;
    }

    private static boolean setIovec(MemorySegment iovecs, int index, MemorySegment buffer, long offset, long length) {
        if (!buffer.isNative()) {
            return false;
        }
        iovecs.setAtIndex(ValueLayout.JAVA_LONG, 2L * index, buffer.address() + offset);
        iovecs.setAtIndex(ValueLayout.JAVA_LONG, 2L * index + 1, length);
        return true;
    }

    private int sendOne(NetBuffer nb, int queue, MemorySegment iovecs, MemorySegment errno) {
        int length = nb.dataLength();
        if (length > mtu) {
            return NtStatus.NDIS_STATUS_INVALID_LENGTH;
        }
        int count = gather(nb, length, iovecs);
        if (count == 0) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        try {
            long written = device.writeGather(queue, iovecs, count, errno);
            if (written == TunDevice.WOULD_BLOCK) {
                return NtStatus.NDIS_STATUS_RESOURCES;
            }
            return written == length ? NtStatus.NDIS_STATUS_SUCCESS : NtStatus.NDIS_STATUS_FAILURE;
        } catch (TunException e) {
            return e.errno() == Libc.EMSGSIZE ? NtStatus.NDIS_STATUS_INVALID_LENGTH : NtStatus.NDIS_STATUS_FAILURE;
        }
    }

    // ---- waiting and halt ----

    @Override
    public void awaitWork(int queue, long timeoutNanos) throws InterruptedException {
        requireRunning();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        TunQueue q = queues[queue];
        if (q.pendingCompletions() > 0) {
            return;
        }
        long millis = timeoutNanos <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999);
        try {
            q.await((int) Math.min(Integer.MAX_VALUE, millis), name());
        } catch (TunException e) {
            throw new UncheckedIOException(e);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /**
     * {@code MiniportHaltEx}: frees the receive NBLs and their pool, closes the queues' descriptors and so removes
     * the interface. Closing again does nothing.
     *
     * @throws IllegalStateException if indicated NBLs have not all come back, or completed sends still wait for a
     *     {@link #serviceQueue}; nothing is released then, so the caller may finish and close again
     * @throws UncheckedIOException if closing a descriptor failed (the others are closed all the same)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        int outstanding = 0;
        int pending = 0;
        for (TunQueue q : queues) {
            outstanding += edge == null ? 0 : q.outstanding();
            pending += q.pendingCompletions();
        }
        if (outstanding > 0) {
            throw new IllegalStateException(name() + " cannot halt: " + outstanding
                    + " indicated NBL(s) have not been returned (MiniportReturnNetBufferLists)");
        }
        if (pending > 0) {
            throw new IllegalStateException(
                    name() + " cannot halt: " + pending + " completed send(s) wait for serviceQueue to hand them back");
        }
        closed = true;
        NetBufferListPool receivePool = pool;
        if (receivePool != null) {
            for (TunQueue q : queues) {
                for (NetBufferList nbl : q.drainAll()) {
                    nbl.free();
                }
            }
            receivePool.close();
        }
        TunException failure = null;
        try {
            closeQueues();
        } catch (TunException e) {
            failure = e;
        }
        try {
            device.close();
        } catch (TunException e) {
            failure = failure == null ? e : failure;
        }
        arena.close();
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
    }

    private void closeQueues() throws TunException {
        TunException failure = null;
        for (TunQueue q : queues) {
            if (q == null) {
                continue;
            }
            try {
                q.close();
            } catch (TunException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " is halted");
        }
    }

    private MiniportEdge requireRunning() {
        requireOpen();
        MiniportEdge up = edge;
        if (up == null) {
            throw new IllegalStateException(name() + " is not initialized (MiniportInitializeEx)");
        }
        return up;
    }

    @Override
    public String toString() {
        return "TunMiniport[" + name() + ", " + queues.length + " queue(s), MTU " + mtu + "]";
    }
}
