package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.MiniportStatistics;
import org.nbl4j.stack.ndis.ReceiveSideScaling;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Two receive-queue threads forwarding through one router at the same time count into the same IP, interface,
 * miniport, adapter and filter-engine counters; once both threads have been joined every total is exact. Each thread
 * polls its own ingress queue (RSS puts its flows there) and the egress adapter's queue 0, where the sends of both
 * complete, so sends are counted on one thread and completed on the other.
 */
class TwoQueueCountersTest {
    private static final int BATCH = 32;
    private static final int BATCHES_PER_THREAD = 3_000;
    private static final int PACKET_BYTES = 60;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoQueueThreadsForwardingAtOnceLeaveExactTotalsInEveryCounter() throws Exception {
        Ndis ndis = Ndis.create(VerifierSettings.off());
        MemoryMiniport wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveQueues(2)
                .receiveBuffers(256)
                .build();
        MemoryMiniport wire2 = MemoryMiniport.builder().name("wire2").build();
        Router router = Router.create(ndis);
        FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, ip("192.0.2.1"), 24).address(2, ip("198.51.100.1"), 24);
        Adapter ingress = router.adapter(1);
        Adapter egress = router.adapter(2);
        byte[][][] flows = {flowsOnQueue(0), flowsOnQueue(1)};

        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> queueThreads = new ArrayList<>();
        for (int queue = 0; queue < 2; queue++) {
            int mine = queue;
            queueThreads.add(Thread.ofPlatform().name("queue-" + queue).start(() -> {
                try {
                    start.await();
                    for (int batch = 0; batch < BATCHES_PER_THREAD; batch++) {
                        for (byte[] packet : flows[mine]) {
                            assertTrue(wire1.receive(packet), "a receive buffer for queue " + mine);
                        }
                        int indicated = 0;
                        while (indicated < BATCH) {
                            indicated += ingress.poll(mine, 64);
                            egress.poll(0, 64);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread thread : queueThreads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a queue thread failed", failure.get());
        }
        router.drain();

        long packets = 2L * BATCHES_PER_THREAD * BATCH;
        long bytes = packets * PACKET_BYTES;
        IpStatistics statistics = router.ip().statistics();
        assertEquals(packets, statistics.forwarded());
        assertEquals(0, statistics.totalDiscards());
        assertEquals(
                List.of(
                        new InterfaceStatistics(1, packets, bytes, 0, 0),
                        new InterfaceStatistics(2, 0, 0, packets, bytes)),
                statistics.interfaces());
        assertEquals(new MiniportStatistics(packets, bytes, 0, 0, 0, 0, 0), wire1.statistics());
        assertEquals(new MiniportStatistics(0, 0, 0, 0, packets, bytes, 0), wire2.statistics());
        assertEquals(packets, engine.indications(Layer.IPFORWARD_V4));
        assertEquals(256, wire1.freeReceiveBuffers());

        // The adapters' outstanding counts came back to 0 across the two threads' cells, or pausing would wait them
        // out.
        long before = System.nanoTime();
        assertTrue(ingress.pause());
        assertTrue(egress.pause());
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(1), "pause waited for NBLs already back");
        router.close();
        assertTrue(ndis.poolUsage().outstanding().isEmpty(), () -> "outstanding: " + ndis.poolUsage());
        ndis.close();
    }

    /** {@value #BATCH} UDP packets of distinct flows that the ingress miniport's RSS puts on {@code queue}. */
    private static byte[][] flowsOnQueue(int queue) {
        ReceiveSideScaling rss = ReceiveSideScaling.spreading(2);
        byte[][] flows = new byte[BATCH][];
        int found = 0;
        for (int port = 1024; found < BATCH; port++) {
            byte[] packet = TestPackets.ipv4(
                    "192.0.2.10", "198.51.100.20", 17, 64, TestPackets.udp(port, 53, new byte[PACKET_BYTES - 28]));
            long hash = rss.hashPacket(MemorySegment.ofArray(packet), 0, packet.length);
            if (rss.queueFor(ReceiveSideScaling.hashValue(hash)) == queue) {
                flows[found++] = packet;
            }
        }
        return flows;
    }
}
