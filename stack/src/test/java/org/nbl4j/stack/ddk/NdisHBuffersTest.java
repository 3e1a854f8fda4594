package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdm.NormalPoolPriority;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;

/**
 * The buffer DDIs of the facade do what the core methods do: each operation is applied once through {@link NdisH}
 * and once through the core API to two identical NBLs, and the results are compared.
 */
class NdisHBuffersTest {
    private static final int TAG = CLiteral.tag("tseT");
    private static final int PACKET = 200;

    private final Ndis ndis = Ndis.create();
    private final NetBufferListPool pool;
    private final List<MemoryBlock> buffers = new ArrayList<>();
    private final List<Mdl> mdls = new ArrayList<>();

    NdisHBuffersTest() {
        NET_BUFFER_LIST_POOL_PARAMETERS parameters = new NET_BUFFER_LIST_POOL_PARAMETERS();
        parameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        parameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        parameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        parameters.fAllocateNetBuffer = true;
        parameters.PoolTag = TAG;
        NetBufferListPool made = NdisAllocateNetBufferListPool(ndis, parameters);
        assertNotNull(made);
        pool = made;
    }

    @AfterEach
    void close() {
        ndis.close();
    }

    /** An NBL of one NB over {@code PACKET} bytes (0, 1, 2, ...) with {@code headroom} bytes in front. */
    private NetBufferList packet(int headroom) {
        MemoryBlock block = NdisAllocateMemoryWithTagPriority(ndis, headroom + PACKET, TAG, NormalPoolPriority);
        assertNotNull(block);
        for (int i = 0; i < PACKET; i++) {
            block.segment().set(ValueLayout.JAVA_BYTE, headroom + i, (byte) i);
        }
        Mdl mdl = NdisAllocateMdl(ndis, block, headroom + PACKET);
        buffers.add(block);
        mdls.add(mdl);
        NetBufferList nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdl, headroom, PACKET);
        assertNotNull(nbl);
        return nbl;
    }

    private static NetBuffer nb(NetBufferList nbl) {
        NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        assertNotNull(nb);
        return nb;
    }

    /** What a driver can observe of an NB: its fields, its MDL chain's lengths, its data. */
    private static String state(NetBuffer nb) {
        StringBuilder chain = new StringBuilder();
        for (Mdl m = nb.mdlChain(); m != null; m = m.next()) {
            chain.append(m.byteCount()).append(m == nb.currentMdl() ? "*" : "").append(' ');
        }
        return "offset " + nb.dataOffset() + " length " + nb.dataLength() + " mdlOffset " + nb.currentMdlOffset()
                + " chain " + chain + " data " + Arrays.toString(nb.toByteArray());
    }

    @Test
    @DisplayName("§3.3/§3.4: retreat and advance through the facade equal the core's, fast and slow path")
    void retreatAndAdvance() {
        NetBufferList viaFacade = packet(20);
        NetBufferList viaCore = packet(20);
        assertEquals(NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb(viaFacade), 14, 0, null));
        assertEquals(NDIS_STATUS_SUCCESS, nb(viaCore).retreat(14, 0, null));
        assertEquals(state(nb(viaCore)), state(nb(viaFacade)));
        assertEquals(6, NET_BUFFER_DATA_OFFSET(nb(viaFacade)), "fast path: bookkeeping only");

        assertEquals(NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb(viaFacade), 40, 8, null));
        assertEquals(NDIS_STATUS_SUCCESS, nb(viaCore).retreat(40, 8, null));
        assertEquals(state(nb(viaCore)), state(nb(viaFacade)));
        assertEquals(2, countMdls(nb(viaFacade)), "slow path prepends");

        NdisAdvanceNetBufferDataStart(nb(viaFacade), 54, true, null);
        nb(viaCore).advance(54, true, null);
        assertEquals(state(nb(viaCore)), state(nb(viaFacade)));
        assertEquals(1, countMdls(nb(viaFacade)), "FreeMdl = TRUE released the retreat MDL");

        NdisRetreatNetBufferListDataStart(viaFacade, 4, 0, null, null);
        viaCore.retreat(4, 0, null, null);
        NdisAdvanceNetBufferListDataStart(viaFacade, 10, false, null);
        viaCore.advance(10, false, null);
        NdisAdjustNetBufferCurrentMdl(nb(viaFacade));
        nb(viaCore).adjustCurrentMdl();
        assertEquals(state(nb(viaCore)), state(nb(viaFacade)));
        freeAll(viaFacade, viaCore);
    }

    private static int countMdls(NetBuffer nb) {
        int n = 0;
        for (Mdl m = nb.mdlChain(); m != null; m = m.next()) {
            n++;
        }
        return n;
    }

    @Test
    @DisplayName("§3.3, §8: a retreat whose NetAllocateMdl fails is NDIS_STATUS_RESOURCES and leaves the NB alone")
    void retreatFailureStatus() {
        NetBufferList nbl = packet(0);
        String before = state(nb(nbl));
        assertEquals(NDIS_STATUS_RESOURCES, NdisRetreatNetBufferDataStart(nb(nbl), 14, 0, _ -> null));
        assertEquals(0xC000009A, NDIS_STATUS_RESOURCES);
        assertEquals(before, state(nb(nbl)));
        assertEquals(NDIS_STATUS_RESOURCES, NdisRetreatNetBufferListDataStart(nbl, 14, 0, _ -> null, mdl -> {}));
        assertEquals(
                NDIS_STATUS_INVALID_PARAMETER,
                NdisRetreatNetBufferListDataStart(nbl, 14, 0, _ -> null, null),
                "§3.5: the handlers come in pairs");
        assertEquals(before, state(nb(nbl)));
        freeAll(nbl);
    }

    @Test
    @DisplayName("§3.7-§3.9: NdisGetDataBuffer, NdisCopyFromNetBufferToNetBuffer with BytesCopied, physical count")
    void dataAccess() {
        NetBufferList source = packet(0);
        NetBufferList destination = packet(0);
        MemorySegment view = NdisGetDataBuffer(nb(source), 20, null, 1, 0);
        assertNotNull(view);
        assertEquals(20, view.byteSize());
        assertEquals(5, view.get(ValueLayout.JAVA_BYTE, 5));

        NdisZeroMemory(NdisGetDataBuffer(nb(destination), PACKET, null, 1, 0), PACKET);
        Ref<Integer> bytesCopied = new Ref<>(-1);
        assertEquals(
                NDIS_STATUS_SUCCESS,
                NdisCopyFromNetBufferToNetBuffer(nb(destination), 10, 50, nb(source), 100, bytesCopied));
        assertEquals(50, bytesCopied.value());
        byte[] copied = nb(destination).toByteArray();
        assertEquals(100, copied[10]);
        assertEquals(149, copied[59] & 0xFF);
        assertEquals(0, copied[60]);

        assertEquals(
                NDIS_STATUS_SUCCESS,
                NdisCopyFromNetBufferToNetBuffer(nb(destination), 0, 500, nb(source), 150, bytesCopied));
        assertEquals(50, bytesCopied.value(), "§3.8: bounded by the source chain's end");
        assertEquals(nb(source).physicalCount(), NdisQueryNetBufferPhysicalCount(nb(source)));
        assertTrue(NdisQueryNetBufferPhysicalCount(nb(source)) >= 1);
        freeAll(source, destination);
    }

    @Test
    @DisplayName("§4.5: context pushed and popped through the facade, with the macros' view of it")
    void context() {
        NetBufferList nbl = packet(0);
        assertEquals(0, NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl));
        assertThrows(IllegalStateException.class, () -> NET_BUFFER_LIST_CONTEXT_DATA_START(nbl));
        assertEquals(NDIS_STATUS_SUCCESS, NdisAllocateNetBufferListContext(nbl, 16, 8, TAG));
        assertEquals(24, NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), "Size is used + backfill (header-faithful)");
        MemorySegment start = NET_BUFFER_LIST_CONTEXT_DATA_START(nbl);
        assertEquals(16, start.byteSize(), "from the push to the block's end");
        start.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x1122334455667788L);
        assertEquals(8, nbl.contextDataStart());
        assertEquals(
                0x1122334455667788L,
                nbl.context().data().get(ValueLayout.JAVA_LONG_UNALIGNED, 8),
                "the macro's pointer is into the top block");

        assertEquals(NDIS_STATUS_SUCCESS, NdisAllocateNetBufferListContext(nbl, 8, 0, TAG), "fits the backfill");
        assertEquals(0, nbl.contextDataStart());
        assertEquals(
                NDIS_STATUS_INVALID_DATA,
                NdisAllocateNetBufferListContext(nbl, 12, 0, TAG),
                "§4.5: not a multiple of 8");
        assertEquals(1, ndis.poolUsage().diff(new PoolTag(TAG)) - 2, "one context block under the caller's tag");
        NdisFreeNetBufferListContext(nbl, 8);
        NdisFreeNetBufferListContext(nbl, 16);
        assertThrows(RuleViolation.class, () -> NdisFreeNetBufferListContext(nbl, 8));
        freeAll(nbl);
    }

    @Test
    @DisplayName("§5.2: clone and free clone through the facade: shared data, headroom not cloned, flags must match")
    void cloneAndFreeClone() {
        NetBufferList original = packet(30);
        NetBufferList clone = NdisAllocateCloneNetBufferList(original, null, null, 0);
        assertNotNull(clone);
        NetBufferList coreClone = original.allocateClone(null, null, 0);
        assertNotNull(coreClone);
        assertEquals(state(nb(coreClone)), state(nb(clone)));
        assertEquals(0, NET_BUFFER_DATA_OFFSET(nb(clone)), "partial MDLs over the used data only");
        MemorySegment cloneData = NdisGetDataBuffer(nb(clone), 1, null, 1, 0);
        assertNotNull(cloneData);
        cloneData.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x7F);
        assertEquals(0x7F, nb(original).toByteArray()[0], "the clone shares the original's bytes");
        assertSame(ndis.defaultNetBufferListPool(), NdisGetPoolFromNetBufferList(clone), "NULL pool: NDIS's own");

        RuleViolation mismatch = assertThrows(
                RuleViolation.class, () -> NdisFreeCloneNetBufferList(clone, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS));
        assertEquals(BufferRule.CLONE_FLAGS_MISMATCH, mismatch.rule());
        NdisFreeCloneNetBufferList(clone, 0);
        coreClone.freeClone(0);

        NetBufferList shared = NdisAllocateCloneNetBufferList(original, pool, null, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertNotNull(shared);
        assertEquals(state(nb(original)), state(nb(shared)), "same MDLs, same headroom");
        assertSame(pool, NdisGetPoolFromNetBufferList(shared));
        NdisFreeCloneNetBufferList(shared, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        freeAll(original);
    }

    @Test
    @DisplayName("§5.3/§5.4/§5.5: fragment, reassemble and OOB copy through the facade equal the core's")
    void fragmentReassembleAndCopyInfo() {
        NetBufferList original = packet(0);
        NetBufferList fragments = NdisAllocateFragmentNetBufferList(original, null, null, 20, 64, 20, 0, 0);
        NetBufferList coreFragments = original.allocateFragment(null, null, 20, 64, 20, 0, 0);
        assertNotNull(fragments);
        assertNotNull(coreFragments);
        List<String> viaFacade = new ArrayList<>();
        List<String> viaCore = new ArrayList<>();
        for (NetBuffer f = NET_BUFFER_LIST_FIRST_NB(fragments); f != null; f = NET_BUFFER_NEXT_NB(f)) {
            viaFacade.add(state(f).replaceAll("data .*", "") + f.dataLength());
        }
        for (NetBuffer f = coreFragments.firstNetBuffer(); f != null; f = f.next()) {
            viaCore.add(state(f).replaceAll("data .*", "") + f.dataLength());
        }
        assertEquals(viaCore, viaFacade);
        assertEquals(3, viaFacade.size(), "180 bytes after StartOffset in fragments of at most 64");

        NetBufferList reassembled = NdisAllocateReassembledNetBufferList(fragments, null, 20, 0, 0, 0);
        assertNotNull(reassembled);
        byte[] whole = nb(reassembled).toByteArray();
        assertArrayEquals(Arrays.copyOfRange(nb(original).toByteArray(), 20, PACKET), whole);
        NdisFreeReassembledNetBufferList(reassembled, 0, 0);

        NdisSetNblFlag(original, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
        NET_BUFFER_LIST_INFO(original, Ieee8021QNetBufferListInfo, 0x123L);
        NdisCopyReceiveNetBufferListInfo(fragments, original);
        assertEquals(0x123L, NET_BUFFER_LIST_INFO(fragments, Ieee8021QNetBufferListInfo));
        assertTrue(NdisTestNblFlag(fragments, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET));
        NdisCopySendNetBufferListInfo(coreFragments, original);
        assertEquals(0x123L, NET_BUFFER_LIST_INFO(coreFragments, Ieee8021QNetBufferListInfo));

        NdisFreeFragmentNetBufferList(fragments, 20, 0);
        coreFragments.freeFragment(20, 0);
        freeAll(original);
    }

    @Test
    @DisplayName("§3.10: NB pools from the C structure, NBs over MDLs and from a data pool")
    void netBufferPools() {
        NET_BUFFER_POOL_PARAMETERS parameters = new NET_BUFFER_POOL_PARAMETERS();
        parameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        parameters.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
        parameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
        parameters.PoolTag = TAG;
        NetBufferPool plain = NdisAllocateNetBufferPool(ndis, parameters);
        assertNotNull(plain);
        parameters.DataSize = 256;
        NetBufferPool data = NdisAllocateNetBufferPool(ndis, parameters);
        assertNotNull(data);
        parameters.Header.Size = 8;
        assertNull(NdisAllocateNetBufferPool(ndis, parameters), "Size below revision 1's 12 bytes");

        NetBufferList nbl = packet(0);
        NetBuffer nb = NdisAllocateNetBuffer(plain, nbl.firstNetBuffer().mdlChain(), 10, 20);
        assertNotNull(nb);
        assertEquals(10, NET_BUFFER_CURRENT_MDL_OFFSET(nb));
        assertSame(plain, NdisGetPoolFromNetBuffer(nb));
        assertSame(pool, NdisGetPoolFromNetBuffer(nb(nbl)), "an NB that came with its NBL has the NBL pool");
        assertNull(NdisAllocateNetBufferMdlAndData(plain), "only on a data pool");
        assertNull(NdisAllocateNetBuffer(data, null, 0, 0), "not on a data pool");

        NetBuffer withData = NdisAllocateNetBufferMdlAndData(data);
        assertNotNull(withData);
        assertEquals(256, NET_BUFFER_DATA_OFFSET(withData), "§3.10: all of it is headroom");
        assertEquals(0, NET_BUFFER_DATA_LENGTH(withData));
        NdisFreeNetBuffer(withData);
        NdisFreeNetBuffer(nb);
        assertThrows(RuleViolation.class, () -> NdisFreeNetBuffer(nb(nbl)));
        NdisFreeNetBufferPool(plain);
        NdisFreeNetBufferPool(data);
        freeAll(nbl);
    }

    @Test
    @DisplayName("NdisAllocateNetBufferList honours the pool kind and the context alignment")
    void allocateNetBufferList() {
        NetBufferList nbl = NdisAllocateNetBufferList(pool, 8, 0);
        assertNotNull(nbl);
        assertEquals(8, NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl));
        assertNotNull(NET_BUFFER_LIST_FIRST_NB(nbl));
        assertNull(NdisAllocateNetBufferList(pool, 4, 0), "§4.7: not a multiple of 8");
        NdisFreeNetBufferList(nbl);
        RuleViolation twice = assertThrows(RuleViolation.class, () -> NdisFreeNetBufferList(nbl));
        assertEquals(BufferRule.NBL_DOUBLE_FREE, twice.rule());
        NdisFreeNetBufferListPool(pool);
    }

    private void freeAll(NetBufferList... nbls) {
        for (NetBufferList nbl : nbls) {
            NdisFreeNetBufferList(nbl);
        }
        for (Mdl mdl : mdls) {
            if (mdl.isAllocated()) {
                NdisFreeMdl(mdl);
            }
        }
        for (MemoryBlock block : buffers) {
            NdisFreeMemory(block, 0, 0);
        }
        mdls.clear();
        buffers.clear();
        NdisFreeNetBufferListPool(pool);
        assertTrue(
                ndis.poolUsage().outstanding().isEmpty(),
                () -> "left: " + ndis.poolUsage().outstanding());
    }
}
