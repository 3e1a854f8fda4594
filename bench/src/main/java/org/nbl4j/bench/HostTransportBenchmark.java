package org.nbl4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.nbl4j.bench.ForwardingBenchmark.PacketWriter;
import org.nbl4j.bench.WfpForwardingBenchmark.EgressSink;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.Layer;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 14's host-role throughput: 64-byte IPv4 UDP packets of established flows that a host's applications send
 * (docs/wfp.md, "Host mode"), from the applications' {@link MemoryMiniport} through the flow lookup, DATAGRAM_DATA,
 * OUTBOUND_TRANSPORT and OUTBOUND_IPPACKET to the network's miniport, one receive queue polled on the benchmark
 * thread, verifier off, {@link PlatformProfile#WINDOWS_10}. One operation is one packet, so ops/s are packets per
 * second and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per packet. Every flow is authorized (and
 * established) in the set-up; the measured packets only look their flow up.
 *
 * <ul>
 *   <li>{@link #establishedNoCallout}: the host layers with no filter.
 *   <li>{@link #establishedOneCallout}: one callout filter at OUTBOUND_TRANSPORT_V4 whose classifyFn counts the packet
 *       and permits it.
 * </ul>
 *
 * <p>{@code flows}: how many flows the packets cycle through (each batch of 32 takes the next 32), so the flow
 * lookup runs over a table of that size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(HostTransportBenchmark.BATCH)
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
public class HostTransportBenchmark {
    static final int BATCH = ForwardingBenchmark.BATCH;
    private static final int SIZE = 64;
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";

    /** How many flows the packets cycle through. */
    @State(Scope.Benchmark)
    public static class Flows {
        @Param({"32", "4096"})
        public int flows;
    }

    /** A host: applications on interface 1, the network on interface 2, its flows established. */
    public abstract static class Host {
        int flows;

        Ndis ndis;
        MemoryMiniport apps;
        EgressSink sink;
        Router router;
        FilterEngine engine;
        Arena arena;
        MemorySegment packets;
        int next;
        long classified;

        private SystemNdis.@Nullable Binding ndisBinding;
        private SystemWfp.@Nullable Binding wfpBinding;

        /** Adds the filters of the variant. */
        abstract void install(FilterEngine engine);

        /** Checks what the variant's callout saw; nothing by default. */
        void check() {}

        @Setup(Level.Trial)
        public void setUp(Flows parameters) {
            flows = parameters.flows;
            ndis = Ndis.create(VerifierSettings.off());
            apps = MemoryMiniport.builder()
                    .name("apps")
                    .receiveBuffers(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .ringCapacity(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .build();
            sink = new EgressSink();
            MemoryMiniport net =
                    MemoryMiniport.builder().name("net").transmitSink(sink).build();
            router = Router.create(ndis);
            engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
            router.addInterface(1, "apps", apps, List.of(), Router.InterfaceOptions.forwarding(false));
            router.addInterface(2, "net", net, List.of(), Router.InterfaceOptions.forwarding(false));
            router.address(2, address(HOST), 24).route(address("0.0.0.0"), 0, address("198.51.100.1"), 2);
            router.ip().setApplicationInterface(1);
            ndisBinding = SystemNdis.bind(ndis);
            wfpBinding = SystemWfp.bind(engine);
            install(engine);
            arena = Arena.ofShared();
            packets = arena.allocate((long) flows * SIZE, 16);
            for (int i = 0; i < flows; i++) {
                PacketWriter.udpOverIpv4(packets.asSlice((long) i * SIZE, SIZE), HOST, REMOTE, 1024 + i, 53);
            }
            // Every flow once: authorized and established before measuring; then checked.
            for (int i = 0; i < flows / BATCH; i++) {
                sendBatch(this);
            }
            if (router.ip().flows().size() != flows || sink.packets != flows) {
                throw new IllegalStateException(
                        "the flows were not established: " + router.ip().statistics());
            }
            long connects = engine.indications(Layer.ALE_AUTH_CONNECT_V4);
            if (connects != flows) {
                throw new IllegalStateException(connects + " authorizations for " + flows + " flows");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (engine.indications(Layer.ALE_AUTH_CONNECT_V4) != flows) {
                throw new IllegalStateException("a measured packet was authorized again");
            }
            check();
            router.close();
            wfpBinding.close();
            ndisBinding.close();
            if (!ndis.poolUsage().outstanding().isEmpty()) {
                throw new IllegalStateException("outstanding after the run: " + ndis.poolUsage());
            }
            ndis.close();
            arena.close();
        }
    }

    /** No filter: the host layers and the flow lookup alone. */
    @State(Scope.Thread)
    public static class NoCallout extends Host {
        @Override
        void install(FilterEngine engine) {}
    }

    /** One counting, permitting callout at OUTBOUND_TRANSPORT_V4. */
    @State(Scope.Thread)
    public static class OneCallout extends Host {
        @Override
        void install(FilterEngine engine) {
            UUID key = UUID.randomUUID();
            engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
                classified++;
                out.setActionType(org.nbl4j.stack.ddk.Fwpsk.FWP_ACTION_PERMIT);
            }));
            engine.addFilter(FilterSpec.callout(Layer.OUTBOUND_TRANSPORT_V4, ActionType.CALLOUT_TERMINATING, key));
        }

        @Override
        void check() {
            if (classified != sink.packets) {
                throw new IllegalStateException(classified + " classified for " + sink.packets + " packets sent");
            }
        }
    }

    @Benchmark
    public long establishedNoCallout(NoCallout host) {
        return sendBatch(host);
    }

    @Benchmark
    public long establishedOneCallout(OneCallout host) {
        return sendBatch(host);
    }

    /** Offers the next 32 flows' packets to the applications' miniport and polls until all are sent and returned. */
    static long sendBatch(Host host) {
        MemoryMiniport apps = host.apps;
        for (int i = 0; i < BATCH; i++) {
            if (!apps.receive(host.packets, (long) (host.next + i) * SIZE, SIZE)) {
                throw new IllegalStateException("the applications' miniport refused packet " + i);
            }
        }
        host.next = (host.next + BATCH) % host.flows;
        long target = host.sink.packets + BATCH;
        int rounds = 0;
        do {
            host.router.pollAll(ForwardingBenchmark.POLL_BUDGET);
            if (++rounds > ForwardingBenchmark.MAX_ROUNDS) {
                throw new IllegalStateException("the batch did not come back");
            }
        } while (host.sink.packets < target || apps.freeReceiveBuffers() < ForwardingBenchmark.RECEIVE_BUFFERS);
        return host.sink.packets;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
