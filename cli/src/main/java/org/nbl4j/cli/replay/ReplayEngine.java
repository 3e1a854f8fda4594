package org.nbl4j.cli.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.io.capture.CaptureFormatException;
import org.nbl4j.io.capture.CaptureInterface;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.Compartment;
import org.nbl4j.stack.ip.IpAddresses;
import org.nbl4j.stack.ip.IpInterface;
import org.nbl4j.stack.ip.Ipv4Header;
import org.nbl4j.stack.ip.Ipv6Header;
import org.nbl4j.stack.ip.OffloadMode;
import org.nbl4j.stack.ip.Route;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.router.Router;

/**
 * Replays a capture through a router built from a {@link RouterConfig}: the one engine behind {@code nbl4j run},
 * {@code nbl4j poolmon} and {@code nbl4j nbl}.
 *
 * <p>Each interface is an in-memory miniport ({@link MemoryMiniport}) under the router's IP stack. Capture interface
 * {@code i} feeds the router interface of the same name, or else the {@code i}-th one. Each selected packet is read
 * into one reused off-heap buffer ({@link CaptureReader#readInto}), offered to the miniport (its "DMA" copies it into
 * a receive NBL), and the router is polled on this thread ({@link Router#pollAll}): no thread is started, so a replay
 * is deterministic. A miniport that refuses a packet for lack of receive buffers gets it again after a poll. What the
 * miniports transmit goes to one pcapng file per interface. The loop allocates nothing per packet.
 *
 * <p>A TCP packet longer than the interface MTU (a GRO super-segment, a TSO packet: the capture point saw it coalesced)
 * is offered as the RSC indication a coalescing NIC would have made ({@link CoalescedPackets}), and the IP layer's
 * {@link OffloadMode} decides what becomes of it, as on a live router: cut into segments on arrival where RSC is off,
 * forwarded whole with LSO or cut in software under {@link OffloadMode#THROUGHPUT}. The miniports then have
 * receive buffers of {@link #LARGEST_COALESCED} bytes and, unless the mode is {@link OffloadMode#OFF}, the offloads of
 * a TUN device with the virtio-net header (LSO, checksum, RSC). A BIG TCP packet, longer than any indication, is
 * offered as the several indications a NIC would have made of its segments ({@link CoalescedPackets#bigTcpPiece}).
 *
 * <p>The IP stack runs on the capture's clock (the timestamp of the packet being replayed), so reassembly timeouts and
 * the ICMP rate limit see the traffic's own pace, however fast the replay runs.
 */
public final class ReplayEngine {
    /** The longest packet a capture may hold: libpcap's maximum snapshot length. */
    static final int MAX_PACKET = 262_144;

    /**
     * The longest coalesced packet offered: the longest legal IP datagram, which an RSC indication may not exceed (WDK,
     * "Indicating Coalesced Segments"). A longer BIG TCP packet is offered in pieces of at most this length.
     */
    static final int LARGEST_COALESCED = 65_535;

    /** What each miniport reports when offloads are on: what a TUN device with the virtio-net header has. */
    private static final OffloadCapabilities OFFLOADS =
            new OffloadCapabilities(true, true, true, true, LARGEST_COALESCED, 2, true, true, false, false);

    private static final int POLL_BUDGET = 64;
    private static final int PROGRESS_EVERY = 1024;
    /** Offers of one packet before it is counted as refused; each failed offer is followed by a poll. */
    private static final int MAX_OFFERS = 64;

    private static final int UNRESOLVED = -2;
    private static final int NO_INTERFACE = -1;

    private final RouterConfig config;
    private final PacketSelection selection;
    private final OffloadMode offloadMode;

    /**
     * An engine that builds its router from {@code config} and offers the packets {@code selection} picks, with the
     * offloads off ({@link OffloadMode#OFF}).
     */
    public ReplayEngine(RouterConfig config, PacketSelection selection) {
        this(config, selection, OffloadMode.OFF);
    }

    /** Like {@link #ReplayEngine(RouterConfig, PacketSelection)}, the IP layer in {@code offloadMode}. */
    public ReplayEngine(RouterConfig config, PacketSelection selection, OffloadMode offloadMode) {
        this.config = config;
        this.selection = selection;
        this.offloadMode = offloadMode;
    }

    /**
     * Replays {@code source} and closes everything it built.
     *
     * @param outputDirectory where {@code <interface>.pcapng} files go (created if missing), or null for none
     * @throws BadInputException when the capture cannot be read or a callout cannot be used
     */
    public ReplayResult replay(CaptureSource source, @Nullable Path outputDirectory, ReplayObserver observer)
            throws BadInputException, IOException {
        if (outputDirectory != null) {
            try {
                Files.createDirectories(outputDirectory);
            } catch (IOException e) {
                throw new BadInputException("--output-dir " + outputDirectory + ": cannot create it (" + e + ")", e);
            }
        }
        long start = System.nanoTime();
        CaptureSource.CountingChannel channel = source.open();
        try (CaptureReader reader = openReader(source, channel)) {
            return replay(source, reader, channel, outputDirectory, observer, start);
        } catch (CaptureFormatException e) {
            throw new BadInputException(source.describe() + ": " + e.getMessage(), e);
        }
    }

    private static CaptureReader openReader(CaptureSource source, CaptureSource.CountingChannel channel)
            throws BadInputException, IOException {
        try {
            return CaptureReader.open(channel);
        } catch (CaptureFormatException e) {
            throw new BadInputException(source.describe() + ": " + e.getMessage(), e);
        }
    }

    private ReplayResult replay(
            CaptureSource source,
            CaptureReader reader,
            CaptureSource.CountingChannel channel,
            @Nullable Path outputDirectory,
            ReplayObserver observer,
            long start)
            throws BadInputException, IOException {
        ReplayClock clock = new ReplayClock();
        Ndis ndis = ConfiguredRouter.ndis(config);
        List<EgressRecorder> recorders = new ArrayList<>();
        try (Arena arena = Arena.ofConfined();
                SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            ConfiguredRouter<MemoryMiniport> built =
                    ConfiguredRouter.build(config, ndis, ip -> ip.clock(() -> clock.nanos), spec -> {
                        OffloadCapabilities offloads =
                                offloadMode == OffloadMode.OFF ? OffloadCapabilities.NONE : OFFLOADS;
                        EgressRecorder recorder = new EgressRecorder(
                                spec.name(),
                                Math.max(spec.mtu(), offloads.maximumLargeSendSize()),
                                outputDirectory,
                                arena,
                                clock,
                                observer);
                        recorders.add(recorder);
                        return MemoryMiniport.builder()
                                .name(spec.name())
                                .mtu(spec.mtu())
                                .largestCoalesced(LARGEST_COALESCED)
                                .offloads(offloads)
                                .transmitSink(recorder)
                                .build();
                    });
            Router router = built.router();
            router.ip().setOffloadMode(offloadMode);
            // Callout drivers run on this thread (the replay polls here): DDIs without a handle find the engine and the
            // I/O manager (a driver may create a device; a replay serves no sockets, so no application reaches it).
            SystemWfp.Binding wfpBinding = SystemWfp.bind(built.engine());
            SystemIo.Binding ioBinding = SystemIo.bind(built.io());
            built.loadDrivers();
            observer.started(router);

            Loop loop = new Loop(built, reader, clock, arena.allocate(MAX_PACKET), arena.allocate(LARGEST_COALESCED));
            try {
                loop.run(channel, observer);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                observer.finished();
            }
            router.drain();
            // Host mode: the capture's end ends its flows while the callouts are still there to delete their contexts.
            router.ip().endFlows();
            router.drain();
            built.unloadDrivers();
            router.drain();
            ioBinding.close();
            wfpBinding.close();
            observer.drained(router);
            RouterReport report =
                    built.closeAndReport(ndis, System.nanoTime() - start, i -> loop.offered[i], i -> loop.retried[i]);
            for (EgressRecorder recorder : recorders) {
                recorder.close();
            }
            recorders.clear();

            Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
            for (SkipReason reason : SkipReason.values()) {
                skipped.put(reason, loop.skipped[reason.ordinal()]);
            }
            skipped.put(SkipReason.NOT_IP, reader.skippedFrames());
            return new ReplayResult(source, loop.read + reader.skippedFrames(), skipped, loop.coalesced, report);
        } finally {
            for (EgressRecorder recorder : recorders) {
                recorder.close();
            }
            ndis.close();
        }
    }

    /**
     * The replay loop and its counters; the per-packet state lives in fields and arrays made once. A "target" is a
     * position in the configuration: {@code miniports[target]} receives the packet and {@code interfaces[target]} is
     * the IP interface over it.
     */
    private final class Loop {
        private final Router router;
        private final MemoryMiniport[] miniports;
        private final IpInterface[] interfaces;
        private final CaptureReader reader;
        private final ReplayClock clock;
        private final MemorySegment packet;
        /** Where a BIG TCP packet's pieces are written, one at a time. */
        private final MemorySegment piece;

        private final Compartment compartment;
        private final AddressFamily[] localFamily;
        private final long[] localHigh;
        private final long[] localLow;
        private int[] routerInterfaceOf = new int[0];
        /** Host mode: the target of the interface facing the applications, else {@link #NO_INTERFACE}. */
        private final int applicationsTarget;
        /** The source of the packet just read, set by {@link #readSource}. */
        private @Nullable AddressFamily sourceFamily;

        private long sourceHigh;
        private long sourceLow;
        final long[] offered;
        final long[] retried;
        final long[] skipped = new long[SkipReason.values().length];
        long read;
        /** RSC indications offered: one per coalesced packet, one per piece of a BIG TCP packet. */
        long coalesced;
        /** The {@code CoalescedSegCount} and receive checksum bits of the packet just judged, 0 for a plain one. */
        private int coalescedSegments;

        private int checksumBits;
        /** Where the TCP header of the BIG TCP packet just judged starts; 0 for any other packet. */
        private int bigTcpTransport;

        Loop(
                ConfiguredRouter<MemoryMiniport> built,
                CaptureReader reader,
                ReplayClock clock,
                MemorySegment packet,
                MemorySegment piece) {
            this.router = built.router();
            this.miniports = built.miniports().toArray(MemoryMiniport[]::new);
            this.interfaces = built.interfaces().toArray(IpInterface[]::new);
            this.reader = reader;
            this.clock = clock;
            this.packet = packet;
            this.piece = piece;
            Compartment found = router.ip().compartment(Compartment.UNSPECIFIED_COMPARTMENT_ID);
            if (found == null) {
                throw new IllegalStateException("the router has no default compartment");
            }
            this.compartment = found;
            this.offered = new long[this.miniports.length];
            this.retried = new long[this.miniports.length];
            int applications = NO_INTERFACE;
            for (int i = 0; i < config.interfaces().size(); i++) {
                if (config.interfaces().get(i).name().equals(config.applications())) {
                    applications = i;
                }
            }
            this.applicationsTarget = applications;
            List<Cidr> locals = new ArrayList<>();
            for (InterfaceSpec spec : config.interfaces()) {
                locals.addAll(spec.addresses());
            }
            localFamily = new AddressFamily[locals.size()];
            localHigh = new long[locals.size()];
            localLow = new long[locals.size()];
            for (int i = 0; i < locals.size(); i++) {
                InetAddress address = locals.get(i).address();
                localFamily[i] = IpAddresses.familyOf(address);
                localHigh[i] = IpAddresses.high(address);
                localLow[i] = IpAddresses.low(address);
            }
        }

        void run(CaptureSource.CountingChannel channel, ReplayObserver observer) throws IOException {
            for (int length = reader.readInto(packet); length >= 0; length = reader.readInto(packet)) {
                read++;
                if (read % PROGRESS_EVERY == 0) {
                    observer.progress(read + reader.skippedFrames(), channel.bytesRead(), channel.size());
                }
                clock.nanos = reader.timestampNanos();
                int target = routerInterface(reader.interfaceId());
                if (applicationsTarget != NO_INTERFACE && readSource(length) && sourceIsLocal()) {
                    // Host mode: a packet the captured host sent comes from its applications.
                    target = applicationsTarget;
                }
                SkipReason skip = reasonNotToOffer(target, length);
                if (skip == null
                        && !(bigTcpTransport != 0
                                ? offerPieces(target, length)
                                : offer(target, packet, length, checksumBits, coalescedSegments))) {
                    skip = SkipReason.REFUSED;
                }
                if (skip != null) {
                    skipped[skip.ordinal()]++;
                    continue;
                }
                offered[target]++;
                if (coalescedSegments != 0) {
                    coalesced++;
                }
                router.pollAll(POLL_BUDGET);
            }
        }

        /** Why the packet just read must not be offered to {@code target}'s miniport, or null when it may be. */
        private @Nullable SkipReason reasonNotToOffer(int target, int length) {
            if (target == NO_INTERFACE) {
                return SkipReason.NO_INTERFACE;
            }
            // Direction first: a packet that left the captured router is not input, whatever else is wrong with it.
            if (selection == PacketSelection.ARRIVING
                    && target != applicationsTarget
                    && !arrivedOn(interfaces[target], length)) {
                return SkipReason.LEAVING;
            }
            if (length < reader.originalLength()) {
                return SkipReason.TRUNCATED;
            }
            coalescedSegments = 0;
            checksumBits = 0;
            bigTcpTransport = 0;
            int mtu = miniports[target].mtu();
            if (length > LARGEST_COALESCED) {
                bigTcpTransport = CoalescedPackets.bigTcpTransport(packet, length);
                if (bigTcpTransport == 0 || CoalescedPackets.bigTcpPieceHeaders(packet, bigTcpTransport) >= mtu) {
                    bigTcpTransport = 0;
                    return SkipReason.LONGER_THAN_MTU;
                }
                checksumBits = CoalescedPackets.receiveChecksumBits(packet, length, bigTcpTransport);
            } else if (length > mtu) {
                coalescedSegments = CoalescedPackets.segmentCount(packet, length, mtu);
                if (coalescedSegments == 0) {
                    return SkipReason.LONGER_THAN_MTU;
                }
                checksumBits = CoalescedPackets.receiveChecksumBits(packet, length);
            }
            return null;
        }

        /**
         * Offers the BIG TCP packet just judged as its pieces, in order; false if a piece was refused (the pieces
         * before it were offered).
         */
        private boolean offerPieces(int target, int length) {
            int mtu = miniports[target].mtu();
            for (int index = 0; ; index++) {
                int pieceLength =
                        CoalescedPackets.bigTcpPiece(packet, length, bigTcpTransport, mtu, checksumBits, index, piece);
                if (pieceLength == 0) {
                    return true;
                }
                int segments = CoalescedPackets.segmentCount(piece, pieceLength, mtu);
                if (!offer(target, piece, pieceLength, CoalescedPackets.pieceChecksumBits(checksumBits), segments)) {
                    return false;
                }
                if (segments != 0) {
                    coalesced++;
                }
            }
        }

        /** Offers a packet, polling the router between refusals so that receive buffers come back. */
        private boolean offer(int target, MemorySegment data, int length, int receiveChecksumBits, int segments) {
            MemoryMiniport miniport = miniports[target];
            // The segment size the count was made from goes with it, so that a cut in software gives the MTU-filling
            // segments a wire would have carried rather than an even split of the count.
            int segmentSize = segments == 0 ? 0 : CoalescedPackets.segmentSize(data, length, miniport.mtu());
            for (int attempt = 0; attempt < MAX_OFFERS; attempt++) {
                if (miniport.receive(data, 0, length, receiveChecksumBits, segments, segmentSize)) {
                    return true;
                }
                retried[target]++;
                if (router.pollAll(POLL_BUDGET) == 0 && attempt > 0) {
                    break; // a poll with nothing to do frees no buffer: someone holds them
                }
            }
            return false;
        }

        /**
         * Whether the packet arrived at the router on {@code arrival} ({@link PacketSelection#ARRIVING}): its source is
         * none of the router's addresses, and the route back to its source leaves by {@code arrival}.
         */
        private boolean arrivedOn(IpInterface arrival, int length) {
            if (!readSource(length)) {
                return true; // not judged: the stack discards what it cannot parse
            }
            if (sourceIsLocal()) {
                return false;
            }
            Route back = compartment.lookup(sourceFamily, sourceHigh, sourceLow);
            return back == null || back.egress().interfaceIndex() == arrival.interfaceIndex();
        }

        /** Reads the source address of the packet just read into the source fields; false if it has no IP header. */
        private boolean readSource(int length) {
            // Both headers keep the version in the first nibble, so either class reads it.
            int version = Ipv4Header.version(packet);
            if (version == 4 && length >= Ipv4Header.MINIMUM_LENGTH) {
                sourceFamily = AddressFamily.INET;
                sourceHigh = 0;
                sourceLow = Integer.toUnsignedLong(Ipv4Header.source(packet));
                return true;
            }
            if (version == 6 && length >= Ipv6Header.LENGTH) {
                sourceFamily = AddressFamily.INET6;
                sourceHigh = Ipv6Header.sourceHigh(packet);
                sourceLow = Ipv6Header.sourceLow(packet);
                return true;
            }
            return false;
        }

        /** Whether the source {@link #readSource} read is one of the configured addresses. */
        private boolean sourceIsLocal() {
            for (int i = 0; i < localFamily.length; i++) {
                if (localFamily[i] == sourceFamily && localHigh[i] == sourceHigh && localLow[i] == sourceLow) {
                    return true;
                }
            }
            return false;
        }

        /** The router interface (0-based) that capture interface {@code captureId} feeds, or {@link #NO_INTERFACE}. */
        private int routerInterface(int captureId) {
            if (captureId >= routerInterfaceOf.length) {
                int old = routerInterfaceOf.length;
                routerInterfaceOf = Arrays.copyOf(routerInterfaceOf, Math.max(captureId + 1, old * 2));
                Arrays.fill(routerInterfaceOf, old, routerInterfaceOf.length, UNRESOLVED);
            }
            int resolved = routerInterfaceOf[captureId];
            if (resolved == UNRESOLVED) {
                resolved = resolve(reader.interfaces().get(captureId), captureId);
                routerInterfaceOf[captureId] = resolved;
            }
            return resolved;
        }

        private int resolve(CaptureInterface captured, int captureId) {
            List<InterfaceSpec> specs = config.interfaces();
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).name().equals(captured.name())) {
                    return i;
                }
            }
            return captureId < specs.size() ? captureId : NO_INTERFACE;
        }
    }
}
