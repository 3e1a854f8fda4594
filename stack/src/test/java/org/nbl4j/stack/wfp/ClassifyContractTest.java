package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.ip.HookVerdict;
import org.nbl4j.stack.ip.PacketFacts;

/** What classify functions must keep (offsets, classify handles) and what the engine promises (no allocation). */
class ClassifyContractTest {
    private static final Layer LAYER = Layer.INBOUND_IPPACKET_V4;

    private static UUID register(FilterEngine engine, ClassifyFn classifyFn) {
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, classifyFn));
        engine.addFilter(FilterSpec.callout(LAYER, ActionType.CALLOUT_UNKNOWN, key));
        return key;
    }

    @Test
    void aCalloutThatLeavesTheOffsetMovedIsReported() {
        // §8.3 step 4
        try (WfpTestStack stack = new WfpTestStack()) {
            register(stack.engine, (values, metadata, nbl, context, filter, flow, out) -> nbl.advance(4, false, null));
            NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
            RuleViolation thrown = assertThrows(
                    RuleViolation.class,
                    () -> stack.engine.classify(HookPoint.INBOUND_IPPACKET, packet, WfpTestStack.v4Facts(17)));
            assertEquals(WfpRule.CALLOUT_CHANGED_OFFSETS, thrown.rule());
            assertTrue(thrown.getMessage().contains("DataOffset 0 -> 4"), thrown.getMessage());
            packet.retreat(4, 0, null, null);
            stack.engine.containers().release(packet);
            stack.free(packet);
        }
    }

    @Test
    void aClassificationNestedInACalloutLeavesTheOuterOneIntact() {
        // An inline injection re-classifies the injected packet on the same thread, inside the outer classifyFn
        // (§3.4 item 9, §6.4 inline mode): the outer arbitration must still see the outer callout's BLOCK + ABSORB.
        try (WfpTestStack stack = new WfpTestStack()) {
            NetBufferList outer = stack.packet(TestPackets.ipv4(17, 8), 0);
            NetBufferList inner = stack.packet(TestPackets.ipv4(17, 8), 0);
            HookVerdict[] nested = new HookVerdict[1];
            register(stack.engine, (values, metadata, nbl, context, filter, flow, out) -> {
                if (nbl == inner) {
                    out.setActionType(ActionType.PERMIT);
                    return;
                }
                out.setActionType(ActionType.BLOCK);
                out.absorb();
                out.clearWriteRight();
                nested[0] = stack.engine.classify(HookPoint.INBOUND_IPPACKET, inner, WfpTestStack.v4Facts(17));
            });
            assertEquals(
                    HookVerdict.ABSORB,
                    stack.engine.classify(HookPoint.INBOUND_IPPACKET, outer, WfpTestStack.v4Facts(17)));
            assertEquals(HookVerdict.CONTINUE, nested[0]);
            for (NetBufferList packet : new NetBufferList[] {outer, inner}) {
                stack.engine.containers().release(packet);
                stack.free(packet);
            }
        }
    }

    @Test
    void retreatingAndAdvancingBackIsAllowed() {
        // The inspect/ddproxy pattern: retreat to the IP header, clone, advance back (§2.3).
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpBuffers buffers = stack.engine.buffers();
            NetBufferList[] clone = new NetBufferList[1];
            register(stack.engine, (values, metadata, nbl, context, filter, flow, out) -> {
                nbl.retreat(metadata.ipHeaderSize(), 0, null, null);
                clone[0] = buffers.allocateCloneNetBufferList(nbl, null, null, 0);
                nbl.advance(metadata.ipHeaderSize(), false, null);
                out.setActionType(ActionType.BLOCK);
                out.clearWriteRight();
                out.absorb();
            });
            NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
            packet.advance(20, false, null);
            assertEquals(
                    HookVerdict.ABSORB,
                    stack.engine.classify(HookPoint.INBOUND_IPPACKET, packet, WfpTestStack.v4Facts(17)));
            assertEquals(0, clone[0].firstNetBuffer().dataOffset(), "the clone keeps the retreated offset");
            assertEquals(28, clone[0].firstNetBuffer().dataLength());
            buffers.freeCloneNetBufferList(clone[0], 0);
            packet.retreat(20, 0, null, null);
            stack.free(packet);
            stack.assertQuiescent();
        }
    }

    @Test
    void theIpLayersCannotPendAClassification() {
        try (WfpTestStack stack = new WfpTestStack()) {
            int[] statuses = new int[2];
            register(stack.engine, (values, metadata, nbl, context, filter, flow, out) -> {
                ClassifyHandle handle = stack.engine.acquireClassifyHandle(context, 0);
                statuses[0] = stack.engine.pendClassify(handle, filter.filterId(), 0, out);
                stack.engine.releaseClassifyHandle(handle);
                statuses[1] = handle.layer().id();
            });
            NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
            stack.engine.classify(HookPoint.INBOUND_IPPACKET, packet, WfpTestStack.v4Facts(17));
            assertEquals(NtStatus.STATUS_FWP_CANNOT_PEND, statuses[0]);
            assertEquals(LAYER.id(), statuses[1]);
            assertThrows(RuleViolation.class, () -> stack.engine.acquireClassifyHandle(new ClassifyContext(), 0));
            stack.engine.containers().release(packet);
            stack.free(packet);
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void classifyingAndInjectingAllocateNothingInSteadyState() {
        try (WfpTestStack stack =
                new WfpTestStack(VerifierSettings.off(), PlatformProfile.WINDOWS_10, TestPacketInjection.silent())) {
            FilterEngine engine = stack.engine;
            WfpBuffers buffers = engine.buffers();
            InjectionHandle handle =
                    engine.createInjectionHandle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
            InjectionCompletion free = (context, nbl, dispatch) -> buffers.freeCloneNetBufferList(nbl, 0);
            UUID key = UUID.randomUUID();
            engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
                if (handle.queryPacketInjectionState(nbl, null) == InjectionState.NOT_INJECTED) {
                    NetBufferList clone = buffers.allocateCloneNetBufferList(nbl, null, null, 0);
                    handle.injectForwardAsync(1, 0, AddressFamily.INET, 0, 5, clone, free, null);
                }
                out.setActionType(ActionType.BLOCK);
                out.clearWriteRight();
                out.absorb();
            }));
            engine.addFilter(FilterSpec.of(Layer.IPFORWARD_V4, ActionType.PERMIT)
                    .withWeight(1)
                    .withCondition(FilterCondition.of(IpForwardField.FLAGS, MatchType.FLAGS_ALL_SET, 0x1)));
            engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V4, ActionType.CALLOUT_TERMINATING, key));
            NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
            PacketFacts facts = WfpTestStack.v4Facts(17);
            for (int i = 0; i < 200_000; i++) {
                engine.classify(HookPoint.IPFORWARD, packet, facts);
            }
            long before = allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                engine.classify(HookPoint.IPFORWARD, packet, facts);
            }
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < 1024, "classify + clone + inject + complete allocated " + allocated + " bytes");
            handle.close();
            engine.containers().release(packet);
            stack.free(packet);
            stack.assertQuiescent();
        }
    }
}
