package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ip.AddressFamily;

/** The WFP buffer functions (§2): API-1, API-2, API-3, the deep clone of seed 000, fragment-group reassembly. */
class BufferFunctionsTest {
    private final WfpTestStack stack = new WfpTestStack();
    private final WfpBuffers buffers = stack.engine.buffers();
    private final byte[] bytes = TestPackets.ipv4(17, 32);
    private final NetBufferList original = stack.packet(bytes, 16);

    @AfterEach
    void close() {
        stack.free(original);
        stack.assertQuiescent();
        stack.close();
    }

    @Test
    void aCloneSharesBytesAndCountsAsAChild() {
        // API-1, I-8
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        assertSame(original, clone.parent());
        assertEquals(1, original.childRefCount());
        assertNull(clone.context(), "a shallow clone has no context");
        NetBuffer cloneNb = clone.firstNetBuffer();
        NetBuffer originalNb = original.firstNetBuffer();
        assertEquals(originalNb.dataOffset(), cloneNb.dataOffset(), "the clone inherits the current offset");
        assertEquals(originalNb.dataLength(), cloneNb.dataLength());
        cloneNb.write(8, new byte[] {7});
        assertEquals(7, originalNb.toByteArray()[8], "a write through the clone shows in the original");
        assertTrue(buffers.isHeld(original));
        buffers.freeCloneNetBufferList(clone, 0);
        assertEquals(0, original.childRefCount());
        assertFalse(buffers.isHeld(original));
        assertEquals(List.of("cloneFreed"), stack.owner.events);
    }

    @Test
    void aCloneInheritsChecksumInformation() {
        original.setInfoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo, 0x5);
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        assertEquals(0x5, clone.infoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo));
        buffers.freeCloneNetBufferList(clone, 0);
    }

    @Test
    void aDeepCloneCopiesTheDataAndStillCountsAsAChild() {
        // Seed 000: new data buffers, an initial context, default pools for null handles, parent + ChildRefCount.
        NetBufferList deep = buffers.allocateDeepCloneNetBufferList(original, null, null);
        assertSame(original, deep.parent());
        assertEquals(1, original.childRefCount());
        assertNotNull(deep.context(), "a deep clone has an initial NET_BUFFER_LIST_CONTEXT");
        assertSame(stack.ndis.defaultNetBufferListPool(), deep.pool());
        assertArrayEquals(bytes, deep.firstNetBuffer().toByteArray());
        deep.firstNetBuffer().write(0, new byte[] {0x11});
        assertEquals(0x45, original.firstNetBuffer().toByteArray()[0], "the deep clone's bytes are its own");
        assertEquals(1, stack.outstanding(WfpBuffers.DEEP_CLONE_TAG));
        assertEquals(WfpNblKind.DEEP_CLONE, buffers.kindOf(deep));
        buffers.freeCloneNetBufferList(deep, 0);
        assertEquals(0, original.childRefCount());
        assertEquals(0, stack.outstanding(WfpBuffers.DEEP_CLONE_TAG));
    }

    @Test
    void theHeldCloneWatchdogWatchesDeepClonesToo() {
        // Seed 000 asks callouts not to hold clones for long; a deep clone comes from an ordinary pool but is a clone.
        AtomicLong clock = new AtomicLong();
        VerifierSettings watched = VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withHeldCloneBudget(Duration.ofMillis(100))
                .withHeldCloneCheckPeriod(Duration.ZERO)
                .withNanoClock(clock::get);
        WfpTestStack own = new WfpTestStack(watched, PlatformProfile.WINDOWS_10, TestPacketInjection.immediate());
        NetBufferList packet = own.packet(bytes, 16);
        NetBufferList deep = own.engine.buffers().allocateDeepCloneNetBufferList(packet, null, null);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(1, own.ndis.verifier().checkHeldClones().size());
        own.engine.buffers().freeCloneNetBufferList(deep, 0);
        own.free(packet);
        own.close();
    }

    @Test
    void aDeepCloneOfSeveralNetBuffersCopiesEach() {
        NetBuffer second = stack.ndis
                .defaultNetBufferPool()
                .allocateNetBuffer(original.firstNetBuffer().mdlChain(), 20, 12);
        original.firstNetBuffer().setNext(second);
        NetBufferList deep = buffers.allocateDeepCloneNetBufferList(original, null, null);
        assertEquals(12, deep.firstNetBuffer().next().dataLength());
        assertArrayEquals(second.toByteArray(), deep.firstNetBuffer().next().toByteArray());
        buffers.freeCloneNetBufferList(deep, 0);
        original.firstNetBuffer().setNext(null);
        second.free();
    }

    @Test
    void aCloneMustBeFreedAsItWasMade() {
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        NetBuffer nb = clone.firstNetBuffer();
        assertEquals(NtStatus.STATUS_SUCCESS, nb.retreat(24, 0, null), "beyond the 16 bytes of headroom");
        RuleViolation violation = assertThrows(RuleViolation.class, () -> buffers.freeCloneNetBufferList(clone, 0));
        assertEquals(BufferRule.CLONE_STRUCTURE_NOT_RESTORED, violation.rule());
        nb.advance(24, true, null);
        buffers.freeCloneNetBufferList(clone, 0);
        assertEquals(0, original.childRefCount());
    }

    @Test
    void eachKindHasItsFreeFunction() {
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        assertEquals(
                WfpRule.WFP_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> buffers.freeNetBufferList(clone))
                        .rule());
        assertEquals(
                WfpRule.WFP_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> buffers.freeCloneNetBufferList(original, 0))
                        .rule());
        assertEquals(
                BufferRule.CLONE_FLAGS_MISMATCH,
                assertThrows(RuleViolation.class, () -> buffers.freeCloneNetBufferList(clone, 1))
                        .rule());
        buffers.freeCloneNetBufferList(clone, 0);
    }

    @Test
    void badArgumentsAndFaultSwitches() {
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INVALID_PARAMETER, () -> buffers.allocateCloneNetBufferList(original, null, null, 1));
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INVALID_PARAMETER,
                () -> buffers.allocateNetBufferAndNetBufferList(stack.pool, 8, 0, null, 0, 0));
        stack.engine.faults().setLowResourcesOnClone(true);
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                () -> buffers.allocateCloneNetBufferList(original, null, null, 0));
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                () -> buffers.allocateDeepCloneNetBufferList(original, null, null));
        stack.engine.faults().setLowResourcesOnAllocate(true);
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                () -> buffers.allocateNetBufferAndNetBufferList(stack.pool, 0, 0, null, 0, 0));
        assertEquals(0, original.childRefCount());
    }

    @Test
    void allocatedNblsPointAtTheCallersMemoryAndFreeOnlyTheNbl() {
        NetBufferList mine = buffers.allocateNetBufferAndNetBufferList(
                stack.pool, 16, 16, original.firstNetBuffer().mdlChain(), 16, bytes.length);
        assertEquals(16, mine.contextUsedSize());
        assertArrayEquals(bytes, mine.firstNetBuffer().toByteArray());
        assertEquals(WfpNblKind.ALLOCATED, buffers.kindOf(mine));
        buffers.freeNetBufferList(mine);
        assertArrayEquals(bytes, original.firstNetBuffer().toByteArray(), "the MDL and data are the caller's");
    }

    @Test
    void referencesBalance() {
        // API-2: the owner is told each reference and dereference; the NBL is held until the count is 0.
        buffers.referenceNetBufferList(original, true);
        buffers.referenceNetBufferList(original, true);
        assertEquals(2, buffers.referenceCount(original));
        assertTrue(buffers.isHeld(original));
        buffers.dereferenceNetBufferList(original, false);
        buffers.dereferenceNetBufferList(original, false);
        assertFalse(buffers.isHeld(original));
        assertEquals(List.of("reference", "reference", "dereference", "dereference"), stack.owner.events);
        assertEquals(
                WfpRule.WFP_REFERENCE_UNBALANCED,
                assertThrows(RuleViolation.class, () -> buffers.dereferenceNetBufferList(original, false))
                        .rule());
    }

    @Test
    void aDereferenceMustNotClaimDispatchLevelBelowIt() {
        buffers.referenceNetBufferList(original, false);
        assertEquals(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                assertThrows(RuleViolation.class, () -> buffers.dereferenceNetBufferList(original, true))
                        .rule());
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> buffers.dereferenceNetBufferList(original, true));
        assertEquals(0, buffers.referenceCount(original));
    }

    @Test
    void tagsRoundTripAndReportWhatHappens() {
        // API-3
        NblTags tags = stack.engine.tags();
        List<String> events = new ArrayList<>();
        NblNotifyFn notify = (event, nbl, newNbl, layerId, context, tag) -> {
            events.add(event + (newNbl == null ? "" : " new") + " ctx " + context);
            return NtStatus.STATUS_SUCCESS;
        };
        long tag = tags.getTagForContext();
        long other = tags.getTagForContext();
        assertNotEquals(tag, other);
        assertEquals(NtStatus.STATUS_SUCCESS, tags.associateContext(original, 0, 77, tag, notify, 0));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, tags.associateContext(original, 0, 1, 999, notify, 0));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, tags.associateContext(original, 0, 1, tag, notify, 1));
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        long[] context = new long[1];
        assertEquals(NtStatus.STATUS_SUCCESS, tags.retrieveContext(clone, tag, true, 0, context));
        assertEquals(77, context[0]);
        assertEquals(NtStatus.STATUS_NOT_FOUND, tags.retrieveContext(clone, tag, false, 0, context));
        assertEquals(NtStatus.STATUS_NOT_FOUND, tags.retrieveContext(original, other, false, 0, context));
        buffers.freeCloneNetBufferList(clone, 0);
        assertEquals(NtStatus.STATUS_SUCCESS, tags.associateContext(original, 0, 88, other, notify, 0));
        assertEquals(NtStatus.STATUS_SUCCESS, tags.removeContext(null, other, 0));
        assertEquals(NtStatus.STATUS_SUCCESS, tags.retrieveContext(original, tag, false, 0, context));
        assertEquals(List.of("CLONED_VIA_WFP_API new ctx 77", "CONTEXT_REMOVED ctx 88"), events);
        stack.engine.containers().release(original);
        assertEquals(
                List.of("CLONED_VIA_WFP_API new ctx 77", "CONTEXT_REMOVED ctx 88", "CONTEXT_REMOVED ctx 77"), events);
    }

    @Test
    void aForwardedFragmentGroupBecomesOneNblOverTheFragments() {
        byte[] whole = TestPackets.ipv4(17, 40);
        NetBufferList first = stack.packet(TestPackets.ipv4Fragment(17, 16, 9, 0, true, 1), 0);
        NetBufferList middle = stack.packet(TestPackets.ipv4Fragment(17, 16, 9, 16, true, 17), 0);
        NetBufferList last = stack.packet(TestPackets.ipv4Fragment(17, 8, 9, 32, false, 33), 0);
        last.setNext(first);
        first.setNext(middle);
        NetBufferList group = buffers.reassembleForwardFragmentGroup(AddressFamily.INET, last, null, 8, 0);
        byte[] rebuilt = group.firstNetBuffer().toByteArray();
        assertEquals(8, group.firstNetBuffer().dataOffset());
        assertArrayEquals(TestPackets.slice(whole, 20, whole.length), TestPackets.slice(rebuilt, 20, rebuilt.length));
        assertEquals(60, TestPackets.unsigned16(rebuilt, 2));
        assertEquals(0, TestPackets.unsigned16(rebuilt, 6), "MF and the offset are cleared");
        assertEquals(0, TestPackets.checksum(rebuilt, 20), "the header checksum is valid");
        assertEquals(1, buffers.referenceCount(middle), "the group holds each fragment");
        buffers.freeNetBufferList(group);
        assertEquals(0, buffers.referenceCount(middle));
        for (NetBufferList fragment : List.of(first, middle, last)) {
            fragment.setNext(null);
            stack.free(fragment);
        }
    }

    @Test
    void anIpv6FragmentGroupLosesItsFragmentHeader() {
        NetBufferList first = stack.packet(TestPackets.ipv6Fragment(16, 5, 0, true, 1), 0);
        NetBufferList last = stack.packet(TestPackets.ipv6Fragment(8, 5, 16, false, 17), 0);
        first.setNext(last);
        NetBufferList group = buffers.reassembleForwardFragmentGroup(AddressFamily.INET6, first, null, 0, 0);
        byte[] rebuilt = group.firstNetBuffer().toByteArray();
        assertEquals(64, rebuilt.length);
        assertEquals(24, TestPackets.unsigned16(rebuilt, 4));
        assertEquals(17, rebuilt[6], "the next header is the fragment's");
        assertEquals(24, rebuilt[63]);
        buffers.freeNetBufferList(group);
        first.setNext(null);
        stack.free(first);
        stack.free(last);
    }

    @Test
    void anIncompleteGroupIsRefused() {
        NetBufferList first = stack.packet(TestPackets.ipv4Fragment(17, 16, 9, 0, true, 1), 0);
        NetBufferList last = stack.packet(TestPackets.ipv4Fragment(17, 8, 9, 32, false, 33), 0);
        first.setNext(last);
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_INVALID_PARAMETER,
                () -> buffers.reassembleForwardFragmentGroup(AddressFamily.INET, first, null, 0, 0));
        stack.engine.faults().setTcpipNotReady(true);
        ArbitrationTest.assertStatus(
                NtStatus.STATUS_FWP_TCPIP_NOT_READY,
                () -> buffers.reassembleForwardFragmentGroup(AddressFamily.INET, first, null, 0, 0));
        assertEquals(0, buffers.referenceCount(first));
        first.setNext(null);
        stack.free(first);
        stack.free(last);
    }
}
