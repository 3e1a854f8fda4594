package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ip.AddressFamily;

/** Injection (§3): API-5 to API-8, I-1 to I-3, I-7, and the parameters of seed 002. */
class InjectionTest {
    private static final int NETWORK = InjectionType.FWPS_INJECTION_TYPE_NETWORK;
    private static final int FORWARD = InjectionType.FWPS_INJECTION_TYPE_FORWARD;

    /** Completions as a callout's completionFn sees them; it frees the clone as the samples do. */
    private static final class Completions implements InjectionCompletion {
        final List<String> calls = new ArrayList<>();
        final WfpBuffers buffers;
        final CountDownLatch done = new CountDownLatch(1);
        volatile String thread = "";
        volatile boolean dispatch;

        Completions(WfpBuffers buffers) {
            this.buffers = buffers;
        }

        @Override
        public void complete(Object context, NetBufferList nbl, boolean dispatchLevel) {
            calls.add(context + " " + NtStatus.name(nbl.status()));
            thread = Thread.currentThread().getName();
            dispatch = dispatchLevel;
            buffers.freeCloneNetBufferList(nbl, 0);
            done.countDown();
        }
    }

    @Test
    void forwardInjectionPassesEveryParameterAndCompletesOnce() {
        try (WfpTestStack stack = new WfpTestStack()) {
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            Completions completions = new Completions(stack.engine.buffers());
            NetBufferList clone;
            try (InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, FORWARD)) {
                clone = stack.engine.buffers().allocateCloneNetBufferList(original, null, null, 0);
                int status = handle.injectForwardAsync(7, 0, AddressFamily.INET, 1, 5, clone, completions, "ctx");
                assertEquals(NtStatus.STATUS_SUCCESS, status);
                TestPacketInjection.Injected injected = stack.injection.seen().getFirst();
                assertEquals(TestPacketInjection.Kind.FORWARD, injected.kind());
                assertSame(clone, injected.nbl());
                assertEquals(1, injected.compartmentId());
                assertEquals(5, injected.interfaceIndex());
                assertEquals(List.of("ctx STATUS_SUCCESS"), completions.calls);
                assertEquals(0, handle.pendingInjections());
            }
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void aFailedInjectionNeverCompletesAndTheCallerFrees() {
        // API-5, I-2, and the synchronous status codes of §3.4
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
            Completions completions = new Completions(buffers);
            InjectionHandle forward = stack.engine.createInjectionHandle(AddressFamily.INET, FORWARD);
            InjectionHandle network = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            InjectionHandle unspecified = stack.engine.createInjectionHandle(null, NETWORK);
            InjectionHandle v6 = stack.engine.createInjectionHandle(AddressFamily.INET6, FORWARD | NETWORK);
            assertEquals(
                    NtStatus.STATUS_FWP_INJECT_HANDLE_STALE,
                    forward.injectNetworkSendAsync(0, 0, 0, clone, completions, null),
                    "API-7: a handle without NETWORK");
            assertEquals(
                    NtStatus.STATUS_FWP_INJECT_HANDLE_STALE,
                    network.injectForwardAsync(0, 0, AddressFamily.INET, 0, 1, clone, completions, null));
            assertEquals(
                    NtStatus.STATUS_FWP_INJECT_HANDLE_STALE,
                    unspecified.injectNetworkSendAsync(0, 0, 0, clone, completions, null),
                    "network injection needs a family-specific handle");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    v6.injectNetworkSendAsync(0, 0, 0, clone, completions, null),
                    "an IPv4 packet through an IPv6 network handle does not start with an IPv6 header");
            assertEquals(
                    NtStatus.STATUS_FWP_INJECT_HANDLE_STALE,
                    v6.injectForwardAsync(0, 0, AddressFamily.INET, 0, 1, clone, completions, null),
                    "a family other than the handle's");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    forward.injectForwardAsync(0, 1, AddressFamily.INET, 0, 1, clone, completions, null),
                    "flags must be 0");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    network.injectNetworkSendAsync(0, 0, 0, original, completions, null),
                    "the indicated NBL itself cannot be injected");
            stack.engine.faults().setTcpipNotReady(true);
            assertEquals(
                    NtStatus.STATUS_FWP_TCPIP_NOT_READY,
                    network.injectNetworkSendAsync(0, 0, 0, clone, completions, null));
            stack.engine.faults().setTcpipNotReady(false);
            stack.injection.refuseWith(NtStatus.STATUS_NOT_FOUND);
            assertEquals(NtStatus.STATUS_NOT_FOUND, network.injectNetworkSendAsync(0, 0, 0, clone, completions, null));
            assertEquals(InjectionState.NOT_INJECTED, network.queryPacketInjectionState(clone, null));
            assertTrue(completions.calls.isEmpty());
            assertEquals(0, network.pendingInjections());
            buffers.freeCloneNetBufferList(clone, 0);
            for (InjectionHandle handle : List.of(forward, network, unspecified, v6)) {
                handle.close();
            }
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void aPacketThatDoesNotStartWithAnIpHeaderOfTheFamilyIsRefused() {
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 40), 0);
            original.advance(20, false, null);
            NetBufferList transport = buffers.allocateCloneNetBufferList(original, null, null, 0);
            original.retreat(20, 0, null, null);
            Completions completions = new Completions(buffers);
            try (InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK)) {
                assertEquals(
                        NtStatus.STATUS_INVALID_PARAMETER,
                        handle.injectNetworkReceiveAsync(0, 0, 0, 3, 0, transport, completions, null));
            }
            buffers.freeCloneNetBufferList(transport, 0);
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void aFragmentGroupMustBeReassembledBeforeForwardInjection() {
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList first = stack.packet(TestPackets.ipv4Fragment(17, 16, 9, 0, true, 1), 0);
            NetBufferList last = stack.packet(TestPackets.ipv4Fragment(17, 8, 9, 16, false, 17), 0);
            NetBufferList a = buffers.allocateCloneNetBufferList(first, null, null, 0);
            NetBufferList b = buffers.allocateCloneNetBufferList(last, null, null, 0);
            a.setNext(b);
            Completions completions = new Completions(buffers);
            try (InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, FORWARD)) {
                assertEquals(
                        NtStatus.STATUS_INVALID_PARAMETER,
                        handle.injectForwardAsync(0, 0, AddressFamily.INET, 0, 5, a, completions, null));
                a.setNext(null);
                first.setNext(last);
                NetBufferList whole = buffers.reassembleForwardFragmentGroup(AddressFamily.INET, first, null, 0, 0);
                assertEquals(
                        NtStatus.STATUS_SUCCESS,
                        handle.injectForwardAsync(
                                0,
                                0,
                                AddressFamily.INET,
                                0,
                                5,
                                whole,
                                (context, nbl, dispatch) -> buffers.freeNetBufferList(nbl),
                                null));
                first.setNext(null);
            }
            buffers.freeCloneNetBufferList(a, 0);
            buffers.freeCloneNetBufferList(b, 0);
            stack.free(first);
            stack.free(last);
            stack.assertQuiescent();
        }
    }

    @Test
    void destroyRefusesNewInjectionsAndWaitsForTheOutstandingCompletions() throws Exception {
        // API-6, I-7, S-WFS-7
        try (WfpTestStack stack = WfpTestStack.with(TestPacketInjection.held())) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            Completions completions = new Completions(buffers);
            InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            NetBufferList inFlight = buffers.allocateCloneNetBufferList(original, null, null, 0);
            assertEquals(NtStatus.STATUS_SUCCESS, handle.injectNetworkSendAsync(0, 0, 0, inFlight, completions, 1));
            assertEquals(1, handle.pendingInjections());
            CountDownLatch destroyed = new CountDownLatch(1);
            Thread destroyer = Thread.ofPlatform().start(() -> {
                handle.close();
                destroyed.countDown();
            });
            NetBufferList late = buffers.allocateCloneNetBufferList(original, null, null, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (destroyer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(
                    NtStatus.STATUS_FWP_INJECT_HANDLE_CLOSING,
                    handle.injectNetworkSendAsync(0, 0, 0, late, completions, 2));
            assertFalse(destroyed.await(100, TimeUnit.MILLISECONDS), "destroy waits for the completion");
            stack.injection.completeAll(NtStatus.STATUS_SUCCESS);
            assertTrue(destroyed.await(5, TimeUnit.SECONDS));
            destroyer.join(5000);
            assertEquals(List.of("1 STATUS_SUCCESS"), completions.calls);
            buffers.freeCloneNetBufferList(late, 0);
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void aCloneFreedWhileItsInjectionIsInFlightIsRefused() {
        // FwpsFreeCloneNetBufferList0 is for a clone the driver owns again: one injected is netio's until its
        // completion function runs. Refused under COLLECT, the clone stays allocated for the completion to free.
        try (WfpTestStack stack = new WfpTestStack(
                VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT),
                PlatformProfile.WINDOWS_10,
                TestPacketInjection.held())) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            Completions completions = new Completions(buffers);
            InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
            assertEquals(NtStatus.STATUS_SUCCESS, handle.injectNetworkSendAsync(0, 0, 0, clone, completions, 1));
            buffers.freeCloneNetBufferList(clone, 0);
            List<Violation> violations = stack.ndis.verifier().violations();
            assertEquals(1, violations.size(), violations::toString);
            assertEquals(WfpRule.WFP_WRONG_FREE_FUNCTION, violations.getFirst().rule());
            assertTrue(violations.getFirst().detail().contains("while an injection of it is in flight"));
            assertEquals(1, stack.outstanding(Ndis.DEFAULT_NBL_POOL_TAG), "the clone is still allocated");
            stack.injection.completeAll(NtStatus.STATUS_SUCCESS);
            assertEquals(List.of("1 STATUS_SUCCESS"), completions.calls);
            handle.close();
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void injectionStateAndContextRoundTrip() {
        // API-8, I-3, S-WFS-6: SELF, OTHER, and PREVIOUSLY_SELF through a clone injected by another handle.
        try (WfpTestStack stack = WfpTestStack.with(TestPacketInjection.held())) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            InjectionHandle a = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            InjectionHandle b = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            assertEquals(InjectionState.NOT_INJECTED, a.queryPacketInjectionState(original, null));
            NetBufferList c1 = buffers.allocateCloneNetBufferList(original, null, null, 0);
            // c1 is the parent of c2: its completion keeps it until c2 is freed, as a deferred return would.
            List<NetBufferList> completed = new ArrayList<>();
            InjectionCompletion free = (context, nbl, dispatch) -> completed.add(nbl);
            assertEquals(NtStatus.STATUS_SUCCESS, a.injectNetworkSendAsync(1111, 0, 0, c1, free, null));
            long[] context = new long[1];
            assertEquals(InjectionState.INJECTED_BY_SELF, a.queryPacketInjectionState(c1, context));
            assertEquals(1111, context[0]);
            assertEquals(InjectionState.INJECTED_BY_OTHER, b.queryPacketInjectionState(c1, context));
            NetBufferList c2 = buffers.allocateCloneNetBufferList(c1, null, null, 0);
            assertEquals(NtStatus.STATUS_SUCCESS, b.injectNetworkSendAsync(2222, 0, 0, c2, free, null));
            assertEquals(InjectionState.PREVIOUSLY_INJECTED_BY_SELF, a.queryPacketInjectionState(c2, context));
            assertEquals(1111, context[0]);
            assertEquals(InjectionState.INJECTED_BY_SELF, b.queryPacketInjectionState(c2, context));
            assertEquals(2222, context[0]);
            stack.injection.completeAll(NtStatus.STATUS_SUCCESS);
            assertEquals(List.of(c1, c2), completed);
            buffers.freeCloneNetBufferList(c2, 0);
            buffers.freeCloneNetBufferList(c1, 0);
            a.close();
            b.close();
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void aCalloutSeesItsOwnNetworkInjectionAsSelfDuringTheReclassification() {
        // I-5: the injection record is in place before the packet re-enters the path.
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK);
            List<InjectionState> seen = new ArrayList<>();
            stack.injection.onNetworkInjection(
                    injected -> seen.add(handle.queryPacketInjectionState(injected.nbl(), null)));
            NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
            handle.injectNetworkReceiveAsync(
                    0, 0, 1, 3, 0, clone, (context, nbl, dispatch) -> buffers.freeCloneNetBufferList(nbl, 0), null);
            assertEquals(List.of(InjectionState.INJECTED_BY_SELF), seen);
            assertEquals(3, stack.injection.seen().getFirst().interfaceIndex());
            handle.close();
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void forcedStatusAndCompletionOnAnotherThread() throws Exception {
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            stack.engine.faults().forceCompletionStatus(NtStatus.STATUS_INVALID_BUFFER_SIZE);
            stack.engine.faults().setDelivery(InjectionFaults.Delivery.ANOTHER_THREAD);
            Completions completions = new Completions(buffers);
            try (InjectionHandle handle = stack.engine.createInjectionHandle(AddressFamily.INET, FORWARD)) {
                NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
                assertEquals(
                        NtStatus.STATUS_SUCCESS,
                        handle.injectForwardAsync(0, 0, AddressFamily.INET, 0, 5, clone, completions, "x"));
                assertTrue(completions.done.await(5, TimeUnit.SECONDS));
            }
            assertEquals(List.of("x STATUS_INVALID_BUFFER_SIZE"), completions.calls);
            assertEquals("wfp-completion", completions.thread);
            assertFalse(completions.dispatch);
            stack.free(original);
            stack.assertQuiescent();
        }
    }

    @Test
    void handleCreationFaultsAndBadFlags() {
        try (WfpTestStack stack = new WfpTestStack()) {
            stack.engine.faults().setTcpipNotReady(true);
            ArbitrationTest.assertStatus(
                    NtStatus.STATUS_FWP_TCPIP_NOT_READY,
                    () -> stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK));
            stack.engine.faults().setTcpipNotReady(false);
            ArbitrationTest.assertStatus(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    () -> stack.engine.createInjectionHandle(AddressFamily.INET, 0x80));
            ArbitrationTest.assertStatus(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    () -> stack.engine.createInjectionHandle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_L2));
            try (InjectionHandle zero = stack.engine.createInjectionHandle(null, 0)) {
                assertEquals(InjectionType.WHEN_ZERO, zero.types(), "flags 0: transport, stream and forward");
            }
        }
    }

    @Test
    void refusedInjectionsAnswerTheirStatusAndHandNothingOff() {
        // With COLLECT a refused call returns to the driver: it sees the documented status and still owns the clone.
        try (WfpTestStack stack = new WfpTestStack(
                VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT),
                PlatformProfile.WINDOWS_10,
                TestPacketInjection.immediate())) {
            WfpBuffers buffers = stack.engine.buffers();
            Completions completions = new Completions(buffers);
            NetBufferList original = stack.packet(TestPackets.ipv4(17, 8), 0);
            NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
            try (InjectionHandle network = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK)) {
                Irql old = Irql.raise(Irql.HIGH_LEVEL);
                int aboveDispatch;
                try {
                    aboveDispatch = network.injectNetworkSendAsync(0, 0, 0, clone, completions, null);
                } finally {
                    Irql.lower(old);
                }
                assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, aboveDispatch, "fwpsk.h: IRQL <= DISPATCH_LEVEL");
                assertEquals(
                        List.of(BufferRule.IRQL_TOO_HIGH),
                        stack.ndis.verifier().violations().stream()
                                .map(Violation::rule)
                                .toList());
                assertEquals(
                        NtStatus.STATUS_FWP_NULL_POINTER,
                        network.injectNetworkSendAsync(0, 0, 0, clone, null, null),
                        "no completionFn");
                assertTrue(stack.injection.seen().isEmpty(), "nothing reached the IP path");
                assertTrue(completions.calls.isEmpty());
                assertEquals(InjectionState.NOT_INJECTED, network.queryPacketInjectionState(clone, null));
                assertEquals(0, network.pendingInjections());
            }
            buffers.freeCloneNetBufferList(clone, 0); // still the caller's: freeing it is no violation
            stack.free(original);
            assertEquals(1, stack.ndis.verifier().violations().size());
            stack.assertQuiescent();
        }
    }

    @Test
    void onlyAPacketThatStartsWithAWholeIpHeaderOfItsFamilyIsInjected() {
        // §3.4: network and forward injection take a packet that starts at its IP header.
        byte[] headerOnly = TestPackets.ipv4(17, 0); // 20 bytes: the shortest IPv4 packet
        byte[] truncated = Arrays.copyOf(headerOnly, 19);
        byte[] notIp = headerOnly.clone();
        notIp[0] = 0x05; // version 0
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            Completions completions = new Completions(buffers);
            try (InjectionHandle network = stack.engine.createInjectionHandle(AddressFamily.INET, NETWORK)) {
                for (byte[] refused : List.of(truncated, notIp)) {
                    NetBufferList original = stack.packet(refused, 0);
                    NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
                    assertEquals(
                            NtStatus.STATUS_INVALID_PARAMETER,
                            network.injectNetworkSendAsync(0, 0, 0, clone, completions, null),
                            () -> refused.length + " bytes, first " + refused[0]);
                    assertEquals(InjectionState.NOT_INJECTED, network.queryPacketInjectionState(clone, null));
                    buffers.freeCloneNetBufferList(clone, 0);
                    stack.free(original);
                }
                assertTrue(stack.injection.seen().isEmpty());
                NetBufferList original = stack.packet(headerOnly, 0);
                NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
                assertEquals(NtStatus.STATUS_SUCCESS, network.injectNetworkSendAsync(0, 0, 0, clone, completions, "h"));
                assertEquals(List.of("h STATUS_SUCCESS"), completions.calls);
                stack.free(original);
            }
            stack.assertQuiescent();
        }
    }
}
