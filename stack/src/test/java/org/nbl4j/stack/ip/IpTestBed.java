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
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.verify.VerifierSettings;

/**
 * Two wires joined by an IP stack with the full verifier: interface 1 (192.0.2.1/24, 2001:db8:1::1/64, MTU 1500)
 * and interface 2 (198.51.100.1/24, 2001:db8:2::1/64, MTU given), both forwarding, plus a route to 203.0.113.0/25
 * and 2001:db8:3::/48 through interface 2. {@link #close()} checks that nothing leaked.
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
            int ipHeaderSize) {}

    final Ndis ndis = Ndis.create(VerifierSettings.full());
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final WireBinding wire1 = new WireBinding(ndis, "wire1", 1500);
    final WireBinding wire2;
    final IpStack stack;
    final List<Seen> seen = new ArrayList<>();
    final Map<HookPoint, HookVerdict> verdicts = new EnumMap<>(HookPoint.class);
    /** Called inside classify, after recording. */
    HookAction action = (point, nbl, facts) -> {};

    interface HookAction {
        void act(HookPoint point, NetBufferList nbl, PacketFacts facts);
    }

    IpTestBed() {
        this(1500, builder -> builder);
    }

    IpTestBed(int mtu2) {
        this(mtu2, builder -> builder);
    }

    IpTestBed(int mtu2, UnaryOperator<IpStack.Builder> settings) {
        wire2 = new WireBinding(ndis, "wire2", mtu2);
        stack = settings.apply(IpStack.builder(ndis).clock(clock::get)).build();
        wire1.attach(stack);
        wire2.attach(stack);
        stack.addInterface(1, wire1, 0).setForwarding(true);
        stack.addInterface(2, wire2, 0).setForwarding(true);
        stack.addAddress(1, ip("192.0.2.1"), 24);
        stack.addAddress(1, ip("2001:db8:1::1"), 64);
        stack.addAddress(2, ip("198.51.100.1"), 24);
        stack.addAddress(2, ip("2001:db8:2::1"), 64);
        stack.addRoute(ip("203.0.113.0"), 25, ip("198.51.100.254"), 2, 0);
        stack.addRoute(ip("2001:db8:3::"), 48, ip("2001:db8:2::fe"), 2, 0);
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
                facts.ipHeaderSize()));
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
        wire1.completeAll();
        wire2.completeAll();
        assertEquals(0, wire1.outstanding(), "every NBL indicated on wire1 came back");
        assertEquals(0, wire2.outstanding(), "every NBL indicated on wire2 came back");
        stack.close();
        wire1.close();
        wire2.close();
        PoolUsageSnapshot usage = ndis.poolUsage();
        for (PoolTag tag : List.of(
                IpPoolTags.PACKET_NBLS,
                IpPoolTags.ECHO_REPLY,
                IpPoolTags.ICMP_ERROR,
                IpPoolTags.REASSEMBLED,
                IpPoolTags.REASSEMBLY_PIECE,
                IpPoolTags.RECEIVE_COPY,
                IpPoolTags.FRAGMENT_NBLS,
                IpPoolTags.FRAGMENT_NBS,
                WireBinding.TAG,
                Ndis.RETREAT_TAG)) {
            assertEquals(0, usage.diff(tag), "outstanding " + tag);
        }
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> "violations: " + ndis.verifier().violations());
        ndis.close();
    }
}
