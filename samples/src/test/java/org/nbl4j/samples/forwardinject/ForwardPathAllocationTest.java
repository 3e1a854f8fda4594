package org.nbl4j.samples.forwardinject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.samples.SamplePackets;
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

/**
 * What {@code WfpForwardingBenchmark} (docs/benchmarks.md) depends on: once warmed up, the forward path through a
 * router with the Windows 10 filter engine (the WFP lightweight filter at the bottom of each adapter) allocates nothing
 * on the Java heap per packet, with a permitting callout at IPFORWARD and with the forward-inject callout (deep clone,
 * forward injection, completion, free of the clone, the original back to its adapter). The verifier is off, since its
 * sampled tracking allocates by design.
 *
 * <p>Measured with the polling thread's allocated-bytes counter over rounds of {@value #ROUND} packets: the path
 * passes when a round allocates less than {@value #ROUND_BUDGET} bytes in all (under 0.05 B per packet; a single
 * object per packet would cost at least 16 B each). The JIT needs some rounds before its escape analysis removes the
 * short-lived views the path makes, so up to {@value #MAX_ROUNDS} rounds are tried.
 */
class ForwardPathAllocationTest {
    private static final int BATCH = 32;
    private static final int ROUND = 20_000;
    private static final long ROUND_BUDGET = 1024;
    private static final int MAX_ROUNDS = 60;
    private static final int RECEIVE_BUFFERS = 256;
    private static final int MAX_POLLS = 1_000;

    @Test
    void aPermittingCalloutAtIpForwardAllocatesNothingPerPacket() {
        long[] classified = new long[1];
        try (PolledRouter router = new PolledRouter()) {
            UUID key = UUID.randomUUID();
            router.engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
                classified[0]++;
                out.setActionType(ActionType.PERMIT);
            }));
            router.engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V4, ActionType.CALLOUT_TERMINATING, key));
            router.engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V6, ActionType.CALLOUT_TERMINATING, key));

            assertSteadyStateAllocatesNothing(router);
            assertEquals(router.transmitted, classified[0], "one classify per forwarded packet");
        }
    }

    @Test
    void theForwardInjectCalloutAllocatesNothingPerPacket() {
        ForwardInjectCallout driver = new ForwardInjectCallout();
        try (PolledRouter router = new PolledRouter()) {
            driver.load(router.engine);
            try {
                assertSteadyStateAllocatesNothing(router);
            } finally {
                driver.unload();
            }
            assertEquals(router.transmitted, driver.injected(), "every packet went out as an injected clone");
            assertEquals(driver.injected(), driver.completed());
            assertEquals(0, driver.failedCompletions());
        }
    }

    private static void assertSteadyStateAllocatesNothing(PolledRouter router) {
        List<Long> rounds = new ArrayList<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            long before = allocatedBytes();
            router.forward(ROUND);
            long allocated = allocatedBytes() - before;
            rounds.add(allocated);
            if (allocated < ROUND_BUDGET) {
                return;
            }
        }
        fail("every round of " + ROUND + " packets allocated at least " + ROUND_BUDGET + " bytes: " + rounds);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * Interface 1 (192.0.2.0/24, 2001:db8:1::/64) and interface 2 (198.51.100.0/24, 2001:db8:2::/64) over two
     * {@link MemoryMiniport}s with the Windows 10 filter engine, polled on the test thread, which is bound to the
     * router's NDIS and engine for the callout's DDIs. Batches alternate IPv4 and IPv6 UDP packets from interface 1's
     * subnet to interface 2's.
     */
    private static final class PolledRouter implements AutoCloseable {
        final Ndis ndis = Ndis.create(VerifierSettings.off());
        final MemoryMiniport wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(RECEIVE_BUFFERS)
                .ringCapacity(RECEIVE_BUFFERS)
                .build();
        final MemoryMiniport wire2;
        final Router router = Router.create(ndis);
        final FilterEngine engine;
        final Arena arena = Arena.ofConfined();
        final MemorySegment batch;
        final int[] offsets = new int[BATCH + 1];
        final SystemNdis.Binding ndisBinding;
        final SystemWfp.Binding wfpBinding;
        long transmitted;

        PolledRouter() {
            wire2 = MemoryMiniport.builder()
                    .name("wire2")
                    .transmitSink(nbl -> transmitted++)
                    .build();
            engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
            router.addInterface(1, "wire1", wire1, List.of(), true);
            router.addInterface(2, "wire2", wire2, List.of(), true);
            router.address(1, ip("192.0.2.1"), 24)
                    .address(1, ip("2001:db8:1::1"), 64)
                    .address(2, ip("198.51.100.1"), 24)
                    .address(2, ip("2001:db8:2::1"), 64);
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                byte[] payload = new byte[18 + i];
                packets.add(
                        i % 2 == 0
                                ? SamplePackets.ipv4Udp("192.0.2.10", "198.51.100.20", 64, 0, payload)
                                : SamplePackets.ipv6Udp("2001:db8:1::10", "2001:db8:2::20", 64, 0, payload));
                offsets[i + 1] = offsets[i] + packets.get(i).length;
            }
            batch = arena.allocate(offsets[BATCH]);
            for (int i = 0; i < BATCH; i++) {
                MemorySegment.copy(MemorySegment.ofArray(packets.get(i)), 0, batch, offsets[i], packets.get(i).length);
            }
            ndisBinding = SystemNdis.bind(ndis);
            wfpBinding = SystemWfp.bind(engine);
        }

        /** Offers batches until {@code packets} (a multiple of the batch) have been sent and every NBL is back. */
        void forward(int packets) {
            for (int sent = 0; sent < packets; sent += BATCH) {
                for (int i = 0; i < BATCH; i++) {
                    assertTrue(wire1.receive(batch, offsets[i], offsets[i + 1] - offsets[i]), "wire1 refused a packet");
                }
                long target = transmitted + BATCH;
                int polls = 0;
                while (transmitted < target || wire1.freeReceiveBuffers() < RECEIVE_BUFFERS) {
                    router.pollAll(64);
                    assertTrue(++polls <= MAX_POLLS, "the batch did not come back");
                }
            }
        }

        @Override
        public void close() {
            try {
                router.close();
                assertEquals(List.of(), ndis.poolUsage().outstanding(), "everything back after the run");
            } finally {
                wfpBinding.close();
                ndisBinding.close();
                arena.close();
                ndis.close();
            }
        }

        private static InetAddress ip(String literal) {
            try {
                return InetAddress.getByName(literal);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(literal, e);
            }
        }
    }
}
