package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsAllocateCloneNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsAllocateDeepCloneNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsFreeCloneNetBufferList0;
import static org.nbl4j.stack.ddk.NdisH.NDIS_MDL_LINKAGE;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_FIRST_MDL;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_LIST_FIRST_NB;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_NEXT_NB;
import static org.nbl4j.stack.ddk.NdisH.NdisAdvanceNetBufferDataStart;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateCloneNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateMdl;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateMemoryWithTagPriority;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeCloneNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMdl;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMemory;
import static org.nbl4j.stack.ddk.NdisH.NdisRetreatNetBufferDataStart;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;

/**
 * {@code FwpsFreeCloneNetBufferList0} refuses a clone whose structure the callout did not restore (§2.5: "undo these
 * modifications before FwpsFreeCloneNetBufferList0"): every MDL of every NB's chain and the NB list are compared with
 * what the clone had when it was made, and the report names the NB and the MDL. Each test restores the clone after the
 * refusal, frees it, and checks that nothing is left allocated: the refusing path leaks nothing. NDIS's own
 * {@code NdisFreeCloneNetBufferList} makes the same check ({@code CloneStructure}), shown here through its DDI too.
 */
class CloneStructureTest {
    private static final int CALLOUT_TAG = PoolTag.of("Tcal").value();

    private final WfpTestStack stack = new WfpTestStack();
    private final SystemNdis.Binding ndisBinding = SystemNdis.bind(stack.ndis);
    private final SystemWfp.Binding wfpBinding = SystemWfp.bind(stack.engine);
    private final byte[] bytes = TestPackets.ipv4(17, 32);
    private final NetBufferList original = stack.packet(bytes, 16);
    /** What only the indicated packet holds: the clones and the callout's memory must leave exactly this. */
    private final List<String> outstandingBefore = outstanding();

    @AfterEach
    void close() {
        // The thread's bindings go first: a failed check below must not leave them to the next test on this thread.
        wfpBinding.close();
        ndisBinding.close();
        try {
            stack.free(original);
            stack.assertQuiescent();
        } finally {
            stack.close();
        }
    }

    @Test
    @DisplayName("a deep clone with a trailer MDL appended is refused, naming NB 0 and MDL 1")
    void appendedMdl() {
        NetBufferList deep = deepClone(original);
        Mdl own = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(deep));
        MemoryBlock trailerMemory = NdisAllocateMemoryWithTagPriority(null, 8, CALLOUT_TAG, 0);
        assertNotNull(trailerMemory);
        Mdl trailer = NdisAllocateMdl(null, trailerMemory, 8);
        NDIS_MDL_LINKAGE(own, trailer);

        assertRefused(deep, "NB 0, MDL 1 was added (cloned with 1 MDL(s))");

        NDIS_MDL_LINKAGE(own, null);
        FwpsFreeCloneNetBufferList0(deep, 0);
        NdisFreeMdl(trailer);
        NdisFreeMemory(trailerMemory, 8, 0);
        assertNothingLeft();
    }

    @Test
    @DisplayName("a clone whose middle MDL was replaced is refused, naming NB 0 and MDL 1")
    void replacedMiddleMdl() {
        ThreeMdlPacket packet = new ThreeMdlPacket();
        Ref<NetBufferList> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, FwpsAllocateCloneNetBufferList0(packet.nbl, null, null, 0, out));
        NetBufferList clone = out.value();
        assertNotNull(clone);
        Mdl first = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(clone));
        Mdl middle = NDIS_MDL_LINKAGE(first);
        assertNotNull(middle);
        MemoryBlock replacementMemory = NdisAllocateMemoryWithTagPriority(null, middle.byteCount(), CALLOUT_TAG, 0);
        assertNotNull(replacementMemory);
        Mdl replacement = NdisAllocateMdl(null, replacementMemory, middle.byteCount());
        NDIS_MDL_LINKAGE(replacement, NDIS_MDL_LINKAGE(middle));
        NDIS_MDL_LINKAGE(first, replacement);

        assertRefused(clone, "NB 0, MDL 1 is not the MDL it was cloned with");

        NDIS_MDL_LINKAGE(first, middle);
        FwpsFreeCloneNetBufferList0(clone, 0);
        NdisFreeMdl(replacement);
        NdisFreeMemory(replacementMemory, middle.byteCount(), 0);
        packet.free();
        assertNothingLeft();
    }

    @Test
    @DisplayName("a deep clone retreated and not advanced back is refused, naming NB 0 and the MDL put in front")
    void retreatNotAdvancedBack() {
        NetBufferList deep = deepClone(original);
        NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(deep);
        // A deep clone's data starts at its buffer's first byte: any retreat takes an MDL from NDIS.
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb, 14, 0, null));

        assertRefused(deep, "NB 0, MDL 0 is not the MDL it was cloned with");

        NdisAdvanceNetBufferDataStart(nb, 14, true, null);
        FwpsFreeCloneNetBufferList0(deep, 0);
        assertNothingLeft();
    }

    @Test
    @DisplayName("an MDL of the clone that describes another length is refused, naming the NB and MDL")
    void mdlLengthChanged() {
        NetBufferList deep = deepClone(original);
        Mdl own = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(deep));
        int length = own.byteCount();
        own.adjustLength(length - 4);

        assertRefused(deep, "NB 0, MDL 0 describes " + (length - 4) + " bytes at 0x");

        own.adjustLength(length);
        FwpsFreeCloneNetBufferList0(deep, 0);
        assertNothingLeft();
    }

    @Test
    @DisplayName("a deep clone whose second NB was unlinked is refused, naming NB 1")
    void netBufferRemoved() {
        NetBuffer second = stack.ndis
                .defaultNetBufferPool()
                .allocateNetBuffer(original.firstNetBuffer().mdlChain(), 20, 12);
        assertNotNull(second);
        original.firstNetBuffer().setNext(second);
        NetBufferList deep = deepClone(original);
        NetBuffer first = NET_BUFFER_LIST_FIRST_NB(deep);
        NetBuffer unlinked = NET_BUFFER_NEXT_NB(first);
        first.setNext(null);

        assertRefused(deep, "NB 1 was removed (1 NB(s) left of 2)");

        first.setNext(unlinked);
        FwpsFreeCloneNetBufferList0(deep, 0);
        original.firstNetBuffer().setNext(null);
        second.free();
        assertNothingLeft();
    }

    private static NetBufferList deepClone(NetBufferList nbl) {
        Ref<NetBufferList> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, FwpsAllocateDeepCloneNetBufferList0(nbl, null, null, out));
        NetBufferList clone = out.value();
        assertNotNull(clone);
        return clone;
    }

    /**
     * FwpsFreeCloneNetBufferList0 is refused with CLONE_STRUCTURE_NOT_RESTORED naming {@code where}, and the clone
     * stays allocated and counted by its parent.
     */
    private void assertRefused(NetBufferList clone, String where) {
        assertRefused(() -> FwpsFreeCloneNetBufferList0(clone, 0), clone, where);
        NetBufferList parent = clone.parent();
        assertNotNull(parent);
        assertEquals(1, parent.childRefCount(), "the parent still counts its clone");
    }

    /** {@code free} is refused with CLONE_STRUCTURE_NOT_RESTORED naming {@code where}; the clone stays allocated. */
    private static void assertRefused(Executable free, NetBufferList clone, String where) {
        RuleViolation refused = assertThrows(RuleViolation.class, free);
        assertEquals(BufferRule.CLONE_STRUCTURE_NOT_RESTORED, refused.rule());
        assertTrue(refused.getMessage().contains(where), refused::getMessage);
        assertTrue(clone.isAllocated(), "a refused free frees nothing");
    }

    @Test
    @DisplayName(
            "NdisFreeCloneNetBufferList makes the same check: a trailer MDL appended is refused, naming NB 0, MDL 1")
    void ndisCloneWithAppendedMdl() {
        NetBufferList clone = NdisAllocateCloneNetBufferList(original, null, null, 0);
        assertNotNull(clone);
        Mdl last = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(clone));
        while (NDIS_MDL_LINKAGE(last) != null) {
            last = NDIS_MDL_LINKAGE(last);
        }
        MemoryBlock trailerMemory = NdisAllocateMemoryWithTagPriority(null, 8, CALLOUT_TAG, 0);
        assertNotNull(trailerMemory);
        Mdl trailer = NdisAllocateMdl(null, trailerMemory, 8);
        NDIS_MDL_LINKAGE(last, trailer);

        assertRefused(
                () -> NdisFreeCloneNetBufferList(clone, 0), clone, "NB 0, MDL 1 was added (cloned with 1 MDL(s))");
        assertTrue(assertThrows(RuleViolation.class, () -> NdisFreeCloneNetBufferList(clone, 0))
                .getMessage()
                .contains("undo the change before NdisFreeCloneNetBufferList"));

        NDIS_MDL_LINKAGE(last, null);
        NdisFreeCloneNetBufferList(clone, 0);
        NdisFreeMdl(trailer);
        NdisFreeMemory(trailerMemory, 8, 0);
        assertNothingLeft();
    }

    @Test
    @DisplayName("an NDIS clone retreated past its data start and not advanced back is refused, naming NB 0, MDL 0")
    void ndisCloneRetreatNotAdvancedBack() {
        NetBufferList clone = NdisAllocateCloneNetBufferList(original, null, null, 0);
        assertNotNull(clone);
        NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(clone);
        // A clone's partial MDLs start at the data: any retreat takes an MDL from NDIS.
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb, 14, 0, null));

        assertRefused(
                () -> NdisFreeCloneNetBufferList(clone, 0), clone, "NB 0, MDL 0 is not the MDL it was cloned with");

        NdisAdvanceNetBufferDataStart(nb, 14, true, null);
        NdisFreeCloneNetBufferList(clone, 0);
        assertNothingLeft();
    }

    /** Poolmon's outstanding tags, with their diff and bytes: the clone, its data and the callout's memory are back. */
    private void assertNothingLeft() {
        assertEquals(0, original.childRefCount());
        assertEquals(outstandingBefore, outstanding());
    }

    private List<String> outstanding() {
        return stack.ndis.poolUsage().outstanding().stream()
                .map(usage -> usage.tag() + " " + usage.diff() + " " + usage.bytes())
                .sorted()
                .toList();
    }

    /** An indicated packet whose one NB spans three MDLs over test-owned memory, as a receive path may build it. */
    private final class ThreeMdlPacket {
        final MemoryBlock memory;
        final Mdl[] mdls = new Mdl[3];
        final NetBufferList nbl;

        ThreeMdlPacket() {
            memory = stack.ndis.allocateMemoryWithTag(bytes.length, WfpTestStack.PACKET_TAG);
            assertNotNull(memory);
            MemorySegment.copy(bytes, 0, memory.segment(), ValueLayout.JAVA_BYTE, 0, bytes.length);
            int third = bytes.length / 3;
            for (int i = 0; i < 3; i++) {
                int length = i < 2 ? third : bytes.length - 2 * third;
                mdls[i] = stack.ndis.allocateMdl(memory.segment().asSlice((long) i * third), length);
                if (i > 0) {
                    mdls[i - 1].setNext(mdls[i]);
                }
            }
            NetBufferList made = stack.pool.allocateNetBufferAndNetBufferList(0, 0, mdls[0], 0, bytes.length);
            assertNotNull(made);
            nbl = made;
        }

        void free() {
            nbl.free();
            for (Mdl mdl : mdls) {
                stack.ndis.freeMdl(mdl);
            }
            stack.ndis.freeMemory(memory);
        }
    }
}
