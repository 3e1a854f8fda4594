package org.nbl4j.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.nbl4j.bench.ForwardingBenchmark.Packets;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.samples.forwardinject.ForwardInjectCallout;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.TransmitSink;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyFn;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 5's WFP forwarding throughput: the forward path of {@link ForwardingBenchmark} (a whole {@link Router} with two
 * {@link MemoryMiniport}s, polled on the benchmark thread, one receive queue) with the Windows Filtering Platform in
 * it, as the product runs it: {@link Router#useFilterEngine} with {@link PlatformProfile#WINDOWS_10}, so the WFP
 * lightweight filter sits at the bottom of each adapter and attaches its {@code Wfpn} container to every send. The
 * verifier is off. One operation is one packet ({@code @OperationsPerInvocation}), so ops/s are packets per second and
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per packet.
 *
 * <ul>
 *   <li>{@link #noFilterEngine}: the baseline, the same router without a filter engine (hence without the WFP
 *       lightweight filter).
 *   <li>{@link #engineNoFilters}: the filter engine and the WFP lightweight filter, no filter at any layer: what being
 *       shown to WFP costs before any callout runs.
 *   <li>{@link #classifyOneCallout}: one callout filter at IPFORWARD_V4 and IPFORWARD_V6 whose classifyFn counts the
 *       packet and permits it.
 *   <li>{@link #deepCloneForwardInject}: the samples' {@link ForwardInjectCallout} (seeds 000 and 002): deep clone,
 *       DSCP rewrite with the IPv4 checksum recomputed, the original absorbed, the clone forward-injected on the egress
 *       interface, freed in the completion function, after which the original goes back to the ingress adapter.
 * </ul>
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
public class WfpForwardingBenchmark {
    private static final int BATCH = ForwardingBenchmark.BATCH;

    /**
     * A router between 192.0.2.0/24 (interface 1) and 198.51.100.0/24 (interface 2), and the IPv6 prefixes of
     * {@link ForwardingBenchmark}, with whatever WFP set-up {@link #install} adds. Its thread is bound to the router's
     * NDIS and filter engine, as a callout driver's DDIs need.
     */
    public abstract static class Host {
        Ndis ndis;
        MemoryMiniport ingress;
        EgressSink sink;
        Router router;

        @Nullable
        FilterEngine engine;

        private SystemNdis.@Nullable Binding ndisBinding;
        private SystemWfp.@Nullable Binding wfpBinding;
        private @Nullable Thread boundThread;

        /** Gives the router its filter engine and callouts, or nothing; called before the interfaces are added. */
        abstract void install(Router router);

        /** Loads a callout driver once the interfaces exist (on the bound thread); nothing by default. */
        void load(FilterEngine engine) {}

        /** Checks what the callout saw after {@code packets} forwarded packets. */
        abstract void check(long packets);

        void build(Packets packets) {
            ndis = Ndis.create(VerifierSettings.off());
            ingress = MemoryMiniport.builder()
                    .name("wire1")
                    .receiveBuffers(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .ringCapacity(ForwardingBenchmark.RECEIVE_BUFFERS)
                    .build();
            sink = new EgressSink();
            MemoryMiniport egress =
                    MemoryMiniport.builder().name("wire2").transmitSink(sink).build();
            router = Router.create(ndis);
            install(router);
            engine = router.filterEngine();
            router.addInterface(1, "wire1", ingress, List.of(), true);
            router.addInterface(2, "wire2", egress, List.of(), true);
            router.address(1, address("192.0.2.1"), 24)
                    .address(1, address("2001:db8:1::1"), 64)
                    .address(2, address("198.51.100.1"), 24)
                    .address(2, address("2001:db8:2::1"), 64);
            bindCurrentThread();
            if (engine != null) {
                load(engine);
            }

            // One batch before measuring, checked: everything forwarded, nothing dropped, every buffer back.
            forwardBatch(this, packets);
            IpStatistics statistics = router.ip().statistics();
            if (sink.packets != BATCH
                    || sink.bytes != (long) BATCH * packets.size
                    || statistics.totalDiscards() != 0
                    || egress.statistics().sentPackets() != BATCH) {
                throw new IllegalStateException("the router did not forward the batch: " + statistics);
            }
            check(BATCH);
        }

        /**
         * Binds the calling thread to the router's NDIS and filter engine. JMH runs a thread-scoped state's set-up and
         * its benchmark on the same worker thread; should it not, the first invocation on another thread binds that one.
         */
        final void bindCurrentThread() {
            unbind();
            ndisBinding = SystemNdis.bind(ndis);
            FilterEngine bound = engine;
            wfpBinding = bound == null ? null : SystemWfp.bind(bound);
            boundThread = Thread.currentThread();
        }

        final boolean boundHere() {
            return boundThread == Thread.currentThread();
        }

        private void unbind() {
            if (wfpBinding != null) {
                wfpBinding.close();
                wfpBinding = null;
            }
            if (ndisBinding != null) {
                ndisBinding.close();
                ndisBinding = null;
            }
        }

        void shutDown() {
            check(sink.packets);
            router.close();
            unbind();
            if (!ndis.poolUsage().outstanding().isEmpty()) {
                throw new IllegalStateException("outstanding after the run: " + ndis.poolUsage());
            }
            ndis.close();
        }
    }

    /** The baseline: no filter engine, no WFP lightweight filter. */
    @State(Scope.Thread)
    public static class NoEngine extends Host {
        @Override
        void install(Router router) {}

        @Override
        void check(long packets) {}

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            build(packets);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shutDown();
        }
    }

    /** The filter engine and the WFP lightweight filter, with no filter at any layer. */
    @State(Scope.Thread)
    public static class EngineOnly extends Host {
        @Override
        void install(Router router) {
            router.useFilterEngine(PlatformProfile.WINDOWS_10);
        }

        @Override
        void check(long packets) {
            FilterEngine bound = engine;
            if (bound == null
                    || bound.indications(Layer.IPFORWARD_V4) + bound.indications(Layer.IPFORWARD_V6) != packets) {
                throw new IllegalStateException("the engine was not shown every forwarded packet");
            }
        }

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            build(packets);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shutDown();
        }
    }

    /** One callout filter per IPFORWARD layer; the classifyFn counts each packet and permits it. */
    @State(Scope.Thread)
    public static class OneCallout extends Host {
        /** Packets the classifyFn was called for; single-threaded like the whole benchmark. */
        long classified;

        private final ClassifyFn permitAndCount = (values, metadata, layerData, context, filter, flow, classifyOut) -> {
            classified++;
            classifyOut.setActionType(ActionType.PERMIT);
        };

        @Override
        void install(Router router) {
            FilterEngine installed = router.useFilterEngine(PlatformProfile.WINDOWS_10);
            UUID key = UUID.randomUUID();
            installed.registerCallout(Callout.of(key, permitAndCount));
            installed.addFilter(FilterSpec.callout(Layer.IPFORWARD_V4, ActionType.CALLOUT_TERMINATING, key));
            installed.addFilter(FilterSpec.callout(Layer.IPFORWARD_V6, ActionType.CALLOUT_TERMINATING, key));
        }

        @Override
        void check(long packets) {
            if (classified != packets) {
                throw new IllegalStateException("classified " + classified + " of " + packets + " packets");
            }
        }

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            build(packets);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shutDown();
        }
    }

    /** The samples' forward-inject callout driver, loaded through its {@code DriverEntry}. */
    @State(Scope.Thread)
    public static class ForwardInject extends Host {
        final ForwardInjectCallout driver = new ForwardInjectCallout();

        @Override
        void install(Router router) {
            router.useFilterEngine(PlatformProfile.WINDOWS_10);
        }

        @Override
        void load(FilterEngine engine) {
            driver.load(engine);
        }

        @Override
        void check(long packets) {
            if (driver.injected() != packets || driver.completed() != packets || driver.failedCompletions() != 0) {
                throw new IllegalStateException("injected " + driver.injected() + ", completed " + driver.completed()
                        + " (" + driver.failedCompletions() + " failed) of " + packets + " packets");
            }
            if (sink.lastDscp != ForwardInjectCallout.NEW_DSCP) {
                throw new IllegalStateException("the egress packet carries DSCP " + sink.lastDscp);
            }
        }

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            build(packets);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            driver.unload();
            shutDown();
        }
    }

    /** The egress wire: counts packets and bytes and keeps the last packet's DSCP. */
    static final class EgressSink implements TransmitSink {
        long packets;
        long bytes;
        int lastDscp = -1;

        @Override
        public void transmit(NetBufferList nbl) {
            packets++;
            var nb = nbl.firstNetBuffer();
            bytes += nb.dataLength();
            Mdl mdl = nb.currentMdl();
            MemorySegment first = mdl.buffer();
            long at = mdl.bufferOffset() + nb.currentMdlOffset();
            int byte0 = first.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            int byte1 = first.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF;
            // IPv4: DSCP is the high six bits of byte 1; IPv6: the traffic class spans the low nibble of byte 0 and the
            // high nibble of byte 1.
            lastDscp = byte0 >>> 4 == 4 ? byte1 >>> 2 : ((byte0 & 0x0F) << 4 | byte1 >>> 4) >>> 2;
        }
    }

    @Benchmark
    public long noFilterEngine(NoEngine host, Packets packets) {
        return forwardBatch(host, packets);
    }

    @Benchmark
    public long engineNoFilters(EngineOnly host, Packets packets) {
        return forwardBatch(host, packets);
    }

    @Benchmark
    public long classifyOneCallout(OneCallout host, Packets packets) {
        return forwardBatch(host, packets);
    }

    @Benchmark
    public long deepCloneForwardInject(ForwardInject host, Packets packets) {
        return forwardBatch(host, packets);
    }

    /** Offers the batch to the ingress miniport and polls until it is sent, completed and every NBL is back. */
    static long forwardBatch(Host host, Packets packets) {
        if (!host.boundHere()) {
            host.bindCurrentThread();
        }
        MemoryMiniport ingress = host.ingress;
        int size = packets.size;
        for (int i = 0; i < BATCH; i++) {
            if (!ingress.receive(packets.batch, (long) i * size, size)) {
                throw new IllegalStateException("the ingress miniport refused packet " + i);
            }
        }
        long target = host.sink.packets + BATCH;
        int rounds = 0;
        do {
            host.router.pollAll(ForwardingBenchmark.POLL_BUDGET);
            if (++rounds > ForwardingBenchmark.MAX_ROUNDS) {
                throw new IllegalStateException(
                        "the batch did not come back after " + ForwardingBenchmark.MAX_ROUNDS + " rounds");
            }
        } while (host.sink.packets < target || ingress.freeReceiveBuffers() < ForwardingBenchmark.RECEIVE_BUFFERS);
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
