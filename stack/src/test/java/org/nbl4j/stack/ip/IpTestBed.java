package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.router.Router;

/**
 * Two in-memory adapters joined by an IP stack, the verifier full: real {@link Adapter}s over {@link MemoryMiniport}s,
 * built by a {@link Router}, each with a filter module on top that counts what passes ({@link
 * RouterForwardingTest.CountingLwf}), serviced on the test thread. Interface 1 (192.0.2.1/24, 2001:db8:1::1/64,
 * MTU 1500 unless given) and interface 2 (198.51.100.1/24, 2001:db8:2::1/64, MTU given) both forward, with a route to
 * 203.0.113.0/25 and 2001:db8:3::/48 through interface 2. A packet a wire receives is indicated, and everything it
 * causes is sent and completed, before {@link Wire#receive} returns (unless a wire holds its completions back).
 * {@link #close()} checks that every receive buffer came back to its miniport, that no pool tag is left outstanding
 * and that the verifier saw no violation.
 */
final class IpTestBed implements AutoCloseable {
    /** What a hook saw at one classify or discard. */
    record Seen(
            HookPoint point,
            boolean discard,
            IpDiscardReason reason,
            int dataOffset,
            byte[] data,
            int flags,
            int arrivalInterface,
            int destinationInterface,
            int compartment,
            int ipHeaderSize,
            int coalescedSegments) {}

    /** Receive buffers per miniport: more than any test holds at once. */
    static final int RECEIVE_BUFFERS = 64;

    private static final int POLL_BUDGET = 64;
    private static final int MAXIMUM_ROUNDS = 1_000;

    final Ndis ndis = Ndis.create(VerifierSettings.full());
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final Wire wire1;
    final Wire wire2;
    final Router router;
    final IpStack stack;
    final List<Seen> seen = new ArrayList<>();
    final Map<HookPoint, HookVerdict> verdicts = new EnumMap<>(HookPoint.class);
    /** What the hook answers to {@link PacketHook#allowsCoalescedPackets()}. */
    boolean hookAllowsCoalesced = true;
    /** Called inside classify, after recording. */
    HookAction action = (point, nbl, facts) -> {};

    interface HookAction {
        void act(HookPoint point, NetBufferList nbl, PacketFacts facts);
    }

    /** One side of the bed: a memory miniport, its adapter, and the packets it put on the wire. */
    final class Wire {
        private final MemoryMiniport miniport;
        private final List<byte[]> sent = new ArrayList<>();
        /** Per sent NB: its NBL's LSO slot and checksum slot at the moment of sending. */
        final List<long[]> sentInfo = new ArrayList<>();

        private final RouterForwardingTest.CountingLwf counter = new RouterForwardingTest.CountingLwf();
        private boolean deferCompletions;

        private Wire(String name, int mtu, boolean resources, OffloadCapabilities offloads) {
            miniport = MemoryMiniport.builder()
                    .name(name)
                    .mtu(mtu)
                    .offloads(offloads)
                    .receiveBuffers(RECEIVE_BUFFERS)
                    // Every indication carries NDIS_RECEIVE_FLAGS_RESOURCES, or none does.
                    .lowWaterMark(resources ? RECEIVE_BUFFERS + 1 : 0)
                    .transmitSink(nbl -> {
                        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
                            sent.add(nb.toByteArray());
                            sentInfo.add(new long[] {OffloadInfo.largeSend(nbl), OffloadInfo.transmitChecksum(nbl)});
                        }
                    })
                    .build();
        }

        private LwfAttachment lwf() {
            return new LwfAttachment("counter", handle -> counter);
        }

        private Adapter adapter() {
            return router.adapters().get(this == wire1 ? 0 : 1);
        }

        /** The packet arrives on the wire; returns once the stack is done with it (the sends it caused completed). */
        void receive(byte[] packet) {
            receive(packet, 0, 0);
        }

        /** The packet arrives as an offloading NIC indicates it: receive checksum bits, RSC segment count. */
        void receive(byte[] packet, int receiveChecksumBits, int coalescedSegments) {
            receive(packet, receiveChecksumBits, coalescedSegments, 0);
        }

        /** As {@link #receive(byte[], int, int)}, with the sender's segment size (a TUN device's gso_size). */
        void receive(byte[] packet, int receiveChecksumBits, int coalescedSegments, int coalescedSegmentSize) {
            assertTrue(
                    miniport.receive(packet, receiveChecksumBits, coalescedSegments, coalescedSegmentSize),
                    "the miniport took the packet");
            settle();
        }

        /** The packets arrive together: the wire indicates them as one chain, then everything settles. */
        void receiveAll(List<byte[]> packets) {
            assertTrue(packets.size() <= POLL_BUDGET, "one poll indicates them all");
            for (byte[] packet : packets) {
                assertTrue(miniport.receive(packet, 0, 0), "the miniport took the packet");
            }
            settle();
        }

        /** NBLs the filter module on this wire saw sent down, and in how many {@code FilterSendNetBufferLists} calls. */
        long[] sendsAndCalls() {
            return new long[] {counter.sends.get(), counter.sendCalls.get()};
        }

        /** Holds this miniport's send completions back until {@link #completeAll()} ({@code false}: at once). */
        void deferCompletions(boolean defer) {
            this.deferCompletions = defer;
        }

        /** Makes every later send complete with {@code status} without reaching the wire. */
        void failSendsWith(int status) {
            miniport.failSendsWith(status);
        }

        /** Completes every send held back. */
        void completeAll() {
            poll(this);
        }

        /** The packets put on the wire so far (one per NB), and forgets them. */
        List<byte[]> takeSent() {
            List<byte[]> copy = new ArrayList<>(sent);
            sent.clear();
            return copy;
        }

        /** NBLs the protocol returned through the adapter (not those indicated with RESOURCES set). */
        long returned() {
            return counter.returns.get();
        }

        /** Receive buffers indicated and not returned yet. */
        int outstanding() {
            return RECEIVE_BUFFERS - miniport.freeReceiveBuffers();
        }
    }

    IpTestBed() {
        this(1500, builder -> builder);
    }

    IpTestBed(int mtu2) {
        this(mtu2, builder -> builder);
    }

    IpTestBed(int mtu2, UnaryOperator<IpStack.Builder> settings) {
        this(1500, mtu2, settings, false);
    }

    /**
     * @param mtu1 wire1's MTU, also the longest packet it receives
     * @param resourcesOnWire1 wire1 indicates everything with NDIS_RECEIVE_FLAGS_RESOURCES set
     */
    IpTestBed(int mtu1, int mtu2, UnaryOperator<IpStack.Builder> settings, boolean resourcesOnWire1) {
        this(mtu1, mtu2, settings, resourcesOnWire1, OffloadCapabilities.NONE);
    }

    /** @param offloads2 the task offloads wire2's miniport reports */
    IpTestBed(
            int mtu1,
            int mtu2,
            UnaryOperator<IpStack.Builder> settings,
            boolean resourcesOnWire1,
            OffloadCapabilities offloads2) {
        wire1 = new Wire("wire1", mtu1, resourcesOnWire1, OffloadCapabilities.NONE);
        wire2 = new Wire("wire2", mtu2, false, offloads2);
        router = Router.create(ndis, builder -> settings.apply(builder.clock(clock::get)));
        stack = router.ip();
        router.addInterface(1, "wire1", wire1.miniport, List.of(wire1.lwf()), true);
        router.addInterface(2, "wire2", wire2.miniport, List.of(wire2.lwf()), true);
        router.address(1, ip("192.0.2.1"), 24)
                .address(1, ip("2001:db8:1::1"), 64)
                .address(2, ip("198.51.100.1"), 24)
                .address(2, ip("2001:db8:2::1"), 64)
                .route(ip("203.0.113.0"), 25, ip("198.51.100.254"), 2)
                .route(ip("2001:db8:3::"), 48, ip("2001:db8:2::fe"), 2);
        stack.setPacketHook(new PacketHook() {
            @Override
            public HookVerdict classify(HookPoint point, NetBufferList nbl, PacketFacts facts) {
                record(point, false, nbl, facts);
                action.act(point, nbl, facts);
                return verdicts.getOrDefault(point, HookVerdict.CONTINUE);
            }

            @Override
            public void discarded(HookPoint point, NetBufferList nbl, PacketFacts facts) {
                record(point, true, nbl, facts);
            }

            @Override
            public boolean allowsCoalescedPackets() {
                return hookAllowsCoalesced;
            }
        });
    }

    private void record(HookPoint point, boolean discard, NetBufferList nbl, PacketFacts facts) {
        var nb = nbl.firstNetBuffer();
        seen.add(new Seen(
                point,
                discard,
                facts.discardReason(),
                nb.dataOffset(),
                nb.toByteArray(),
                facts.conditionFlags(),
                facts.arrivalInterfaceIndex(),
                facts.destinationInterfaceIndex(),
                facts.compartmentId(),
                facts.ipHeaderSize(),
                OffloadInfo.coalescedSegmentCount(nbl)));
    }

    /** Services every wire that does not hold its completions back until none has anything left to do. */
    void settle() {
        for (int round = 0; round < MAXIMUM_ROUNDS; round++) {
            int done = 0;
            for (Wire wire : List.of(wire1, wire2)) {
                if (!wire.deferCompletions) {
                    done += wire.adapter().poll(0, POLL_BUDGET);
                }
            }
            if (done == 0) {
                return;
            }
        }
        throw new AssertionError("the wires did not settle in " + MAXIMUM_ROUNDS + " rounds");
    }

    private static void poll(Wire wire) {
        for (int round = 0; round < MAXIMUM_ROUNDS; round++) {
            if (wire.adapter().poll(0, POLL_BUDGET) == 0) {
                return;
            }
        }
        throw new AssertionError("the wire did not settle in " + MAXIMUM_ROUNDS + " rounds");
    }

    List<Seen> classified(HookPoint point) {
        return seen.stream().filter(s -> s.point() == point && !s.discard()).toList();
    }

    List<Seen> discards() {
        return seen.stream().filter(Seen::discard).toList();
    }

    IpStatistics statistics() {
        return stack.statistics();
    }

    @Override
    public void close() {
        wire1.deferCompletions(false);
        wire2.deferCompletions(false);
        settle();
        assertEquals(0, wire1.outstanding(), "every NBL indicated on wire1 came back");
        assertEquals(0, wire2.outstanding(), "every NBL indicated on wire2 came back");
        router.close();
        assertTrue(ndis.poolUsage().outstanding().isEmpty(), () -> "outstanding: " + ndis.poolUsage());
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> "violations: " + ndis.verifier().violations());
        ndis.close();
    }
}
