package org.nbl4j.io.tun;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.LinkStateIndication;
import org.nbl4j.stack.ndis.Miniport;
import org.nbl4j.stack.ndis.MiniportEdge;
import org.nbl4j.stack.ndis.MiniportOidAnswers;
import org.nbl4j.stack.ndis.MiniportStatistics;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.Oids;
import org.nbl4j.stack.ndis.ReceiveSideScaling;
import org.nbl4j.stack.ndis.StatusIndication;

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
 * <p><b>Send.</b> {@link #sendNetBufferLists} writes each NB as one packet to the queue chosen by the NBL's hash value
 * modulo the queue count, sets the NBL's Status, and queues it for completion from that queue's next
 * {@link #serviceQueue}, waking the queue's thread. A TUN {@code write} carries exactly one packet, so a chain of
 * several packets is written through the sending thread's io_uring ({@link ChainWrites#IO_URING}, the default): one
 * {@code IORING_OP_WRITEV} entry per packet over its MDLs, one {@code io_uring_enter} that submits them and waits for
 * all their completions; a single packet, a miniport made with {@link ChainWrites#WRITEV_PER_PACKET}, or a kernel that
 * gives no ring, writes each packet with one {@code writev}. A TUN write that would block (the kernel does not
 * normally refuse one) completes the NBL with {@code NDIS_STATUS_RESOURCES} rather than holding it: a miniport may
 * not hold sends without bound, and a full NIC ring behaves the same. An NB longer than the MTU completes with
 * {@code NDIS_STATUS_INVALID_LENGTH}, other write errors with {@code NDIS_STATUS_FAILURE}; all three count as send
 * discards, and fail only their own NBL in a chain. {@link #sendSystemCalls()} counts the writes' system calls.
 *
 * <p>Received NBLs carry their Toeplitz hash in the RSS hash slots, for filters and callouts that read it; the queue
 * a packet arrives on is the one the kernel steered its flow to.
 *
 * <p><b>Offloads.</b> Over a device opened with a virtio-net header ({@link TunDevice#offloads()}) the miniport
 * advertises what the kernel granted as its {@link OffloadCapabilities} and maps the header to the NBL's offload
 * info slots ({@link OffloadInfo}). A packet is read with its header into the NBL's buffer and the NB starts after
 * it ({@code DataOffset} 12), so nothing is copied. On receive, {@code DATA_VALID} becomes the {@code Succeeded}
 * receive checksum bits; {@code NEEDS_CSUM} (the field holds only the pseudo-header sum) the same plus
 * {@code TcpChecksumValueInvalid}, as an RSC NIC marks a coalesced segment whose checksum it checked but did not
 * recompute; a super-packet ({@code gso_type} set) becomes an RSC indication with {@code CoalescedSegCount} = the
 * payload divided by {@code gso_size}, rounded up. On send, an LSO request becomes a GSO header ({@code gso_size} =
 * MSS), transmit checksum bits become {@code NEEDS_CSUM}, and the IPv4 header checksum an NBL asks for is computed
 * here (TUN has no offload for it); an LSOv1 send completes with the TCP payload bytes sent.
 *
 * <p><b>Link state.</b> Every {@link #LINK_POLL_INTERVAL} queue 0's {@link #serviceQueue} asks the kernel for the
 * interface's flags ({@link TunDevice#interfaceFlags()}, in whatever namespace the interface is now): connected while
 * it is {@code IFF_UP} and {@code IFF_RUNNING}, disconnected otherwise ({@code ip link set down}, or no carrier). A
 * change is indicated up once, as a Windows miniport does with {@code NdisMIndicateStatusEx} and an
 * {@code NDIS_STATUS_LINK_STATE} whose {@code NDIS_LINK_STATE} carries {@code MediaConnectState} and the link speed
 * ("NDIS_STATUS_LINK_STATE": indicate only when the physical state changed); {@code OID_GEN_MEDIA_CONNECT_STATUS}
 * and {@code OID_GEN_LINK_STATE} answer from the same state. Until the first poll the link counts as connected (the
 * kernel turns a TUN's carrier on when its queue attaches). If the flags cannot be read (no {@code CAP_SYS_ADMIN} to
 * enter the interface's namespace), the state stays as last seen.
 *
 * <p><b>Pended OIDs.</b> The counter queries ({@code OID_GEN_STATISTICS}, {@code OID_GEN_XMIT_OK},
 * {@code OID_GEN_RCV_OK}) return {@code NDIS_STATUS_PENDING} and complete on the next poll, on queue 0's thread, with
 * the counters at that moment ({@code NdisMOidRequestComplete}), the shape of a miniport that reads its statistics
 * from the hardware. {@code MiniportCancelOidRequest} completes a request it still holds with
 * {@code NDIS_STATUS_REQUEST_ABORTED} at once (MINIPORT_CANCEL_OID_REQUEST); one already answered is not touched, so
 * each completes exactly once. Polls run only while the adapter services its queues: a request pended while the
 * adapter is paused completes after the restart, or at halt. Other OIDs are answered at once.
 */
public final class TunMiniport implements Miniport {
    /** Answers OID requests from the device's own properties; keeps the packet filter the protocol set. */
    private final MiniportOidAnswers oidAnswers = new MiniportOidAnswers(this);

    /** How often queue 0 reads the interface's flags and completes pended counter queries. */
    public static final Duration LINK_POLL_INTERVAL = Duration.ofMillis(100);

    private final ReceiveSideScaling receiveSideScaling = ReceiveSideScaling.spreading(1);
    /** The receive pool's tag. */
    public static final PoolTag RECEIVE_POOL_TAG = PoolTag.of("Tunr");
    /** Receive NBLs per queue unless the constructor says otherwise. */
    public static final int DEFAULT_RECEIVE_NBLS_PER_QUEUE = 256;
    /** The smallest MTU an IPv4 link may have (RFC 791). */
    public static final int MINIMUM_MTU = 68;
    /** The largest IP packet, and so the largest MTU. */
    public static final int MAXIMUM_MTU = 65535;

    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;

    private final TunDevice device;
    private final int mtu;
    /** Bytes of virtio-net header before each packet: 0 or {@link VirtioNetHeader#BYTES}. */
    private final int headerBytes;

    private final OffloadCapabilities capabilities;
    private final int dataSize;
    private final int receiveNblsPerQueue;
    private final int lowWaterMark;
    private final Arena arena = Arena.ofShared();
    private final TunQueue[] queues;

    private @Nullable MiniportEdge edge;
    private @Nullable NetBufferListPool pool;
    private volatile boolean closed;

    /** The last media connect state polled (or connected before the first poll); written on queue 0's thread only. */
    private volatile LinkState linkState = LinkState.CONNECTED;
    /** When queue 0 polls next ({@link System#nanoTime()}); read and written on queue 0's thread only. */
    private long nextPoll;
    /** Counter queries that returned PENDING and are neither answered nor cancelled yet, oldest first. */
    private final List<OidRequest> pendedOids = new ArrayList<>();

    private final LongAdder receivedPackets = new LongAdder();
    private final LongAdder receivedBytes = new LongAdder();
    private final LongAdder receiveDiscards = new LongAdder();
    private final LongAdder receiveErrors = new LongAdder();
    private final LongAdder sentPackets = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private final LongAdder sendDiscards = new LongAdder();
    private final LongAdder sendSystemCalls = new LongAdder();
    /** Whether chains of several packets are written through io_uring ({@link ChainWrites#IO_URING}). */
    private final boolean ringWrites;

    /**
     * How a miniport writes a chain of several packets: a TUN {@code write} carries one packet, so a chain costs one
     * system call per packet unless io_uring batches them.
     */
    public enum ChainWrites {
        /**
         * One {@code IORING_OP_WRITEV} entry per packet and one {@code io_uring_enter} per chain (per
         * {@value SendSlots#RING_ENTRIES} packets) on the sending thread's ring; packet by packet where the kernel
         * gives no ring ({@code ENOSYS}, {@code EPERM} under {@code kernel.io_uring_disabled}, another architecture).
         */
        IO_URING,
        /** One {@code writev} per packet. */
        WRITEV_PER_PACKET
    }

    /** A miniport with {@value #DEFAULT_RECEIVE_NBLS_PER_QUEUE} receive NBLs per queue. */
    public TunMiniport(TunDevice device, int mtu) throws TunException {
        this(device, mtu, DEFAULT_RECEIVE_NBLS_PER_QUEUE);
    }

    /** A miniport that writes chains through io_uring where the kernel allows ({@link ChainWrites#IO_URING}). */
    public TunMiniport(TunDevice device, int mtu, int receiveNblsPerQueue) throws TunException {
        this(device, mtu, receiveNblsPerQueue, ChainWrites.IO_URING);
    }

    /**
     * A miniport over {@code device}, which it owns from now on and closes at {@link #close()} (if the constructor
     * throws, the caller still owns the device).
     *
     * @param device a device opened non-blocking
     * @param mtu the interface's MTU as the caller configures it; received packets up to this size fit an NBL
     * @param receiveNblsPerQueue how many NBLs each queue receives into; the low-water mark under which indications
     *     carry {@code NDIS_RECEIVE_FLAGS_RESOURCES} is an eighth of it (at least 1)
     * @param chainWrites how a chain of several packets is written
     */
    public TunMiniport(TunDevice device, int mtu, int receiveNblsPerQueue, ChainWrites chainWrites)
            throws TunException {
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
        this.headerBytes = device.virtioHeaderBytes();
        this.capabilities = capabilitiesOf(device.offloads());
        // A super-packet is at most the largest IP packet (RFC 791 §3.1, the SCU limit of "Indicating Coalesced
        // Segments"); BIG TCP's larger ones are not asked for.
        int largest = device.offloads().coalescing() ? MAXIMUM_MTU : mtu;
        this.dataSize = (headerBytes + largest + 63) & ~63;
        this.receiveNblsPerQueue = receiveNblsPerQueue;
        this.lowWaterMark = Math.max(1, receiveNblsPerQueue / 8);
        this.ringWrites = chainWrites == ChainWrites.IO_URING;
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

    @Override
    public OffloadCapabilities offloadCapabilities() {
        return capabilities;
    }

    /** What the TUN device's kernel granted ({@code IFF_VNET_HDR}, {@code TUNSETOFFLOAD}). */
    public TunOffloads deviceOffloads() {
        return device.offloads();
    }

    /**
     * The NDIS offloads a device with these TUN offloads has. Writing super-packets and partial checksums to the
     * kernel needs only the header, so every device with one can do LSO and transmit checksums; what the kernel
     * hands over (RSC, receive checksum bits) is what {@code TUNSETOFFLOAD} granted.
     */
    static OffloadCapabilities capabilitiesOf(TunOffloads offloads) {
        if (!offloads.virtioHeader()) {
            return OffloadCapabilities.NONE;
        }
        return new OffloadCapabilities(
                true,
                offloads.checksum(),
                true,
                true,
                MAXIMUM_MTU,
                2,
                offloads.tcpSegmentation(false),
                offloads.tcpSegmentation(true),
                true,
                true);
    }

    /** The interface index ({@code if_nametoindex} when the device was opened). */
    public int ifIndex() {
        return device.ifIndex();
    }

    /** The state the last poll saw (connected before the first); disconnected once halted. */
    @Override
    public LinkState linkState() {
        return closed ? LinkState.DISCONNECTED : linkState;
    }

    /**
     * {@code MiniportOidRequest}: counter queries pend until the next poll (see the class comment); everything else
     * is answered at once from the minimal set every nbl4j miniport answers.
     */
    @Override
    public int oidRequest(OidRequest request) {
        if (edge != null && readsCounters(request)) {
            synchronized (pendedOids) {
                pendedOids.add(request);
            }
            return NtStatus.NDIS_STATUS_PENDING;
        }
        return oidAnswers.answer(request);
    }

    private static boolean readsCounters(OidRequest request) {
        boolean query = request.requestType() == Oids.NdisRequestQueryInformation
                || request.requestType() == Oids.NdisRequestQueryStatistics;
        return query
                && switch (request.oid()) {
                    case Oids.OID_GEN_STATISTICS, Oids.OID_GEN_XMIT_OK, Oids.OID_GEN_RCV_OK -> true;
                    default -> false;
                };
    }

    /** {@code MiniportCancelOidRequest}: aborts the pended request carrying {@code requestId}, if one is still held. */
    @Override
    public void cancelOidRequest(Object requestId) {
        OidRequest cancelled = null;
        synchronized (pendedOids) {
            for (Iterator<OidRequest> held = pendedOids.iterator(); held.hasNext(); ) {
                OidRequest pended = held.next();
                if (requestId.equals(pended.requestId())) {
                    cancelled = pended;
                    held.remove();
                    break;
                }
            }
        }
        MiniportEdge up = edge;
        if (cancelled != null && up != null) {
            up.oidRequestComplete(cancelled, NtStatus.NDIS_STATUS_REQUEST_ABORTED);
        }
    }

    /** Answers and completes every pended counter query ({@code NdisMOidRequestComplete}). */
    private void completePendedOids(MiniportEdge up) {
        List<OidRequest> answering;
        synchronized (pendedOids) {
            if (pendedOids.isEmpty()) {
                return;
            }
            answering = List.copyOf(pendedOids);
            pendedOids.clear();
        }
        for (OidRequest request : answering) {
            up.oidRequestComplete(request, oidAnswers.answer(request));
        }
    }

    /**
     * Reads the interface's flags and indicates {@code NDIS_STATUS_LINK_STATE} up if the media connect state changed.
     */
    private void pollLinkState(MiniportEdge up) {
        LinkState now;
        try {
            int flags = device.interfaceFlags();
            int connected = TunDevice.IFF_UP | TunDevice.IFF_RUNNING;
            now = (flags & connected) == connected ? LinkState.CONNECTED : LinkState.DISCONNECTED;
        } catch (TunException unreadable) {
            return; // mid-move between namespaces, or not permitted: keep what was last seen
        }
        if (now != linkState) {
            linkState = now;
            up.indicateStatus(StatusIndication.linkState(up, new LinkStateIndication(now, linkSpeed(), linkSpeed())));
        }
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
        this.nextPoll = System.nanoTime();
        this.edge = edge;
    }

    // ---- receive ----

    @Override
    public int serviceQueue(int queue, int budget) {
        MiniportEdge up = requireRunning();
        TunQueue q = queues[queue];
        if (queue == 0) {
            long now = System.nanoTime();
            if (now - nextPoll >= 0) {
                nextPoll = now + LINK_POLL_INTERVAL.toNanos();
                pollLinkState(up);
                completePendedOids(up);
            }
        }
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
        MemorySegment buffer = data.buffer();
        long base = data.bufferOffset();
        try {
            length = device.read(q.index, buffer, base, dataSize);
        } catch (TunException e) {
            // A failing descriptor would fail again at once: end this round as if the queue were empty.
            receiveErrors.increment();
            return TunDevice.WOULD_BLOCK;
        }
        if (length == TunDevice.WOULD_BLOCK) {
            return length;
        }
        if (length > dataSize || length <= headerBytes) {
            // The kernel reports a packet's full length even when it copied only what fit: bigger than the MTU.
            receiveErrors.increment();
            return 0;
        }
        int packetLength = length - headerBytes;
        nb.setDataOffset(headerBytes);
        nb.setDataLength(packetLength);
        nb.adjustCurrentMdl();
        long packet = base + headerBytes;
        if (headerBytes > 0) {
            indicateOffloads(nbl, buffer, base, packet, packetLength);
        }
        receiveSideScaling.stamp(nbl, buffer, packet, packetLength);
        return packetLength;
    }

    /**
     * Maps a received packet's virtio-net header at {@code header} to the NBL's checksum and RSC info, {@code gso_size}
     * included ({@link OffloadInfo#coalescedSegmentSize}).
     */
    static void indicateOffloads(NetBufferList nbl, MemorySegment buffer, long header, long packet, int length) {
        int flags = VirtioNetHeader.flags(buffer, header);
        int gsoType = VirtioNetHeader.gsoType(buffer, header) & ~VirtioNetHeader.GSO_ECN;
        boolean ipv4 = length > 0 && (buffer.get(ValueLayout.JAVA_BYTE, packet) & 0xF0) == 0x40;
        int checksum = 0;
        if ((flags & (VirtioNetHeader.F_DATA_VALID | VirtioNetHeader.F_NEEDS_CSUM)) != 0) {
            int protocol = transportOf(flags, gsoType, buffer, header, packet, length, ipv4);
            checksum = (ipv4 ? OffloadInfo.RECEIVE_IP_CHECKSUM_SUCCEEDED : 0)
                    | (protocol == PROTOCOL_TCP ? OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED : 0)
                    | (protocol == PROTOCOL_UDP ? OffloadInfo.RECEIVE_UDP_CHECKSUM_SUCCEEDED : 0)
                    | ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && protocol == PROTOCOL_TCP
                            ? OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID
                            : 0);
        }
        OffloadInfo.setChecksum(nbl, checksum);
        int segments = 0;
        int gsoSize = VirtioNetHeader.gsoSize(buffer, header);
        if (gsoType != VirtioNetHeader.GSO_NONE && gsoSize > 0) {
            int transport = VirtioNetHeader.checksumStart(buffer, header);
            int headers = transport + transportHeaderLength(gsoType, buffer, packet + transport);
            segments = OffloadInfo.segmentCount(length - headers, gsoSize);
        }
        // gso_size goes with the count (nbl4j's extension of the RSC slot): software segmentation cuts where the
        // sender's segments ended, as Linux's GSO does, not at an even split of the count.
        OffloadInfo.setCoalesced(nbl, segments, 0, gsoSize);
    }

    /** The transport protocol whose checksum the header speaks of, from {@code csum_offset} or the GSO type. */
    private static int transportOf(
            int flags, int gsoType, MemorySegment buffer, long header, long packet, int length, boolean ipv4) {
        if (gsoType == VirtioNetHeader.GSO_TCPV4 || gsoType == VirtioNetHeader.GSO_TCPV6) {
            return PROTOCOL_TCP;
        }
        if (gsoType == VirtioNetHeader.GSO_UDP_L4 || gsoType == VirtioNetHeader.GSO_UDP) {
            return PROTOCOL_UDP;
        }
        if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
            return switch (VirtioNetHeader.checksumOffset(buffer, header)) {
                case VirtioNetHeader.TCP_CHECKSUM_OFFSET -> PROTOCOL_TCP;
                case VirtioNetHeader.UDP_CHECKSUM_OFFSET -> PROTOCOL_UDP;
                default -> 0;
            };
        }
        // DATA_VALID: the protocol field of an IPv4 header, the next header of an IPv6 one without extensions.
        int at = ipv4 ? 9 : 6;
        return length > at ? Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, packet + at)) : 0;
    }

    /** The TCP header's length (data offset) or UDP's 8. */
    private static int transportHeaderLength(int gsoType, MemorySegment buffer, long transport) {
        if (gsoType == VirtioNetHeader.GSO_UDP_L4 || gsoType == VirtioNetHeader.GSO_UDP) {
            return 8;
        }
        return (Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, transport + 12)) >>> 4) * 4;
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

    /**
     * {@code MiniportSendNetBufferLists}: writes every NB of the chain, sets each NBL's status and queues it for
     * completion. A chain of several packets goes down in one {@code io_uring_enter} (up to
     * {@value SendSlots#RING_ENTRIES} packets a call) when the miniport writes chains through io_uring and the kernel
     * gives the thread a ring; otherwise, and for a single packet, each packet is one {@code writev}.
     */
    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        requireRunning();
        NetBuffer first = chain.firstNetBuffer();
        boolean ring = ringWrites && (chain.next() != null || (first != null && first.next() != null));
        SendSlots slots = SendSlots.current(ring);
        writeChain(chain, slots, ring ? slots.ring : null, Libc.errnoState());
    }

    /**
     * The system calls sends have made to write packets: a {@code writev} per packet written on its own, an
     * {@code io_uring_enter} per batch of a chain written through the ring.
     */
    public long sendSystemCalls() {
        return sendSystemCalls.sum();
    }

    /**
     * Writes a chain, through {@code ring} when there is one: each NB becomes a slot whose {@code writev} is a ring
     * entry, and a batch goes down when the slots run out, when a slot would patch a checksum field an earlier one of
     * the batch patched, and at the chain's end. Without a ring each NB is written at once. An NBL's status is its
     * first failing NB's, in NB order, or success.
     */
    private void writeChain(NetBufferList chain, SendSlots s, @Nullable IoUring ring, MemorySegment errno) {
        s.nblCount = 0;
        s.slotCount = 0;
        s.sqeCount = 0;
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            if (s.nblCount == s.capacity) {
                flushBatch(s, false);
            }
            int k = s.nblCount++;
            int queue = queues.length == 1 ? 0 : Integer.remainderUnsigned(nbl.hashValue(), queues.length);
            int lso = headerBytes == 0 ? 0 : OffloadInfo.largeSend(nbl);
            int checksum = headerBytes == 0 ? 0 : OffloadInfo.transmitChecksum(nbl);
            s.nbls[k] = nbl;
            s.nblQueue[k] = queue;
            s.nblLso[k] = lso;
            s.nblStatus[k] = NtStatus.NDIS_STATUS_SUCCESS;
            s.nblPayload[k] = 0;
            NetBuffer nb = nbl.firstNetBuffer();
            if (nb == null) {
                sendDiscards.increment();
                s.nblStatus[k] = NtStatus.NDIS_STATUS_FAILURE;
            }
            for (; nb != null; nb = nb.next()) {
                if (s.ring == null || ring == null) {
                    account(s, k, nb.dataLength(), writeOne(nb, queue, s, errno, lso, checksum));
                    continue;
                }
                if (s.slotCount == s.capacity) {
                    k = flushBatch(s, true);
                }
                int count = prepare(nb, s, s.slotCount, lso, checksum);
                if (count == PATCHED_BEFORE) {
                    k = flushBatch(s, true);
                    count = prepare(nb, s, 0, lso, checksum);
                }
                if (s.ring == null) {
                    // The batch just sent broke the ring: this NB is written on its own.
                    account(s, k, nb.dataLength(), count < 0 ? count : writePrepared(queue, s, count, errno));
                    continue;
                }
                int slot = s.slotCount++;
                s.owner[slot] = k;
                s.length[slot] = nb.dataLength();
                s.inRing[slot] = count > 0;
                if (count > 0) {
                    s.results[slot] = UNREPORTED;
                    s.ring.prepareWritev(s.sqeCount++, device.fd(queue), s.iovecAddress(slot), count, slot);
                } else {
                    s.refused[slot] = count;
                }
            }
            nbl = next;
        }
        flushBatch(s, false);
    }

    /**
     * Submits the batch's ring entries and waits for them, accounts every slot to its NBL, and completes the NBLs
     * whose NBs are all written; with {@code carry} the last NBL has more to come and stays, as the batch's first.
     *
     * @return the index of the carried NBL (0)
     */
    private int flushBatch(SendSlots s, boolean carry) {
        IoUring ring = s.ring;
        if (s.sqeCount > 0 && ring != null) {
            try {
                sendSystemCalls.add(ring.submitAndWait(s.sqeCount, s.results));
            } catch (TunException e) {
                // Not a packet's failure but the ring's: a write it did not report fails (UNREPORTED), and this
                // thread goes back to writev.
                s.dropRing();
            }
        }
        for (int slot = 0; slot < s.slotCount; slot++) {
            s.restore(slot);
            int outcome =
                    s.inRing[slot] ? outcomeOf(s.results[slot], s.expected[slot], s.payload[slot]) : s.refused[slot];
            account(s, s.owner[slot], s.length[slot], outcome);
        }
        int done = carry ? s.nblCount - 1 : s.nblCount;
        for (int k = 0; k < done; k++) {
            complete(s.nbls[k], s.nblQueue[k], s.nblLso[k], s.nblStatus[k], s.nblPayload[k]);
            s.nbls[k] = null;
        }
        if (carry) {
            int last = s.nblCount - 1;
            s.nbls[0] = s.nbls[last];
            s.nblQueue[0] = s.nblQueue[last];
            s.nblLso[0] = s.nblLso[last];
            s.nblStatus[0] = s.nblStatus[last];
            s.nblPayload[0] = s.nblPayload[last];
            if (last != 0) {
                s.nbls[last] = null;
            }
        }
        s.nblCount = carry ? 1 : 0;
        s.slotCount = 0;
        s.sqeCount = 0;
        return 0;
    }

    /** Counts one NB's outcome (payload sent, or a failure status) and folds it into its NBL's. */
    private void account(SendSlots s, int k, int length, int outcome) {
        if (outcome >= 0) {
            sentPackets.increment();
            sentBytes.add(length);
            s.nblPayload[k] += outcome;
        } else {
            sendDiscards.increment();
            if (s.nblStatus[k] == NtStatus.NDIS_STATUS_SUCCESS) {
                s.nblStatus[k] = outcome;
            }
        }
    }

    /** Sets an NBL's final status (and LSO completion) and queues it for completion from its queue. */
    private void complete(NetBufferList nbl, int queue, int lso, int status, int payloadSent) {
        if (OffloadInfo.largeSendMss(lso) != 0) {
            // The completion overwrites the request (nbllso.h): LSOv1 reports the TCP payload bytes sent.
            OffloadInfo.completeLargeSend(nbl, OffloadInfo.largeSendType(lso), payloadSent);
        }
        nbl.setStatus(status);
        nbl.setNext(null);
        queues[queue].queueCompletion(nbl);
    }

    /**
     * What a packet's write came to, from what {@code writev} (or its ring completion) reported: the payload of an
     * LSO send (0 otherwise) when the whole packet went, {@code NDIS_STATUS_RESOURCES} for a write that would block
     * (the kernel does not normally refuse one), {@code NDIS_STATUS_INVALID_LENGTH} for one too long, and
     * {@code NDIS_STATUS_FAILURE} for anything else, a short write included.
     *
     * @param result the bytes written, or {@code -errno}
     */
    private static int outcomeOf(long result, int expected, int payload) {
        if (result == expected) {
            return payload;
        }
        if (result == -Libc.EAGAIN) {
            return NtStatus.NDIS_STATUS_RESOURCES;
        }
        return result == -Libc.EMSGSIZE ? NtStatus.NDIS_STATUS_INVALID_LENGTH : NtStatus.NDIS_STATUS_FAILURE;
    }

    /**
     * Writes one NB with one {@code writev} from slot 0.
     *
     * @return the TCP payload bytes sent (0 unless a large send), or a failure status (negative)
     */
    private int writeOne(NetBuffer nb, int queue, SendSlots s, MemorySegment errno, int lso, int checksum) {
        int count = prepare(nb, s, 0, lso, checksum);
        return count < 0 ? count : writePrepared(queue, s, count, errno);
    }

    /** Writes slot 0, prepared with {@code count} iovecs, with one {@code writev}, then puts back what it patched. */
    private int writePrepared(int queue, SendSlots s, int count, MemorySegment errno) {
        long result;
        try {
            sendSystemCalls.increment();
            long written = device.writeGather(queue, s.iovecs, count, errno);
            result = written == TunDevice.WOULD_BLOCK ? -Libc.EAGAIN : written;
        } catch (TunException e) {
            result = -e.errno();
        } finally {
            s.restore(0);
        }
        return outcomeOf(result, s.expected[0], s.payload[0]);
    }

    /**
     * Describes the NB's {@code length} bytes as iovecs, one per MDL run, without copying; {@code runs} is the
     * thread's cursor, reused so that a packet over several MDLs allocates nothing either.
     *
     * @return how many iovecs, or 0 if there is nothing to send, a run is not native memory, there are too many, or
     *     the MDL chain ends before DataLength does (a broken NB, ndis-buffers §3.2)
     */
    private static int gather(NetBuffer nb, int length, MemorySegment iovecs, int firstIndex, MdlCursor runs) {
        if (length == 0) {
            return 0;
        }
        Mdl first = nb.currentMdl();
        long offset = nb.currentMdlOffset();
        if (MdlCursor.inOneMdl(first, offset, length)) {
            // Every single-MDL packet: one iovec, without walking the cursor.
            return setIovec(iovecs, firstIndex, first.buffer(), first.bufferOffset() + offset, length) ? 1 : 0;
        }
        int count = 0;
        for (boolean more = runs.seek(first, offset, length); more; more = runs.next()) {
            if (count == SendSlots.MAXIMUM_IOVECS
                    || !setIovec(iovecs, firstIndex + count, runs.segment(), runs.segmentOffset(), runs.length())) {
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

    /** A ring slot's result until its completion reports one: no write reports it, so it reads as a failure. */
    private static final int UNREPORTED = Integer.MIN_VALUE;

    /** {@link #prepare}'s answer when the NB's checksum field is patched by an earlier slot of the batch. */
    private static final int PATCHED_BEFORE = 0;

    /**
     * Prepares one NB's write in a slot: its iovecs, behind a virtio-net header built from the NBL's LSO and transmit
     * checksum info when the device has one. An LSO send's TCP checksum field is patched for the write and recorded
     * in the slot, to be put back once the write completed ({@link SendSlots#restore}).
     *
     * @return the iovec count (positive), a failure status (negative), or {@link #PATCHED_BEFORE}
     */
    private int prepare(NetBuffer nb, SendSlots s, int slot, int lso, int checksum) {
        int length = nb.dataLength();
        int mss = OffloadInfo.largeSendMss(lso);
        if (length > (mss != 0 ? MAXIMUM_MTU : mtu)) {
            return NtStatus.NDIS_STATUS_INVALID_LENGTH;
        }
        int headerIovec = SendSlots.firstIovec(slot);
        int count = gather(nb, length, s.iovecs, headerBytes == 0 ? headerIovec : headerIovec + 1, s.runs);
        if (count == 0) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        s.expected[slot] = length + headerBytes;
        s.payload[slot] = 0;
        if (headerBytes == 0) {
            return count;
        }
        Mdl first = nb.currentMdl();
        MemorySegment packet = first.buffer();
        long at = first.bufferOffset() + nb.currentMdlOffset();
        MemorySegment header = s.headers;
        long headerAt = SendSlots.headerOffset(slot);
        if (mss != 0 || checksum != 0) {
            // The NIC reads the headers in place: they must lie in the first MDL (the IP header's 60 bytes
            // and the TCP header's 60 at most).
            if (!MdlCursor.inOneMdl(first, nb.currentMdlOffset(), Math.min(length, 120))) {
                return NtStatus.NDIS_STATUS_FAILURE;
            }
        }
        if (mss != 0) {
            int transport = OffloadInfo.largeSendTcpHeaderOffset(lso);
            long field = at + transport + VirtioNetHeader.TCP_CHECKSUM_OFFSET;
            if (s.patchedBefore(slot, packet.address() + field)) {
                return PATCHED_BEFORE;
            }
            int tcpHeader = (Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + transport + 12)) >>> 4) * 4;
            boolean ipv6 = (packet.get(ValueLayout.JAVA_BYTE, at) & 0xF0) == 0x60;
            s.payload[slot] = length - transport - tcpHeader;
            VirtioNetHeader.write(
                    header,
                    headerAt,
                    VirtioNetHeader.BYTES,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                    transport + tcpHeader,
                    mss,
                    transport,
                    VirtioNetHeader.TCP_CHECKSUM_OFFSET);
            // Windows' LSO checksum field holds the pseudo-header sum without the TCP length (the NIC adds each
            // segment's); Linux's GSO one holds it with the whole length. Added for the write, taken out after.
            s.patched(slot, packet, field, packet.get(BE16, field));
            InternetChecksum.addToPartialSum(packet, field, length - transport);
        } else if ((checksum & (OffloadInfo.TRANSMIT_TCP_CHECKSUM | OffloadInfo.TRANSMIT_UDP_CHECKSUM)) != 0) {
            VirtioNetHeader.write(
                    header,
                    headerAt,
                    VirtioNetHeader.BYTES,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_NONE,
                    0,
                    0,
                    OffloadInfo.transmitTransportHeaderOffset(checksum),
                    (checksum & OffloadInfo.TRANSMIT_TCP_CHECKSUM) != 0
                            ? VirtioNetHeader.TCP_CHECKSUM_OFFSET
                            : VirtioNetHeader.UDP_CHECKSUM_OFFSET);
        } else {
            VirtioNetHeader.write(header, headerAt, VirtioNetHeader.BYTES, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
        }
        if ((checksum & OffloadInfo.TRANSMIT_IP_HEADER_CHECKSUM) != 0) {
            completeIpv4HeaderChecksum(packet, at);
        }
        setIovec(s.iovecs, headerIovec, header, headerAt, VirtioNetHeader.BYTES);
        return count + 1;
    }

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Computes an IPv4 header's checksum into it, as a NIC does for {@code Transmit.IpHeaderChecksum}. */
    static void completeIpv4HeaderChecksum(MemorySegment packet, long at) {
        if ((packet.get(ValueLayout.JAVA_BYTE, at) & 0xF0) != 0x40) {
            return;
        }
        int headerLength = (packet.get(ValueLayout.JAVA_BYTE, at) & 0x0F) * 4;
        packet.set(BE16, at + 10, (short) 0);
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += Short.toUnsignedInt(packet.get(BE16, at + i));
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        packet.set(BE16, at + 10, (short) ~sum);
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
        MiniportEdge up = edge;
        if (up != null) {
            // NDIS halts a miniport only once its OID requests are complete: answer what the polls have not.
            completePendedOids(up);
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
