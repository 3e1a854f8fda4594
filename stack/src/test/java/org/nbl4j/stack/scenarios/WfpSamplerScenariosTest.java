package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.IpStack;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.IncomingValues;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.IpForwardField;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.Sublayer;

/** S-WFS-1..7 (wfp-callouts-and-injection §6.4) through the real host, with the §8.4 invariants after each. */
class WfpSamplerScenariosTest {

    /** Every layer's indication count, to show that a forward-injected clone is classified nowhere (I-4). */
    private static long[] indications(ScenarioHost host) {
        long[] counts = new long[Layer.values().length];
        for (Layer layer : Layer.values()) {
            counts[layer.ordinal()] = host.engine.indications(layer);
        }
        return counts;
    }

    /**
     * Forward-injects {@code nbl} out of the classified packet's egress (DESTINATION_INTERFACE_INDEX, in its
     * compartment), as WFPSampler's forward reinjection does; the completion records the NBL's status and releases it
     * with {@code release}, and a failed call releases it at once (I-2: a failed injection never completes).
     */
    private static void injectTowardEgress(
            ScenarioHost host,
            InjectionHandle forward,
            IncomingValues values,
            IncomingMetadata metadata,
            NetBufferList nbl,
            List<Integer> completions,
            Consumer<NetBufferList> release) {
        int status = host.wfp.injection(forward.injectForwardAsync(
                0,
                0,
                AddressFamily.INET,
                metadata.compartmentId(),
                (int) values.get(IpForwardField.DESTINATION_INTERFACE_INDEX).integer(),
                nbl,
                host.wfp.completion((context, injected, dispatchLevel) -> {
                    completions.add(injected.status());
                    release.accept(injected);
                }),
                null));
        if (status != NtStatus.STATUS_SUCCESS) {
            release.accept(nbl);
        }
    }

    @Test
    void swfs1ForwardReinjectionLeavesTheEgressWireAsPlainForwardingWould() {
        byte[] packet = Packets.udpAcross(32);
        try (ScenarioHost host = new ScenarioHost()) {
            Sublayer sampler = host.sublayer(0x7FFF);
            BasicPacketInjection injector = new BasicPacketInjection(host, 5);
            host.callout(Layer.IPFORWARD_V4, sampler, 15, ActionType.CALLOUT_TERMINATING, injector.atForward());

            host.receiveOn1(packet);

            assertEquals(1, host.sentOn2.size());
            assertArrayEquals(
                    Packets.forwarded(packet), host.sentOn2.getFirst(), "TTL decremented once, before IPFORWARD");
            assertEquals(List.of(InjectionState.NOT_INJECTED), injector.states, "the clone is never re-indicated");
            assertEquals(1, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.completions);
            assertEquals(1, host.router.ip().statistics().inspectionAbsorbed());
            host.assertInvariants();
        }
    }

    @Test
    void swfs2OutOfBandTheOriginalStaysReferencedUntilTheCompletion() {
        byte[] packet = Packets.udpAcross(40);
        try (ScenarioHost host = new ScenarioHost()) {
            InjectionHandle forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            List<NetBufferList> queued = new ArrayList<>();
            List<Integer> completions = new ArrayList<>();
            int[] destination = new int[1];
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        if (forward.queryPacketInjectionState(nbl, null) != InjectionState.NOT_INJECTED) {
                            out.setActionType(ActionType.PERMIT);
                            return;
                        }
                        // TriggerBasicPacketInjectionOutOfBand: keep the NBL past classify, take it, queue the work.
                        host.wfp.reference(nbl, false);
                        destination[0] = (int) values.get(IpForwardField.DESTINATION_INTERFACE_INDEX)
                                .integer();
                        queued.add(nbl);
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                    });

            host.receiveOn1(packet);
            assertEquals(1, queued.size());
            assertEquals(List.of(), host.sentOn2);
            assertEquals(ScenarioHost.RECEIVE_BUFFERS - 1, host.wire1.freeReceiveBuffers(), "referenced: not returned");

            // The worker (PASSIVE_LEVEL, the test thread): clone, inject; the completion frees and dereferences.
            NetBufferList original = queued.removeFirst();
            NetBufferList clone = host.wfp.clone(original);
            int status = host.wfp.injection(forward.injectForwardAsync(
                    0,
                    0,
                    AddressFamily.INET,
                    0,
                    destination[0],
                    clone,
                    host.wfp.completion((context, nbl, dispatchLevel) -> {
                        completions.add(nbl.status());
                        host.wfp.freeClone(nbl);
                        host.wfp.dereference(original, dispatchLevel);
                    }),
                    null));
            assertEquals(NtStatus.STATUS_SUCCESS, status);
            assertEquals(ScenarioHost.RECEIVE_BUFFERS - 1, host.wire1.freeReceiveBuffers(), "still held by the clone");
            host.router.drain();

            assertEquals(List.of(NtStatus.STATUS_SUCCESS), completions);
            assertArrayEquals(Packets.forwarded(packet), host.sentOn2.getFirst());
            assertEquals(0, original.childRefCount());
            host.assertInvariants();
        }
    }

    private static final byte[] PAYLOAD = TestPackets.bytes(64, 9);
    /** The two fragments of one UDP datagram from a host on wire1 to one beyond wire2. */
    private static final byte[] FIRST = TestPackets.ipv4(
            "192.0.2.10", "198.51.100.20", Packets.UDP, 64, 0x4242, 0x2000, new byte[0], slice(PAYLOAD, 0, 32));

    private static final byte[] SECOND = TestPackets.ipv4(
            "192.0.2.10", "198.51.100.20", Packets.UDP, 64, 0x4242, 32 / 8, new byte[0], slice(PAYLOAD, 32, 32));

    @Test
    void swfs3WithoutGroupingEveryForwardedFragmentIsIndicatedOnceAndInjectedAlone() {
        byte[] first = FIRST;
        byte[] second = SECOND;
        try (ScenarioHost host = new ScenarioHost()) {
            BasicPacketInjection injector = new BasicPacketInjection(host, 0);
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atForward());

            host.receiveOn1(first);
            host.receiveOn1(second);

            // Grouping off (the default, §5.6 item 2): every fragment is indicated once.
            assertEquals(2, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(0, injector.groupsSeen.get());
            assertEquals(hex(List.of(Packets.forwarded(first), Packets.forwarded(second))), hex(host.sentOn2));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS), injector.completions);
            host.assertInvariants();
        }
    }

    @Test
    void swfs3WithGroupingTheGroupIndicationIsLeftAloneAndEveryFragmentIsInjectedAlone() {
        try (ScenarioHost host = new ScenarioHost()) {
            host.router.ip().setGroupForwardedFragments(true); // the §8.5 switch
            BasicPacketInjection injector = new BasicPacketInjection(host, 0);
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atForward());

            host.receiveOn1(FIRST);
            assertEquals(hex(List.of(Packets.forwarded(FIRST))), hex(host.sentOn2), "injected when indicated alone");
            assertEquals(
                    ScenarioHost.RECEIVE_BUFFERS - 1, host.wire1.freeReceiveBuffers(), "held for its fragment group");
            host.receiveOn1(SECOND);

            // §5.6 item 3: each fragment is indicated twice, alone and then in its group (an NBL chain with
            // IS_FRAGMENT_GROUP); WFPSampler leaves the group alone (CONTINUE) and injects the fragments one by one.
            assertEquals(3, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(1, injector.groupsSeen.get());
            assertEquals(List.of(InjectionState.NOT_INJECTED, InjectionState.NOT_INJECTED), injector.states);
            assertEquals(hex(List.of(Packets.forwarded(FIRST), Packets.forwarded(SECOND))), hex(host.sentOn2));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS), injector.completions);
            host.assertInvariants();
        }
    }

    @Test
    void aFragmentGroupIsReassembledBeforeForwardInjection() {
        try (ScenarioHost host = new ScenarioHost()) {
            host.router.ip().setGroupForwardedFragments(true);
            InjectionHandle forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            List<Integer> chainStatuses = new ArrayList<>();
            List<Integer> completions = new ArrayList<>();
            List<Integer> chainLengths = new ArrayList<>();
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        int flags = (int) values.get(IpForwardField.FLAGS).integer();
                        if ((flags & IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP) == 0) {
                            return; // a fragment alone goes on to its group
                        }
                        int length = 0;
                        for (NetBufferList each = nbl; each != null; each = each.next()) {
                            length++;
                        }
                        chainLengths.add(length);
                        // §3.5, §3.12 item 3: the chain cannot be forward-injected as it is.
                        NetBufferList a = host.wfp.clone(nbl);
                        NetBufferList b = host.wfp.clone(nbl.next());
                        a.setNext(b);
                        chainStatuses.add(host.wfp.injection(forward.injectForwardAsync(
                                0,
                                0,
                                AddressFamily.INET,
                                0,
                                ScenarioHost.IF2,
                                a,
                                host.wfp.completion((ctx, injected, dispatchLevel) -> {}),
                                null)));
                        a.setNext(null);
                        host.wfp.freeClone(a);
                        host.wfp.freeClone(b);
                        // An edge firewall's way (§2.9): one NBL over the fragments' bytes, injected in their place.
                        NetBufferList whole = host.wfp.reassemble(AddressFamily.INET, nbl);
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                        injectTowardEgress(host, forward, values, metadata, whole, completions, host.wfp::free);
                    });

            host.receiveOn1(SECOND);
            host.receiveOn1(FIRST);

            assertEquals(List.of(2), chainLengths);
            assertEquals(List.of(NtStatus.STATUS_INVALID_PARAMETER), chainStatuses);
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), completions);
            byte[] datagram =
                    TestPackets.ipv4("192.0.2.10", "198.51.100.20", Packets.UDP, 63, 0x4242, 0, new byte[0], PAYLOAD);
            assertEquals(hex(List.of(datagram)), hex(host.sentOn2), "one datagram, TTL as the fragments had it");
            assertEquals(1, host.router.ip().statistics().inspectionAbsorbed(), "the group, not its fragments");
            host.assertInvariants();
        }
    }

    @Test
    void swfs5AModifiedDestinationLeavesWithTheCalloutsHeaderChecksumAndTheTransportChecksumAsTheCalloutLeftIt() {
        byte[] packet = Packets.withUdpChecksum(Packets.udpAcross(24));
        try (ScenarioHost host = new ScenarioHost()) {
            InjectionHandle forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            List<Integer> completions = new ArrayList<>();
            boolean[] fixTransportChecksum = {false};
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        // BasicPacketModification: edit the clone's header in place (its bytes are the original's,
                        // I-8, which is absorbed and never sent), recompute the IPv4 header checksum, inject.
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                        NetBufferList clone = host.wfp.clone(nbl);
                        Packets.setIpv4Destination(clone, "198.51.100.30");
                        Packets.recomputeIpv4Checksum(clone);
                        if (fixTransportChecksum[0]) {
                            Packets.recomputeUdpChecksum(clone);
                        }
                        injectTowardEgress(host, forward, values, metadata, clone, completions, host.wfp::freeClone);
                    });

            host.receiveOn1(packet);
            fixTransportChecksum[0] = true;
            host.receiveOn1(packet);

            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS), completions);
            assertEquals(2, host.sentOn2.size());
            for (byte[] sent : host.sentOn2) {
                assertArrayEquals(
                        TestPackets.ip("198.51.100.30").getAddress(), java.util.Arrays.copyOfRange(sent, 16, 20));
                assertTrue(Packets.ipv4ChecksumValid(sent), "the header checksum the callout recomputed");
                assertEquals(63, sent[8], "TTL decremented once, by forwarding");
            }
            byte[] stale = host.sentOn2.get(0);
            assertEquals(TestPackets.u16(packet, 26), TestPackets.u16(stale, 26), "nbl4j leaves it as it was (I-9)");
            assertFalse(Packets.udpChecksumValid(stale), "stale: it covers the old destination");
            assertTrue(Packets.udpChecksumValid(host.sentOn2.get(1)), "the callout fixed it itself");
            host.assertInvariants();
        }
    }

    @Test
    void networkSendInjectionIsClassifiedAgainAtOutboundIpPacketAndPassesTheSelfCheckOnce() {
        try (ScenarioHost host = new ScenarioHost()) {
            BasicPacketInjection injector = new BasicPacketInjection(host, 0x51);
            host.callout(
                    Layer.OUTBOUND_IPPACKET_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atOutboundNetwork());

            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 1));

            // The echo reply is taken and reinjected; the clone comes back once as SELF (I-5) and leaves.
            assertEquals(List.of(InjectionState.NOT_INJECTED, InjectionState.INJECTED_BY_SELF), injector.states);
            assertEquals(List.of(0x51L), injector.contextsSeen, "I-3: the injectionContext round-trips");
            assertEquals(2, host.engine.indications(Layer.OUTBOUND_IPPACKET_V4));
            assertEquals(1, host.sentOn1.size());
            assertTrue(Packets.isEchoReply(host.sentOn1.getFirst()));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.completions);
            host.assertInvariants();
        }
    }

    @Test
    void networkReceiveInjectionReentersBeforeInboundIpPacketAndIsDeliveredLocally() {
        try (ScenarioHost host = new ScenarioHost()) {
            BasicPacketInjection injector = new BasicPacketInjection(host, 0x52);
            host.callout(
                    Layer.INBOUND_IPPACKET_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atInboundNetwork());

            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 2));

            assertEquals(List.of(InjectionState.NOT_INJECTED, InjectionState.INJECTED_BY_SELF), injector.states);
            assertEquals(2, host.engine.indications(Layer.INBOUND_IPPACKET_V4));
            assertEquals(1, host.router.ip().statistics().delivered(), "delivered once: the reinjected clone");
            assertEquals(1, host.sentOn1.size(), "the echo reply");
            byte[] reply = host.sentOn1.getFirst();
            assertTrue(Packets.isEchoReply(reply));
            assertTrue(Packets.ipv4ChecksumValid(reply));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.completions);
            host.assertInvariants();
        }
    }

    @Test
    void i9TheStackDoesNotFixAReceiveInjectionsBadChecksum() {
        try (ScenarioHost host = new ScenarioHost()) {
            InjectionHandle network = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_NETWORK);
            List<Integer> completions = new ArrayList<>();
            host.callout(
                    Layer.INBOUND_IPPACKET_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        if (network.queryPacketInjectionState(nbl, null) != InjectionState.NOT_INJECTED) {
                            out.setActionType(ActionType.PERMIT);
                            return;
                        }
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                        NetBuffer nb = nbl.firstNetBuffer();
                        nb.retreat(metadata.ipHeaderSize(), 0, null);
                        NetBufferList clone = host.wfp.clone(nbl);
                        nb.advance(metadata.ipHeaderSize(), false, null);
                        // Edit the header (TTL) without recomputing the checksum.
                        MemorySegment header = Packets.ipv4Header(clone);
                        header.set(ValueLayout.JAVA_BYTE, 8, (byte) 5);
                        int status = network.injectNetworkReceiveAsync(
                                0,
                                0,
                                metadata.compartmentId(),
                                ScenarioHost.IF1,
                                0,
                                clone,
                                host.wfp.completion((ctx, injected, dispatchLevel) -> {
                                    completions.add(injected.status());
                                    host.wfp.freeClone(injected);
                                }),
                                null);
                        if (host.wfp.injection(status) != NtStatus.STATUS_SUCCESS) {
                            host.wfp.freeClone(clone);
                        }
                    });

            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 3));

            assertEquals(1, host.router.ip().statistics().discards(IpDiscardReason.BAD_CHECKSUM));
            assertEquals(0, host.router.ip().statistics().delivered());
            assertEquals(List.of(), host.sentOn1);
            assertEquals(List.of(NtStatus.STATUS_UNSUCCESSFUL), completions);
            host.assertInvariants();
        }
    }

    @Test
    void swfs6TwoInjectorsSeeEachOthersPacketsAsInjectedByOtherAndTheChainEnds() {
        try (ScenarioHost host = new ScenarioHost()) {
            BasicPacketInjection a = new BasicPacketInjection(host, 0xA);
            BasicPacketInjection b = new BasicPacketInjection(host, 0xB);
            host.callout(
                    Layer.OUTBOUND_IPPACKET_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    a.atOutboundNetwork());
            host.callout(
                    Layer.OUTBOUND_IPPACKET_V4,
                    host.sublayer(0x1000),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    b.atOutboundNetwork());

            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 4));

            // API-8 through the real path: NOT_INJECTED, then SELF/OTHER, then PREVIOUSLY_SELF/SELF.
            assertEquals(
                    List.of(
                            InjectionState.NOT_INJECTED,
                            InjectionState.INJECTED_BY_SELF,
                            InjectionState.PREVIOUSLY_INJECTED_BY_SELF),
                    a.states);
            assertEquals(
                    List.of(InjectionState.INJECTED_BY_OTHER, InjectionState.INJECTED_BY_SELF),
                    b.states,
                    "B never sees the original: A absorbed it with the write right cleared");
            assertEquals(List.of(0xAL, 0xAL), a.contextsSeen, "PREVIOUSLY_SELF returns A's own context");
            assertEquals(List.of(0xBL), b.contextsSeen);
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), a.completions, "one injection per injector");
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), b.completions);
            assertEquals(1, host.sentOn1.size());
            host.assertInvariants();
        }
    }

    private static byte[] slice(byte[] data, int from, int length) {
        return java.util.Arrays.copyOfRange(data, from, from + length);
    }

    private static List<String> hex(List<byte[]> packets) {
        return packets.stream().map(java.util.HexFormat.of()::formatHex).toList();
    }
}
