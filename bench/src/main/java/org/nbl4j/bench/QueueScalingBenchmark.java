package org.nbl4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nbl4j.bench.ForwardingBenchmark.Family;
import org.nbl4j.bench.ForwardingBenchmark.PacketWriter;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.MiniportStatistics;
import org.nbl4j.stack.ndis.ReceiveSideScaling;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Forwarding on one receive queue and on two at once: what the stack's shared state costs when two queue threads (two
 * DPCs on two processors, in NDIS terms) forward through the same {@link Router} at the same time.
 *
 * <p>One {@link Router} for the whole trial: an ingress {@link MemoryMiniport} with one receive queue per benchmark
 * thread, an egress one, the IP stack between them and, with {@link RouterState#filterEngine}, the WFP filter engine
 * with no filters (every packet is still shown to it at INBOUND_IPPACKET and IPFORWARD). Each benchmark thread owns one
 * ingress queue: its batch of {@value ForwardingBenchmark#BATCH} UDP packets is made of flows whose RSS hash selects
 * that queue, so the miniport puts them on the thread's own ring. One invocation copies the batch into the ingress
 * miniport and polls the thread's queue until the whole batch has been indicated, forwarded and transmitted (all on
 * the thread: the IP path and the egress send are synchronous), polling the egress adapter's queue 0 on every round
 * too, which completes whatever either thread sent, so the receive NBLs go back to the ingress miniport. Everything
 * between the two threads is shared as on a real two-queue NIC: the adapters, the ingress miniport's buffers, the IP
 * stack's tables and counters, the filter engine and the pools.
 *
 * <p>Throughput is summed over the threads by JMH, and one operation is one packet ({@code @OperationsPerInvocation}),
 * so {@link #oneQueue} and {@link #twoQueues} report packets per second of the whole router.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ForwardingBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            BenchConfig.NO_LEAK_DETECTION,
            BenchConfig.UNSAFE_ALLOW,
            BenchConfig.NATIVE_ACCESS,
            BenchConfig.XMS,
            BenchConfig.XMX
        })
public class QueueScalingBenchmark {
    private static final int BATCH = ForwardingBenchmark.BATCH;
    private static final int POLL_BUDGET = ForwardingBenchmark.POLL_BUDGET;
    private static final int MAX_ROUNDS = ForwardingBenchmark.MAX_ROUNDS;

    /** The router shared by every benchmark thread, with one ingress receive queue per thread. */
    @State(Scope.Benchmark)
    public static class RouterState {
        @Param({"IPV4"})
        public Family family;

        /** Whole IP packet length in bytes, header included. */
        @Param({"64"})
        public int size;

        /** Whether the WFP filter engine (no filters) sees every packet, as the product runs the router. */
        @Param({"false", "true"})
        public boolean filterEngine;

        int queues;
        Arena arena;
        /** Per ingress queue, a batch of packets that RSS puts on that queue. */
        MemorySegment[] batches;

        Ndis ndis;
        MemoryMiniport ingressWire;
        MemoryMiniport egressWire;
        Adapter ingress;
        Adapter egress;
        Router router;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            queues = params.getThreads();
            arena = Arena.ofShared();
            batches = new MemorySegment[queues];
            ReceiveSideScaling rss = ReceiveSideScaling.spreading(queues);
            for (int queue = 0; queue < queues; queue++) {
                batches[queue] = batchFor(queue, rss);
            }

            ndis = Ndis.create(VerifierSettings.off());
            ingressWire = MemoryMiniport.builder()
                    .name("wire1")
                    .receiveQueues(queues)
                    .receiveBuffers(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .ringCapacity(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .build();
            egressWire = MemoryMiniport.builder().name("wire2").build();
            router = Router.create(ndis);
            if (filterEngine) {
                router.useFilterEngine(PlatformProfile.WINDOWS_10);
            }
            router.addInterface(1, "wire1", ingressWire, List.of(), true);
            router.addInterface(2, "wire2", egressWire, List.of(), true);
            router.address(1, address("192.0.2.1"), 24)
                    .address(1, address("2001:db8:1::1"), 64)
                    .address(2, address("198.51.100.1"), 24)
                    .address(2, address("2001:db8:2::1"), 64);
            ingress = router.adapter(1);
            egress = router.adapter(2);

            // One batch per queue before measuring, each polled on its own queue alone: a batch that RSS spread onto
            // another queue would not come through, and nothing may be dropped.
            for (int queue = 0; queue < queues; queue++) {
                forwardBatch(this, queue, batches[queue]);
            }
            router.drain();
            check((long) queues * BATCH);
        }

        /** Checks, once nothing is in flight, that every packet offered was forwarded and every buffer came back. */
        void check(long atLeast) {
            IpStatistics statistics = router.ip().statistics();
            MiniportStatistics received = ingressWire.statistics();
            MiniportStatistics sent = egressWire.statistics();
            if (received.receivedPackets() < atLeast
                    || statistics.forwarded() != received.receivedPackets()
                    || sent.sentPackets() != received.receivedPackets()
                    || statistics.totalDiscards() != 0
                    || received.receiveDiscards() != 0
                    || ingressWire.freeReceiveBuffers() != ForwardingBenchmark.RECEIVE_BUFFERS) {
                throw new IllegalStateException("the router lost packets: received " + received + ", sent " + sent
                        + ", " + ingressWire.freeReceiveBuffers() + " free buffers, " + statistics);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            router.drain();
            check(0);
            router.close();
            if (!ndis.poolUsage().outstanding().isEmpty()) {
                throw new IllegalStateException("outstanding after the run: " + ndis.poolUsage());
            }
            ndis.close();
            arena.close();
        }

        /** {@value ForwardingBenchmark#BATCH} packets of distinct UDP flows that {@code rss} puts on {@code queue}. */
        private MemorySegment batchFor(int queue, ReceiveSideScaling rss) {
            MemorySegment batch = arena.allocate((long) BATCH * size, 16);
            int found = 0;
            for (int port = 1024; found < BATCH; port++) {
                if (port > 0xFFFF) {
                    throw new IllegalStateException("too few source ports hash to queue " + queue);
                }
                MemorySegment packet = batch.asSlice((long) found * size, size);
                // A slot tried before holds that packet's header checksum, which the writer would sum in.
                packet.fill((byte) 0);
                if (family == Family.IPV4) {
                    PacketWriter.udpOverIpv4(packet, "192.0.2.10", "198.51.100.20", port, 53);
                } else {
                    PacketWriter.udpOverIpv6(packet, "2001:db8:1::10", "2001:db8:2::20", port, 53);
                }
                long hash = rss.hashPacket(packet, 0, size);
                if (rss.queueFor(ReceiveSideScaling.hashValue(hash)) == queue) {
                    found++;
                }
            }
            return batch;
        }
    }

    /** One benchmark thread's receive queue: the thread plays that queue's DPC. */
    @State(Scope.Thread)
    public static class QueueState {
        int queue;
        MemorySegment batch;

        @Setup(Level.Trial)
        public void setUp(RouterState router, ThreadParams thread) {
            queue = thread.getThreadIndex();
            batch = router.batches[queue];
        }
    }

    @Benchmark
    @Threads(1)
    public long oneQueue(RouterState router, QueueState queue) {
        return forwardBatch(router, queue.queue, queue.batch);
    }

    @Benchmark
    @Threads(2)
    public long twoQueues(RouterState router, QueueState queue) {
        return forwardBatch(router, queue.queue, queue.batch);
    }

    /**
     * Offers {@code batch} to the ingress miniport, where RSS queues it on {@code queue}, and polls that queue until all
     * of it has been indicated (and so forwarded and transmitted), completing the egress sends on the way.
     */
    static long forwardBatch(RouterState state, int queue, MemorySegment batch) {
        MemoryMiniport wire = state.ingressWire;
        int size = state.size;
        for (int i = 0; i < BATCH; i++) {
            if (!wire.receive(batch, (long) i * size, size)) {
                throw new IllegalStateException("the ingress miniport refused packet " + i + " on queue " + queue);
            }
        }
        int indicated = 0;
        int rounds = 0;
        while (indicated < BATCH) {
            indicated += state.ingress.poll(queue, POLL_BUDGET);
            state.egress.poll(0, POLL_BUDGET);
            if (++rounds > MAX_ROUNDS) {
                throw new IllegalStateException("queue " + queue + " indicated " + indicated + " of " + BATCH
                        + " packets after " + MAX_ROUNDS + " rounds");
            }
        }
        return indicated;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
