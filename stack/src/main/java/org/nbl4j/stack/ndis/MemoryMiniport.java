package org.nbl4j.stack.ndis;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferLists;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.internal.StripedCounters;
import org.nbl4j.core.status.NtStatus;

/**
 * An IP-medium device in memory, for tests and benchmarks: packets given to {@link #receive} are indicated from its
 * receive queues, and packets sent to it go to a {@link TransmitSink}.
 *
 * <p>Like a NIC it owns a fixed set of receive buffers, NBLs of its own data pool (tag {@code Mmrx}) allocated at
 * initialize: a received packet is copied into a free one (the device's DMA), hashed with RSS to pick its queue, and
 * put on that queue's bounded ring. Without a free buffer or room on the ring the packet is counted as a receive
 * discard. {@link #serviceQueue} indicates one chain of queued packets, one NBL each with its hash filled in and
 * {@code SourceHandle} = the miniport block, at DISPATCH_LEVEL; when fewer than the low-water mark of free buffers
 * remain it sets {@code NDIS_RECEIVE_FLAGS_RESOURCES}, so the buffers come back when the call returns, as real
 * miniports do. Returned NBLs are recycled; the steady state allocates nothing.
 *
 * <p>Sends are handed to the sink at once, while the miniport owns them, and completed asynchronously: always on queue
 * 0's next service, with {@code NDIS_STATUS_SUCCESS}, the configured failure status, {@code
 * NDIS_STATUS_MEDIA_DISCONNECTED} when the link is not connected, or {@code NDIS_STATUS_INVALID_LENGTH} for a packet
 * longer than the MTU.
 */
public final class MemoryMiniport implements Miniport {
    /** The tag of the receive buffers' pool. */
    public static final PoolTag RECEIVE_TAG = PoolTag.of("Mmrx");

    private final String name;
    private final int mtu;
    /** The size of each receive buffer: the MTU, or the longest coalesced packet the device indicates. */
    private final int receiveBufferSize;

    private final int receiveBufferCount;
    private final int lowWaterMark;
    private final ReceiveSideScaling rss;
    private final TransmitSink sink;
    private final OffloadCapabilities offloads;
    private final Ring[] rings;
    private final Thread[] waiters;

    private volatile LinkState linkState = LinkState.CONNECTED;
    private final MiniportOidAnswers oidAnswers = new MiniportOidAnswers(this);
    /** The OIDs whose requests pend until {@link #completePendedOids}, and the requests pended; guarded by itself. */
    private final List<OidRequest> pendedOids = new ArrayList<>();

    private final Set<Integer> oidsToPend = ConcurrentHashMap.newKeySet();
    private volatile int sendStatus = NtStatus.NDIS_STATUS_SUCCESS;
    private @Nullable MiniportEdge edge;
    private @Nullable NetBufferListPool pool;
    private ReceiveBuffer[] buffers = new ReceiveBuffer[0];

    /** Free receive buffers: a stack, guarded by itself. */
    private final ReceiveBuffer[] free;

    private int freeCount;

    /** Sends waiting for completion on queue 0, linked through Next; guarded by {@link #pendingLock}. */
    private final Object pendingLock = new Object();

    private @Nullable NetBufferList pendingHead;
    private @Nullable NetBufferList pendingTail;

    /**
     * The {@link MiniportStatistics} fields in their order, per thread: each receive queue's thread and each sender
     * counts into its own cell, as a NIC driver keeps per-processor statistics.
     */
    private final StripedCounters counters = new StripedCounters(7);

    private static final int RECEIVED_PACKETS = 0;
    private static final int RECEIVED_BYTES = 1;
    private static final int RECEIVE_DISCARDS = 2;
    private static final int RECEIVE_ERRORS = 3;
    private static final int SENT_PACKETS = 4;
    private static final int SENT_BYTES = 5;
    private static final int SEND_DISCARDS = 6;

    private MemoryMiniport(Builder builder) {
        this.name = builder.name;
        this.mtu = builder.mtu;
        this.receiveBufferSize = Math.max(builder.mtu, builder.largestCoalesced);
        this.receiveBufferCount = builder.receiveBuffers;
        this.lowWaterMark = builder.lowWaterMark;
        this.rss = ReceiveSideScaling.spreading(builder.queues);
        this.sink = builder.sink;
        this.offloads = builder.offloads;
        this.rings = new Ring[builder.queues];
        for (int i = 0; i < rings.length; i++) {
            rings[i] = new Ring(builder.ringCapacity);
        }
        this.waiters = new Thread[builder.queues];
        this.free = new ReceiveBuffer[builder.receiveBuffers];
    }

    /** Starts describing a memory miniport. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public OffloadCapabilities offloadCapabilities() {
        return offloads;
    }

    @Override
    public int receiveQueueCount() {
        return rings.length;
    }

    @Override
    public LinkState linkState() {
        return linkState;
    }

    /**
     * Changes the link state and, once initialized, indicates it up ({@code NdisMIndicateStatusEx} with
     * {@code NDIS_STATUS_LINK_STATE}); sends on a link that is not connected fail with MEDIA_DISCONNECTED.
     */
    public void setLinkState(LinkState state) {
        LinkState previous = linkState;
        linkState = state;
        MiniportEdge up = edge;
        if (up != null && previous != state) {
            up.indicateStatus(StatusIndication.linkState(up, new LinkStateIndication(state, linkSpeed(), linkSpeed())));
        }
    }

    @Override
    public int oidRequest(OidRequest request) {
        if (oidsToPend.contains(request.oid())) {
            synchronized (pendedOids) {
                pendedOids.add(request);
            }
            return NtStatus.NDIS_STATUS_PENDING;
        }
        return oidAnswers.answer(request);
    }

    @Override
    public void cancelOidRequest(Object requestId) {
        OidRequest cancelled = null;
        synchronized (pendedOids) {
            for (OidRequest pended : pendedOids) {
                if (requestId.equals(pended.requestId())) {
                    cancelled = pended;
                    pendedOids.remove(pended);
                    break;
                }
            }
        }
        if (cancelled != null) {
            requireEdge().oidRequestComplete(cancelled, NtStatus.NDIS_STATUS_REQUEST_ABORTED);
        }
    }

    /**
     * From now on requests for {@code oid} pend ({@code NDIS_STATUS_PENDING}) until {@link #completePendedOids}
     * answers them or a cancel aborts them, the way a device that asks its hardware answers late.
     */
    public void pendOid(int oid) {
        oidsToPend.add(oid);
    }

    /**
     * Answers every pended request and completes it ({@code NdisMOidRequestComplete}).
     *
     * @return how many it completed
     */
    public int completePendedOids() {
        List<OidRequest> answered;
        synchronized (pendedOids) {
            answered = List.copyOf(pendedOids);
            pendedOids.clear();
        }
        for (OidRequest request : answered) {
            requireEdge().oidRequestComplete(request, oidAnswers.answer(request));
        }
        return answered.size();
    }

    /** The packet filter the protocol set ({@code OID_GEN_CURRENT_PACKET_FILTER}); 0 until it sets one. */
    public int packetFilter() {
        return oidAnswers.packetFilter();
    }

    private MiniportEdge requireEdge() {
        MiniportEdge up = edge;
        if (up == null) {
            throw new IllegalStateException(name + " is not initialized");
        }
        return up;
    }

    /** Makes every later send complete with {@code status} ({@code NDIS_STATUS_SUCCESS} to send normally again). */
    public void failSendsWith(int status) {
        sendStatus = status;
    }

    @Override
    public MiniportStatistics statistics() {
        return new MiniportStatistics(
                counters.sum(RECEIVED_PACKETS),
                counters.sum(RECEIVED_BYTES),
                counters.sum(RECEIVE_DISCARDS),
                counters.sum(RECEIVE_ERRORS),
                counters.sum(SENT_PACKETS),
                counters.sum(SENT_BYTES),
                counters.sum(SEND_DISCARDS));
    }

    /** How many receive buffers are free now (neither queued nor indicated). */
    public int freeReceiveBuffers() {
        synchronized (free) {
            return freeCount;
        }
    }

    @Override
    public void initialize(MiniportEdge miniportEdge) {
        if (edge != null) {
            throw new IllegalStateException(name + " is already initialized");
        }
        NetBufferListPool receivePool = miniportEdge
                .ndis()
                .allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, RECEIVE_TAG, receiveBufferSize));
        if (receivePool == null) {
            throw new IllegalStateException("no receive pool of " + receiveBufferSize + "-byte buffers");
        }
        buffers = new ReceiveBuffer[receiveBufferCount];
        for (int i = 0; i < buffers.length; i++) {
            NetBufferList nbl = receivePool.allocateNetBufferList(0, 0);
            if (nbl == null) {
                throw new IllegalStateException("receive buffer allocation failed");
            }
            buffers[i] = new ReceiveBuffer(i, nbl);
            nbl.miniportReserved()[0] = buffers[i];
            free[i] = buffers[i];
        }
        freeCount = buffers.length;
        pool = receivePool;
        edge = miniportEdge;
    }

    /**
     * A packet arrives on the wire: copied into a free receive buffer and queued on the queue its RSS hash selects.
     *
     * @return whether it was queued; {@code false} counts a receive discard (no buffer, ring full) or error (empty or
     *     longer than the MTU, or than the largest coalesced packet for a coalesced one)
     */
    public boolean receive(byte[] packet) {
        return receive(packet, 0, 0);
    }

    /**
     * Like {@link #receive(byte[])}, indicating the packet with offload info as an offloading NIC would: the receive
     * checksum bits ({@link OffloadInfo}) and, for a coalesced packet (an RSC SCU), its segment count.
     */
    public boolean receive(byte[] packet, int receiveChecksumBits, int coalescedSegments) {
        return receive(packet, receiveChecksumBits, coalescedSegments, 0);
    }

    /**
     * Like {@link #receive(byte[], int, int)}, also carrying the size of the sender's segments a coalesced packet was
     * made of ({@link OffloadInfo#coalescedSegmentSize}, nbl4j's own: what a TUN device's {@code gso_size} says; 0 for
     * unknown), where software segmentation then cuts it.
     */
    public boolean receive(byte[] packet, int receiveChecksumBits, int coalescedSegments, int coalescedSegmentSize) {
        ReceiveBuffer buffer = takeBuffer(packet.length, coalescedSegments);
        if (buffer == null) {
            return false;
        }
        NetBuffer nb = buffer.fill(packet.length);
        nb.write(0, packet);
        OffloadInfo.setChecksum(buffer.nbl, receiveChecksumBits);
        OffloadInfo.setCoalesced(buffer.nbl, coalescedSegments, 0, coalescedSegmentSize);
        return enqueue(buffer, nb);
    }

    /** Like {@link #receive(byte[])}, copying {@code length} bytes from off-heap or heap memory at {@code offset}. */
    public boolean receive(MemorySegment packet, long offset, int length) {
        return receive(packet, offset, length, 0, 0, 0);
    }

    /** {@link #receive(MemorySegment, long, int)} with offload info, as {@link #receive(byte[], int, int)}. */
    public boolean receive(
            MemorySegment packet, long offset, int length, int receiveChecksumBits, int coalescedSegments) {
        return receive(packet, offset, length, receiveChecksumBits, coalescedSegments, 0);
    }

    /** {@link #receive(MemorySegment, long, int)} with offload info, as {@link #receive(byte[], int, int, int)}. */
    public boolean receive(
            MemorySegment packet,
            long offset,
            int length,
            int receiveChecksumBits,
            int coalescedSegments,
            int coalescedSegmentSize) {
        ReceiveBuffer buffer = takeBuffer(length, coalescedSegments);
        if (buffer == null) {
            return false;
        }
        NetBuffer nb = buffer.fill(length);
        Mdl mdl = dataMdl(nb);
        MemorySegment.copy(packet, offset, mdl.buffer(), mdl.bufferOffset() + nb.currentMdlOffset(), length);
        OffloadInfo.setChecksum(buffer.nbl, receiveChecksumBits);
        OffloadInfo.setCoalesced(buffer.nbl, coalescedSegments, 0, coalescedSegmentSize);
        return enqueue(buffer, nb);
    }

    private @Nullable ReceiveBuffer takeBuffer(int length, int coalescedSegments) {
        // A frame on the wire fits the MTU; only an RSC indication (several segments in one) may be longer.
        if (length <= 0 || length > (coalescedSegments != 0 ? receiveBufferSize : mtu)) {
            counters.increment(RECEIVE_ERRORS);
            return null;
        }
        if (edge == null) {
            throw new IllegalStateException(name + " is not initialized");
        }
        synchronized (free) {
            if (freeCount == 0) {
                counters.increment(RECEIVE_DISCARDS);
                return null;
            }
            return free[--freeCount];
        }
    }

    private boolean enqueue(ReceiveBuffer buffer, NetBuffer nb) {
        Mdl mdl = dataMdl(nb);
        NetBufferList nbl = buffer.nbl;
        long packed = rss.stamp(nbl, mdl.buffer(), mdl.bufferOffset() + nb.currentMdlOffset(), nb.dataLength());
        int queue = packed == 0 ? 0 : rss.queueFor(ReceiveSideScaling.hashValue(packed));
        if (!rings[queue].offer(buffer)) {
            counters.increment(RECEIVE_DISCARDS);
            recycle(buffer);
            return false;
        }
        wake(queue);
        return true;
    }

    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        int failure = sendStatus;
        if (failure == NtStatus.NDIS_STATUS_SUCCESS && linkState != LinkState.CONNECTED) {
            failure = NtStatus.NDIS_STATUS_MEDIA_DISCONNECTED;
        }
        NetBufferList last = chain;
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            transmit(nbl, failure);
            last = nbl;
        }
        synchronized (pendingLock) {
            if (pendingTail == null) {
                pendingHead = chain;
            } else {
                pendingTail.setNext(chain);
            }
            pendingTail = last;
        }
        wake(0);
    }

    private void transmit(NetBufferList nbl, int failure) {
        int status = failure;
        int packets = 0;
        long bytes = 0;
        int lso = OffloadInfo.largeSend(nbl);
        // An LSO send may be as long as the device's MaxOffLoadSize; the device cuts it (the sink sees it whole).
        int largest = OffloadInfo.largeSendMss(lso) != 0 ? offloads.maximumLargeSendSize() : mtu;
        int payload = 0;
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            packets++;
            bytes += nb.dataLength();
            payload += nb.dataLength() - OffloadInfo.largeSendTcpHeaderOffset(lso);
            if (nb.dataLength() > largest && status == NtStatus.NDIS_STATUS_SUCCESS) {
                status = NtStatus.NDIS_STATUS_INVALID_LENGTH;
            }
        }
        if (status == NtStatus.NDIS_STATUS_SUCCESS) {
            sink.transmit(nbl);
            if (OffloadInfo.largeSendMss(lso) != 0) {
                // The TCP header is not payload; like a NIC, the device reads it in the first MDL.
                NetBuffer nb = nbl.firstNetBuffer();
                Mdl first = nb.currentMdl();
                int dataOffsetByte = first.buffer()
                        .get(
                                ValueLayout.JAVA_BYTE,
                                first.bufferOffset()
                                        + nb.currentMdlOffset()
                                        + OffloadInfo.largeSendTcpHeaderOffset(lso)
                                        + 12);
                int tcpHeader = ((dataOffsetByte & 0xFF) >>> 4) * 4;
                OffloadInfo.completeLargeSend(nbl, OffloadInfo.largeSendType(lso), payload - tcpHeader * packets);
            }
            StripedCounters.Cell cell = counters.cell();
            cell.add(SENT_PACKETS, packets);
            cell.add(SENT_BYTES, bytes);
        } else {
            counters.add(SEND_DISCARDS, packets);
        }
        nbl.setStatus(status);
    }

    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        // One lock for the whole chain rather than one per NBL: the receive path pays for it per returned batch.
        synchronized (free) {
            NetBufferList nbl = chain;
            while (nbl != null) {
                NetBufferList next = nbl.next();
                ReceiveBuffer buffer = bufferOf(nbl);
                if (!buffer.indicated) {
                    throw new IllegalStateException(name + ": " + buffer + " returned but not indicated (returned"
                            + " twice, or indicated with NDIS_RECEIVE_FLAGS_RESOURCES)");
                }
                buffer.empty();
                free[freeCount++] = buffer;
                nbl = next;
            }
        }
    }

    @Override
    public int serviceQueue(int queue, int budget) {
        MiniportEdge indicateTo = edge;
        if (indicateTo == null) {
            throw new IllegalStateException(name + " is not initialized");
        }
        int done = queue == 0 ? completeSends(indicateTo) : 0;
        Ring ring = rings[queue];
        NetBufferList head = null;
        NetBufferList tail = null;
        int count = 0;
        long bytes = 0;
        // The ring's lock once per indication, not once per packet.
        synchronized (ring) {
            while (count < budget) {
                ReceiveBuffer buffer = ring.pollHoldingLock();
                if (buffer == null) {
                    break;
                }
                NetBufferList nbl = buffer.nbl;
                nbl.setNext(null);
                nbl.setSourceHandle(indicateTo);
                buffer.indicated = true;
                bytes += buffer.length;
                if (tail == null) {
                    head = nbl;
                } else {
                    tail.setNext(nbl);
                }
                tail = nbl;
                count++;
            }
        }
        if (head == null) {
            return done;
        }
        StripedCounters.Cell cell = counters.cell();
        cell.add(RECEIVED_PACKETS, count);
        cell.add(RECEIVED_BYTES, bytes);
        boolean low = freeReceiveBuffers() < lowWaterMark;
        int flags = NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL | (low ? NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES : 0);
        indicateTo.indicateReceiveNetBufferLists(head, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, count, flags);
        if (low) {
            // RESOURCES: ownership came back when the call returned, with the chain linkage restored (§6.4).
            returnNetBufferLists(head, NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
        }
        return done + count;
    }

    private int completeSends(MiniportEdge completeTo) {
        NetBufferList chain;
        synchronized (pendingLock) {
            chain = pendingHead;
            pendingHead = null;
            pendingTail = null;
        }
        if (chain == null) {
            return 0;
        }
        int count = NetBufferLists.count(chain);
        completeTo.sendNetBufferListsComplete(chain, NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        return count;
    }

    @Override
    public void awaitWork(int queue, long timeoutNanos) throws InterruptedException {
        if (hasWork(queue)) {
            return;
        }
        waiters[queue] = Thread.currentThread();
        try {
            if (!hasWork(queue)) {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        } finally {
            waiters[queue] = null;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(name + " queue " + queue);
        }
    }

    private boolean hasWork(int queue) {
        if (!rings[queue].isEmpty()) {
            return true;
        }
        if (queue != 0) {
            return false;
        }
        synchronized (pendingLock) {
            return pendingHead != null;
        }
    }

    private void wake(int queue) {
        Thread waiter = waiters[queue];
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * {@code MiniportHaltEx}: frees the receive buffers and their pool.
     *
     * @throws IllegalStateException naming the buffers still indicated (not returned), or if sends are still waiting
     *     for completion; nothing is freed then
     */
    @Override
    public void close() {
        NetBufferListPool receivePool = pool;
        if (receivePool == null) {
            return;
        }
        List<String> outstanding = new ArrayList<>();
        for (ReceiveBuffer buffer : buffers) {
            if (buffer.indicated) {
                outstanding.add(buffer + " " + buffer.nbl + " (" + buffer.nbl.ownerState() + ")");
            }
        }
        boolean sendsPending;
        synchronized (pendingLock) {
            sendsPending = pendingHead != null;
        }
        if (!outstanding.isEmpty() || sendsPending) {
            throw new IllegalStateException(name + " halted with " + outstanding.size() + " indicated NBLs not returned"
                    + (sendsPending ? " and sends not completed" : "") + ": " + outstanding);
        }
        for (ReceiveBuffer buffer : buffers) {
            buffer.nbl.miniportReserved()[0] = null;
            buffer.nbl.free();
        }
        receivePool.close();
        pool = null;
    }

    private ReceiveBuffer bufferOf(NetBufferList nbl) {
        if (nbl.miniportReserved()[0] instanceof ReceiveBuffer buffer && buffer.nbl == nbl) {
            return buffer;
        }
        throw new IllegalStateException(name + ": " + nbl + " returned to a miniport that did not indicate it");
    }

    private void recycle(ReceiveBuffer buffer) {
        buffer.empty();
        synchronized (free) {
            free[freeCount++] = buffer;
        }
    }

    private static Mdl dataMdl(NetBuffer nb) {
        Mdl mdl = nb.currentMdl();
        if (mdl == null) {
            throw new IllegalStateException("a receive buffer without its MDL");
        }
        return mdl;
    }

    @Override
    public String toString() {
        return "memory miniport " + name;
    }

    /** One receive buffer: an NBL of the data pool, the length of the packet in it, and whether it is indicated. */
    private static final class ReceiveBuffer {
        final int index;
        final NetBufferList nbl;
        int length;
        volatile boolean indicated;

        ReceiveBuffer(int index, NetBufferList nbl) {
            this.index = index;
            this.nbl = nbl;
        }

        /** Makes the NB's last {@code bytes} of buffer its data (a retreat into the headroom, never allocating). */
        NetBuffer fill(int bytes) {
            NetBuffer nb = firstNetBuffer();
            nb.retreat(bytes, 0, null);
            length = bytes;
            return nb;
        }

        /** Gives the buffer back its whole headroom and clears what the last indication left on the NBL. */
        void empty() {
            firstNetBuffer().advance(length, false, null);
            length = 0;
            indicated = false;
            nbl.setNext(null);
            nbl.setStatus(NtStatus.NDIS_STATUS_SUCCESS);
        }

        private NetBuffer firstNetBuffer() {
            NetBuffer nb = nbl.firstNetBuffer();
            if (nb == null) {
                throw new IllegalStateException("a receive buffer without its NB");
            }
            return nb;
        }

        @Override
        public String toString() {
            return "receive buffer " + index;
        }
    }

    /** A bounded ring of queued receive buffers, guarded by itself. */
    private static final class Ring {
        private final ReceiveBuffer[] slots;
        private int head;
        private int count;

        Ring(int capacity) {
            slots = new ReceiveBuffer[capacity];
        }

        synchronized boolean offer(ReceiveBuffer buffer) {
            if (count == slots.length) {
                return false;
            }
            slots[(head + count) % slots.length] = buffer;
            count++;
            return true;
        }

        /** Takes the oldest queued buffer; the caller holds this ring's monitor. */
        @Nullable
        ReceiveBuffer pollHoldingLock() {
            if (count == 0) {
                return null;
            }
            ReceiveBuffer buffer = slots[head];
            slots[head] = null;
            head = (head + 1) % slots.length;
            count--;
            return buffer;
        }

        synchronized boolean isEmpty() {
            return count == 0;
        }
    }

    /** Describes a memory miniport. */
    public static final class Builder {
        private String name = "mem0";
        private int mtu = 1500;
        private int largestCoalesced;
        private int queues = 1;
        private int receiveBuffers = 256;
        private int ringCapacity = 256;
        private int lowWaterMark = 8;
        private TransmitSink sink = TransmitSink.DISCARD;
        private OffloadCapabilities offloads = OffloadCapabilities.NONE;

        private Builder() {}

        /** The task offloads the device reports; {@link OffloadCapabilities#NONE} by default. */
        public Builder offloads(OffloadCapabilities capabilities) {
            this.offloads = capabilities;
            return this;
        }

        /** The device's name; {@code mem0} by default. */
        public Builder name(String deviceName) {
            this.name = deviceName;
            return this;
        }

        /** The MTU and the size of each receive buffer; 1500 by default. */
        public Builder mtu(int bytes) {
            if (bytes < 68 || bytes > NetBufferListPoolParameters.MAXIMUM_DATA_SIZE) {
                throw new IllegalArgumentException("MTU out of range: " + bytes);
            }
            this.mtu = bytes;
            return this;
        }

        /**
         * The longest coalesced packet (an RSC SCU, several TCP segments in one) the device indicates; its receive
         * buffers are this big when it exceeds the MTU. 0 (the default): every buffer holds the MTU, as a device
         * without RSC.
         */
        public Builder largestCoalesced(int bytes) {
            if (bytes < 0 || bytes > NetBufferListPoolParameters.MAXIMUM_DATA_SIZE) {
                throw new IllegalArgumentException("largest coalesced packet out of range: " + bytes);
            }
            this.largestCoalesced = bytes;
            return this;
        }

        /** The number of receive queues; 1 by default. */
        public Builder receiveQueues(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("at least one receive queue: " + count);
            }
            this.queues = count;
            return this;
        }

        /** How many receive buffers (NBLs) the device owns; 256 by default. */
        public Builder receiveBuffers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("at least one receive buffer: " + count);
            }
            this.receiveBuffers = count;
            return this;
        }

        /** How many packets each queue's ring holds; 256 by default. */
        public Builder ringCapacity(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("a ring needs a slot: " + slots);
            }
            this.ringCapacity = slots;
            return this;
        }

        /** Below this many free receive buffers indications carry RESOURCES; 8 by default, 0 never. */
        public Builder lowWaterMark(int buffers) {
            this.lowWaterMark = buffers;
            return this;
        }

        /** Where sent packets go; {@link TransmitSink#DISCARD} by default. */
        public Builder transmitSink(TransmitSink transmitSink) {
            this.sink = transmitSink;
            return this;
        }

        public MemoryMiniport build() {
            return new MemoryMiniport(this);
        }
    }
}
