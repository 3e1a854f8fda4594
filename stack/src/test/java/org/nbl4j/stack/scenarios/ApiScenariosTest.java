package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.NblEventType;
import org.nbl4j.stack.wfp.NblNotifyFn;
import org.nbl4j.stack.wfp.NblTags;

/** API-1, API-2, API-3, API-5, API-6 (S-WFS-7), API-7 and S-WFS-4 (weak host) through the real host (§8.6). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApiScenariosTest {

    @Test
    void api1AHeldCloneSharesBytesAndKeepsTheOriginalFromItsMiniportUntilFreed() {
        byte[] packet = Packets.udpAcross(16);
        try (ScenarioHost host = new ScenarioHost()) {
            List<NetBufferList> held = new ArrayList<>();
            List<Integer> childCounts = new ArrayList<>();
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    1,
                    ActionType.CALLOUT_INSPECTION,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        NetBufferList clone = host.wfp.clone(nbl);
                        NetBufferList deep = host.wfp.deepClone(nbl);
                        childCounts.add(nbl.childRefCount());
                        // I-8: a write through the clone is the parent's byte; the deep clone's is its own.
                        Packets.ipv4Header(deep).set(ValueLayout.JAVA_BYTE, 1, (byte) 0x55);
                        assertEquals(0, Packets.ipv4Header(nbl).get(ValueLayout.JAVA_BYTE, 1));
                        MemorySegment shared = Packets.ipv4Header(clone);
                        shared.set(ValueLayout.JAVA_BYTE, 1, (byte) 0x10);
                        assertEquals(0x10, Packets.ipv4Header(nbl).get(ValueLayout.JAVA_BYTE, 1));
                        shared.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
                        host.wfp.freeClone(deep);
                        held.add(clone);
                    });

            host.receiveOn1(packet);
            assertEquals(List.of(2), childCounts, "clone and deep clone each add one (§2.3, §9 item 5)");
            assertEquals(1, host.sentOn2.size(), "the inspected original was forwarded");
            assertEquals(ScenarioHost.RECEIVE_BUFFERS - 1, host.wire1.freeReceiveBuffers(), "pinned by the clone");

            NetBufferList clone = held.removeFirst();
            NetBufferList original = clone.parent();
            host.wfp.freeClone(clone);
            assertEquals(0, original.childRefCount());
            host.assertInvariants();
        }
    }

    @Test
    void api2TheOriginalReturnsToItsMiniportOnlyWhenTheLastReferenceIsDropped() {
        try (ScenarioHost host = new ScenarioHost()) {
            List<NetBufferList> referenced = new ArrayList<>();
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    1,
                    ActionType.CALLOUT_INSPECTION,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        host.wfp.reference(nbl, false);
                        host.wfp.reference(nbl, false);
                        referenced.add(nbl);
                    });
            host.receiveOn1(Packets.udpAcross(16));
            NetBufferList original = referenced.getFirst();
            assertEquals(2, host.engine.buffers().referenceCount(original));
            host.wfp.dereference(original, false);
            host.router.drain();
            assertEquals(ScenarioHost.RECEIVE_BUFFERS - 1, host.wire1.freeReceiveBuffers(), "one reference left");
            host.wfp.dereference(original, false);
            host.assertInvariants();
        }
    }

    /** One notifyFn call, with the NBLs named as the scenario knows them. */
    private record TagEvent(NblEventType type, String nbl, String newNbl, int layerId, long context, long tag) {}

    /** One notifyFn call as made. */
    private record Notification(
            NblEventType type, NetBufferList nbl, @Nullable NetBufferList newNbl, int layerId, long context, long tag) {

        TagEvent named(NetBufferList original, NetBufferList clone) {
            return new TagEvent(type, name(nbl, original, clone), name(newNbl, original, clone), layerId, context, tag);
        }

        private static String name(@Nullable NetBufferList nbl, NetBufferList original, NetBufferList clone) {
            if (nbl == null) {
                return "-";
            }
            return nbl == original ? "original" : nbl == clone ? "clone" : "other " + nbl;
        }
    }

    @Test
    void api3ATagSetAtIpForwardIsRetrievedAtOutboundIpPacketAndItsOwnerIsToldWhatHappened() {
        byte[] packet = Packets.udpAcross(20);
        try (ScenarioHost host = new ScenarioHost()) {
            NblTags tags = host.engine.tags();
            InjectionHandle network = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_NETWORK);
            long tag = tags.getTagForContext();
            List<NetBufferList> originals = new ArrayList<>();
            List<NetBufferList> clones = new ArrayList<>();
            List<Notification> notifications = new ArrayList<>();
            NblNotifyFn notifyFn = (type, nbl, newNbl, layerId, context, contextTag) -> {
                notifications.add(new Notification(type, nbl, newNbl, layerId, context, contextTag));
                return NtStatus.STATUS_SUCCESS;
            };
            List<Integer> retrieved = new ArrayList<>();
            boolean[] removeOnRetrieve = {true};
            long[] found = new long[1];
            // The marker at IPFORWARD: tag the packet, take it, send a clone as this host (network send).
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        originals.add(nbl);
                        assertEquals(
                                NtStatus.STATUS_SUCCESS,
                                tags.associateContext(nbl, Layer.IPFORWARD_V4.id(), 0xC0FFEEL, tag, notifyFn, 0));
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                        NetBufferList clone = host.wfp.clone(nbl);
                        clones.add(clone);
                        int status = host.wfp.injection(network.injectNetworkSendAsync(
                                0,
                                0,
                                metadata.compartmentId(),
                                clone,
                                host.wfp.completion((ctx, injected, dispatchLevel) -> host.wfp.freeClone(injected)),
                                null));
                        if (status != NtStatus.STATUS_SUCCESS) {
                            host.wfp.freeClone(clone);
                        }
                    });
            // The reader at OUTBOUND_IPPACKET: recognises the packet by its tag.
            host.callout(
                    Layer.OUTBOUND_IPPACKET_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_INSPECTION,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        found[0] = 0;
                        retrieved.add(tags.retrieveContext(nbl, tag, removeOnRetrieve[0], 0, found));
                        assertEquals(0xC0FFEEL, found[0]);
                        if (removeOnRetrieve[0]) {
                            retrieved.add(tags.retrieveContext(nbl, tag, false, 0, found));
                        }
                    });
            int forward = Layer.IPFORWARD_V4.id();

            host.receiveOn1(packet);

            // §2.7: Retrieve with removeContext ends the association without a notification; the original, absorbed,
            // is told CONTEXT_REMOVED when it goes back to its miniport. (nbl4j raises no EXIT_NETIO or NDIS
            // completion events, docs/wfp.md.)
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_NOT_FOUND), retrieved);
            assertEquals(
                    List.of(
                            new TagEvent(NblEventType.CLONED_VIA_WFP_API, "original", "clone", forward, 0xC0FFEEL, tag),
                            new TagEvent(NblEventType.ENTERED_NETIO, "clone", "-", forward, 0xC0FFEEL, tag),
                            new TagEvent(NblEventType.CONTEXT_REMOVED, "original", "-", forward, 0xC0FFEEL, tag)),
                    named(notifications, originals, clones));
            assertEquals(1, host.sentOn2.size());
            assertArrayEquals(Packets.forwarded(packet), host.sentOn2.getFirst());

            notifications.clear();
            retrieved.clear();
            originals.clear();
            clones.clear();
            removeOnRetrieve[0] = false;
            host.receiveOn1(packet);

            // Not removed: the clone carries the tag until it is freed in the completion, then the original returns.
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), retrieved);
            assertEquals(
                    List.of(
                            new TagEvent(NblEventType.CLONED_VIA_WFP_API, "original", "clone", forward, 0xC0FFEEL, tag),
                            new TagEvent(NblEventType.ENTERED_NETIO, "clone", "-", forward, 0xC0FFEEL, tag),
                            new TagEvent(NblEventType.CONTEXT_REMOVED, "clone", "-", forward, 0xC0FFEEL, tag),
                            new TagEvent(NblEventType.CONTEXT_REMOVED, "original", "-", forward, 0xC0FFEEL, tag)),
                    named(notifications, originals, clones));
            host.assertInvariants();
        }
    }

    private static List<TagEvent> named(
            List<Notification> notifications, List<NetBufferList> originals, List<NetBufferList> clones) {
        assertEquals(1, originals.size());
        assertEquals(1, clones.size());
        return notifications.stream()
                .map(each -> each.named(originals.getFirst(), clones.getFirst()))
                .toList();
    }

    @Test
    void api5And7FailedInjectionsNeverCompleteAndTheCallerFrees() {
        try (ScenarioHost host = new ScenarioHost()) {
            InjectionHandle forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            InjectionHandle network = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_NETWORK);
            List<Integer> statuses = new ArrayList<>();
            InjectionCompletion completion =
                    host.wfp.completion((context, nbl, dispatchLevel) -> host.wfp.freeClone(nbl));
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    1,
                    ActionType.CALLOUT_INSPECTION,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        NetBufferList clone = host.wfp.clone(nbl);
                        statuses.add(host.wfp.injection(
                                forward.injectForwardAsync(0, 0, AddressFamily.INET, 0, 99, clone, completion, null)));
                        statuses.add(
                                host.wfp.injection(forward.injectNetworkSendAsync(0, 0, 0, clone, completion, null)));
                        host.wfp.freeClone(clone);
                    });
            host.receiveOn1(Packets.udpAcross(16));
            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 1)); // not forwarded: no classify at IPFORWARD

            assertEquals(
                    List.of(NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_FWP_INJECT_HANDLE_STALE),
                    statuses,
                    "API-5: no interface 99; API-7: no NETWORK type");
            assertEquals(0, host.wfp.completed.get());
            assertEquals(0, network.pendingInjections());
            host.assertInvariants();
        }
    }

    @Test
    void api6DestroyDuringTrafficRefusesNewInjectionsAndReturnsAfterTheLastCompletion() throws Exception {
        try (ScenarioHost host = new ScenarioHost()) {
            InjectionHandle forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            List<NetBufferList> queued = new ArrayList<>();
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    1,
                    ActionType.CALLOUT_TERMINATING,
                    (values, metadata, nbl, context, filter, flow, out) -> {
                        host.wfp.reference(nbl, false);
                        queued.add(nbl);
                        out.setActionType(ActionType.BLOCK);
                        out.absorb();
                        out.clearWriteRight();
                    });
            host.receiveOn1(Packets.udpAcross(16));
            host.receiveOn1(Packets.udpAcross(24));
            InjectionCompletion completion = host.wfp.completion((context, nbl, dispatchLevel) -> {
                events.add("completed");
                NetBufferList original = nbl.parent();
                host.wfp.freeClone(nbl);
                host.wfp.dereference(original, dispatchLevel);
            });
            NetBufferList first = queued.removeFirst();
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    host.wfp.injection(forward.injectForwardAsync(
                            0, 0, AddressFamily.INET, 0, ScenarioHost.IF2, host.wfp.clone(first), completion, null)));
            assertEquals(1, forward.pendingInjections(), "the send completes on wire2's next poll");

            Thread destroyer = Thread.ofPlatform().start(() -> {
                forward.close();
                events.add("destroyed");
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (destroyer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until destroy is blocked on the outstanding completion
            }
            NetBufferList second = queued.removeFirst();
            NetBufferList clone = host.wfp.clone(second);
            int status =
                    forward.injectForwardAsync(0, 0, AddressFamily.INET, 0, ScenarioHost.IF2, clone, completion, null);
            assertEquals(NtStatus.STATUS_FWP_INJECT_HANDLE_CLOSING, status);
            host.wfp.freeClone(clone);
            host.wfp.dereference(second, false);
            assertTrue(destroyer.isAlive(), "destroy waits for the outstanding completion");

            host.router.drain();
            destroyer.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(destroyer.isAlive());
            assertEquals("destroyed", events.getLast(), "destroy returned after the last completion (I-7)");
            host.assertInvariants();
        }
    }

    /** Both interfaces as hosts (no forwarding) with weak host receive and send on: WeakHostReceive/WeakHostSend. */
    private static final Router.InterfaceOptions WEAK_HOST =
            Router.InterfaceOptions.forwarding(false).withWeakHostReceive(true).withWeakHostSend(true);

    @Test
    void swfs4WeakHostInboundPassThroughIsReinjectedWithNetworkReceive() {
        try (ScenarioHost host = new ScenarioHost(1500, WEAK_HOST)) {
            BasicPacketInjection injector = new BasicPacketInjection(host, 0x44);
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atForward());

            host.receiveOn1(Packets.echoRequestTo("198.51.100.1", 1)); // wire2's address, arriving on wire1

            // The request passes through IPFORWARD (IS_INBOUND_PASS_THRU) and is reinjected with network receive on
            // wire2; the reply, from wire2's address out of wire1, passes through as IS_OUTBOUND_PASS_THRU and is
            // reinjected with network send, which shows it at IPFORWARD once more, as the injector's own (§3.5,
            // §6.4).
            assertEquals(
                    List.of(InjectionState.NOT_INJECTED, InjectionState.NOT_INJECTED, InjectionState.INJECTED_BY_SELF),
                    injector.states);
            assertEquals(3, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(1, host.engine.indications(Layer.INBOUND_IPPACKET_V4), "the reinjected request only");
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS), injector.completions);
            assertEquals(1, host.sentOn1.size());
            byte[] reply = host.sentOn1.getFirst();
            assertTrue(Packets.isEchoReply(reply));
            assertArrayEquals(TestPackets.ip("198.51.100.1").getAddress(), Arrays.copyOfRange(reply, 12, 16));
            assertEquals(List.of(), host.sentOn2);
            host.assertInvariants();
        }
    }

    @Test
    void swfs4ForwardInjectingAPassThroughPacketCompletesWithInvalidParameter() {
        try (ScenarioHost host = new ScenarioHost(1500, WEAK_HOST)) {
            BasicPacketInjection injector = new BasicPacketInjection(host, 0);
            injector.weakHostAware = false;
            host.callout(
                    Layer.IPFORWARD_V4,
                    host.sublayer(0x7FFF),
                    15,
                    ActionType.CALLOUT_TERMINATING,
                    injector.atForward());

            // Inbound pass-through: forward-injected toward wire2, whose address it is for.
            host.receiveOn1(Packets.echoRequestTo("198.51.100.1", 2));
            // Outbound pass-through: a request for wire2's own address from a host on wire1's subnet; the reply
            // leaves by wire1 from wire2's address.
            host.receiveOn2(Packets.echoRequestTo("198.51.100.1", 3));

            // The call succeeds; the failure comes in the NBL's Status (§3.5 [S], §9 item 20).
            assertEquals(
                    List.of(NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER),
                    injector.completions);
            assertEquals(1, host.router.ip().statistics().delivered(), "only the request for wire2 on wire2");
            assertEquals(List.of(), host.sentOn1);
            assertEquals(List.of(), host.sentOn2);
            host.assertInvariants();
        }
    }

    @Test
    void strongHostDropsAPacketForAnotherInterfacesAddressWithoutAnIpForwardIndication() {
        try (ScenarioHost host = new ScenarioHost(1500, Router.InterfaceOptions.forwarding(false))) {
            host.receiveOn1(Packets.echoRequestTo("198.51.100.1", 4));

            assertEquals(0, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(1, host.engine.indications(Layer.INBOUND_IPPACKET_V4_DISCARD));
            assertEquals(1, host.router.ip().statistics().discards(IpDiscardReason.NOT_LOCALLY_DESTINED));
            assertEquals(List.of(), host.sentOn1);
            host.assertInvariants();
        }
    }
}
