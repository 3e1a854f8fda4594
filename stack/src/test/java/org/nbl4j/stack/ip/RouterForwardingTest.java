package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferLists;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.router.Router;

/**
 * The IP stack over real adapters: in-memory miniports with two pass-through filter modules each, polled on the test
 * thread. Checks what leaves the egress wire, that each filter saw every NBL pass both ways, and that every NBL went
 * back to its miniport (the miniport refuses a second return) with every pool tag back to 0.
 */
class RouterForwardingTest {

    /** Counts what passes a module in each direction; one instance per filter module. */
    static final class CountingLwf implements LwfHandlers {
        final AtomicLong sends = new AtomicLong();
        /** {@code FilterSendNetBufferLists} calls: fewer than {@link #sends} when chains come down. */
        final AtomicLong sendCalls = new AtomicLong();

        final AtomicLong sendCompletes = new AtomicLong();
        final AtomicLong receives = new AtomicLong();
        final AtomicLong returns = new AtomicLong();
        /** Receives indicated with NDIS_RECEIVE_FLAGS_RESOURCES: they never come back through the return path. */
        final AtomicLong receivesWithResources = new AtomicLong();
        /** Receives by the name of the thread that indicated them: one per receive queue. */
        final Map<String, LongAdder> receivesByThread = new ConcurrentHashMap<>();

        @Override
        public void sendNetBufferLists(LwfHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
            sends.addAndGet(NetBufferLists.count(chain));
            sendCalls.incrementAndGet();
            handle.sendNetBufferLists(chain, portNumber, sendFlags);
        }

        @Override
        public void sendNetBufferListsComplete(LwfHandle handle, NetBufferList chain, int sendCompleteFlags) {
            sendCompletes.addAndGet(NetBufferLists.count(chain));
            handle.sendNetBufferListsComplete(chain, sendCompleteFlags);
        }

        @Override
        public void receiveNetBufferLists(
                LwfHandle handle, NetBufferList chain, int portNumber, int count, int receiveFlags) {
            receives.addAndGet(count);
            if (NdisFlags.receiveCannotPend(receiveFlags)) {
                receivesWithResources.addAndGet(count);
            }
            receivesByThread
                    .computeIfAbsent(Thread.currentThread().getName(), name -> new LongAdder())
                    .add(count);
            handle.indicateReceiveNetBufferLists(chain, portNumber, count, receiveFlags);
        }

        @Override
        public void returnNetBufferLists(LwfHandle handle, NetBufferList chain, int returnFlags) {
            returns.addAndGet(NetBufferLists.count(chain));
            handle.returnNetBufferLists(chain, returnFlags);
        }
    }

    /** Two hosts' worth of wiring: interface 1 towards 192.0.2.0/24, interface 2 towards 198.51.100.0/24. */
    static final class TwoWire implements AutoCloseable {
        final Ndis ndis;
        final MemoryMiniport wire1;
        final MemoryMiniport wire2;
        final List<CountingLwf> lwfs = new ArrayList<>();
        final List<byte[]> sentOn2 = new ArrayList<>();
        final Router router;

        TwoWire(VerifierSettings settings, int receiveQueues, boolean keepBytes) {
            ndis = Ndis.create(settings);
            wire1 = MemoryMiniport.builder()
                    .name("wire1")
                    .receiveQueues(receiveQueues)
                    .receiveBuffers(1024)
                    .build();
            wire2 = MemoryMiniport.builder()
                    .name("wire2")
                    .receiveQueues(receiveQueues)
                    .transmitSink(nbl -> {
                        if (keepBytes) {
                            sentOn2.add(nbl.firstNetBuffer().toByteArray());
                        }
                    })
                    .build();
            router = Router.create(ndis);
            router.addInterface(1, "wire1", wire1, List.of(lwf("upper"), lwf("lower")), true);
            router.addInterface(2, "wire2", wire2, List.of(lwf("upper"), lwf("lower")), true);
            router.address(1, ip("192.0.2.1"), 24)
                    .address(1, ip("2001:db8:1::1"), 64)
                    .address(2, ip("198.51.100.1"), 24)
                    .address(2, ip("2001:db8:2::1"), 64);
        }

        private LwfAttachment lwf(String name) {
            return new LwfAttachment(name, handle -> {
                CountingLwf module = new CountingLwf();
                synchronized (lwfs) {
                    lwfs.add(module);
                }
                return module;
            });
        }

        /** Closes the router, then the buffer model, and checks that nothing leaked and nothing was violated. */
        @Override
        public void close() {
            router.close();
            assertEquals(0, ndis.poolUsage().outstanding().size(), () -> "outstanding: " + ndis.poolUsage());
            assertTrue(
                    ndis.verifier().violations().isEmpty(),
                    () -> "violations: " + ndis.verifier().violations());
            ndis.close();
        }
    }

    @Test
    void forwardsIpv4AndIpv6ThroughTwoFilterModulesAndReturnsEveryNbl() {
        byte[] v4 = TestPackets.ipv4("192.0.2.10", "198.51.100.20", 17, 64, TestPackets.udp(1000, 2000, new byte[32]));
        byte[] v6 = TestPackets.ipv6(
                "2001:db8:1::10", "2001:db8:2::20", 17, 64, new byte[0], TestPackets.udp(1, 2, new byte[40]));
        try (TwoWire net = new TwoWire(VerifierSettings.full(), 1, true)) {
            assertTrue(net.wire1.receive(v4));
            assertTrue(net.wire1.receive(v6));
            net.router.drain();

            assertEquals(2, net.sentOn2.size());
            // TTL decremented, and the incrementally updated checksum equals a full recomputation.
            byte[] expectedV4 = v4.clone();
            expectedV4[8] = 63;
            TestPackets.put16(expectedV4, 10, 0);
            TestPackets.put16(expectedV4, 10, TestPackets.checksum(expectedV4, 0, 20));
            assertArrayEquals(expectedV4, net.sentOn2.get(0));
            byte[] expectedV6 = v6.clone();
            expectedV6[7] = 63;
            assertArrayEquals(expectedV6, net.sentOn2.get(1));

            IpStatistics statistics = net.router.ip().statistics();
            assertEquals(2, statistics.forwarded());
            assertEquals(0, statistics.totalDiscards());
            // wire1's modules saw 2 receives and 2 returns, wire2's 2 sends and 2 completions.
            long receives = net.lwfs.stream().mapToLong(f -> f.receives.get()).sum();
            long returns = net.lwfs.stream().mapToLong(f -> f.returns.get()).sum();
            long sends = net.lwfs.stream().mapToLong(f -> f.sends.get()).sum();
            long completes =
                    net.lwfs.stream().mapToLong(f -> f.sendCompletes.get()).sum();
            assertEquals(List.of(4L, 4L, 4L, 4L), List.of(receives, returns, sends, completes));
            assertEquals(2, net.wire2.statistics().sentPackets());
        }
    }

    /**
     * Issue 4's soak: a million packets over many flows through two receive-queue threads and two filter modules per
     * adapter. Every NBL must come back exactly once (the miniport refuses a second return; the standard verifier
     * checks each hand-off), every counter must add up, and every pool tag must be back to 0.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aMillionPacketsThroughTwoQueuesAndTwoFiltersComeBackExactlyOnce() throws InterruptedException {
        int packets = 1_000_000;
        byte[][] flows = new byte[64][];
        for (int i = 0; i < flows.length; i++) {
            byte[] udp = TestPackets.udp(1024 + i, 53, new byte[20]);
            flows[i] = i % 2 == 0
                    ? TestPackets.ipv4("192.0.2." + (10 + i), "198.51.100." + (20 + i), 17, 64, udp)
                    : TestPackets.ipv6(
                            "2001:db8:1::" + Integer.toHexString(10 + i), "2001:db8:2::20", 17, 64, new byte[0], udp);
        }
        try (TwoWire net = new TwoWire(VerifierSettings.standard(), 2, false)) {
            net.router.start();
            long refused = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            for (int sent = 0; sent < packets; ) {
                if (net.wire1.receive(flows[sent % flows.length])) {
                    sent++;
                } else {
                    refused++; // no free receive buffer yet: the queue threads are behind; offer it again
                    Thread.onSpinWait();
                    assertTrue(System.nanoTime() < deadline, "the router stopped making progress");
                }
            }
            while (net.wire2.statistics().sentPackets() < packets && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            net.router.close();

            assertEquals(packets, net.wire1.statistics().receivedPackets());
            assertEquals(refused, net.wire1.statistics().receiveDiscards());
            assertEquals(packets, net.wire2.statistics().sentPackets());
            IpStatistics statistics = net.router.ip().statistics();
            assertEquals(packets, statistics.forwarded());
            assertEquals(0, statistics.totalDiscards());
            List<CountingLwf> ingress = net.lwfs.subList(0, 2);
            List<CountingLwf> egress = net.lwfs.subList(2, 4);
            for (CountingLwf module : ingress) {
                // ndis-buffers §6.4: with RESOURCES set ownership returns when the indication returns, not later.
                long returnedLater = packets - module.receivesWithResources.get();
                assertEquals(
                        List.of((long) packets, returnedLater, 0L, 0L),
                        List.of(
                                module.receives.get(),
                                module.returns.get(),
                                module.sends.get(),
                                module.sendCompletes.get()));
                assertEquals(2, module.receivesByThread.size(), () -> "queues used: " + module.receivesByThread);
            }
            for (CountingLwf module : egress) {
                assertEquals(
                        List.of(0L, 0L, (long) packets, (long) packets),
                        List.of(
                                module.receives.get(),
                                module.returns.get(),
                                module.sends.get(),
                                module.sendCompletes.get()));
            }
        }
    }
}
