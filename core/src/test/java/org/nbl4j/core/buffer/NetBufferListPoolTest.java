package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.diff;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

class NetBufferListPoolTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("NblP");

    private final Ndis ndis = verification.create(VerifierSettings.full());
    /** NDIS does not check ChildRefCount at free; nbl4j's verifier does (NBL_FREE_WITH_CHILDREN). */
    private final Ndis unverified = verification.create(VerifierSettings.off());

    private NetBufferListPool pool(int protocolId, boolean allocateNetBuffer, int contextSize, int dataSize) {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(
                NetBufferListPoolParameters.of(protocolId, allocateNetBuffer, contextSize, TAG, dataSize));
        assertNotNull(pool);
        return pool;
    }

    private static NetBufferListPoolParameters params(
            int type, int revision, int size, boolean allocateNetBuffer, int contextSize, int dataSize) {
        return new NetBufferListPoolParameters(
                new NdisObjectHeader(type, revision, size), 0, allocateNetBuffer, contextSize, TAG, dataSize, 0);
    }

    private NetBufferList allocate(NetBufferListPool pool, int contextSize, int contextBackFill) {
        NetBufferList nbl = pool.allocateNetBufferList(contextSize, contextBackFill);
        assertNotNull(nbl);
        return nbl;
    }

    // ---- parameter validation (§4.6) ----

    @Test
    @DisplayName("§4.6: Type must be 0x80, Revision non-zero; Size 16 for revision 1, 20 for revision 2")
    void headerValidation() {
        assertEquals(16, NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1);
        assertEquals(20, NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2);
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 0, 0)));
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 2, 20, false, 0, 0)));
        assertNull(ndis.allocateNetBufferListPool(params(0x00, 1, 16, false, 0, 0)), "Type");
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 0, 16, false, 0, 0)), "Revision 0");
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 1, 15, false, 0, 0)), "Size < 16");
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 2, 16, false, 0, 0)), "revision 2 with Size 16");
    }

    @Test
    @DisplayName("§4.6: ProtocolId is a UCHAR: 0xFF is the largest a pool takes")
    void protocolIdIsAByte() {
        assertNotNull(ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0xFF, false, 0, TAG, 0)));
        assertNull(ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x100, false, 0, TAG, 0)));
        assertNull(ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(-1, false, 0, TAG, 0)));
    }

    @Test
    @DisplayName(
            "§4.6/§12.7: ContextSize must be a multiple of 8 (not 16, although the docs say MEMORY_ALLOCATION_ALIGNMENT)")
    void contextSizeMultipleOf8() {
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 8, 0)));
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 24, 0)));
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 12, 0)));
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 4, 0)));
    }

    @Test
    @DisplayName("§4.6: DataSize needs fAllocateNetBuffer; DataSize > 1 MiB (0x100000) gives NULL")
    void dataSizeRules() {
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, false, 0, 64)), "DataSize without NBs");
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, true, 0, 64)));
        assertNotNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, true, 0, 0x100000)));
        assertNull(ndis.allocateNetBufferListPool(params(0x80, 1, 16, true, 0, 0x100001)));
        assertEquals(0x100000, NetBufferListPoolParameters.MAXIMUM_DATA_SIZE);
    }

    @Test
    void withFlagsMakesRevision2() {
        NetBufferListPoolParameters p = NetBufferListPoolParameters.of(0, false, 0, TAG, 0)
                .withFlags(NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_FLAG_VERIFY);
        assertEquals(2, p.header().revision());
        assertEquals(20, p.header().size());
        assertTrue(p.verify());
        assertTrue(p.isValid());
        NetBufferListPoolParameters rev1WithFlag =
                new NetBufferListPoolParameters(new NdisObjectHeader(0x80, 1, 16), 0, false, 0, TAG, 0, 0x1);
        assertFalse(rev1WithFlag.verify(), "Flags does not exist in revision 1");
        assertFalse(
                NetBufferListPoolParameters.of(0, false, 0, TAG, 0).withFlags(0).verify(),
                "revision 2 without NET_BUFFER_LIST_POOL_FLAG_VERIFY leaves freed elements accessible");
    }

    // ---- NdisAllocateNetBufferList (§4.7) ----

    @Test
    @DisplayName("§4.7: ContextSize/ContextBackFill not multiples of 8 → NULL")
    void allocateRejectsMisalignedContext() {
        NetBufferListPool pool = pool(0, true, 0, 0);
        assertNull(pool.allocateNetBufferList(12, 0));
        assertNull(pool.allocateNetBufferList(0, 4));
        assertNull(pool.allocateNetBufferList(8, 9));
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§4.7: a fresh NBL is zeroed except Flags 0x100 and the pool's protocol id in slot 7's low byte")
    void freshNblIsZeroed() {
        NetBufferListPool pool = pool(0x02, false, 0, 0);
        NetBufferList nbl = allocate(pool, 0, 0);
        assertNull(nbl.next());
        assertNull(nbl.firstNetBuffer());
        assertNull(nbl.context());
        assertNull(nbl.parent());
        assertEquals(0, nbl.childRefCount());
        assertNull(nbl.sourceHandle());
        assertNull(nbl.scratch());
        assertEquals(0, nbl.status());
        assertEquals(0, nbl.nblFlags());
        assertEquals(0x100, nbl.flags());
        assertTrue(nbl.isAllocated());
        assertSame(pool, nbl.pool());
        assertEquals(NetBufferListKind.ALLOCATED, nbl.kind());
        assertEquals(0x02, nbl.protocolId());
        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            long expected = slot == NetBufferListInfo.NetBufferListFrameType ? 0x02 : 0;
            assertEquals(expected, nbl.infoValue(slot), slot.name());
            assertNull(nbl.info(slot), slot.name());
        }
        nbl.free();
    }

    @Test
    @DisplayName("§4.7: recycling zeroes the whole NBL again, but the embedded NB's ProtocolReserved stays stale")
    void recycledNblIsZeroedButEmbeddedNbIsNot() {
        NetBufferListPool pool =
                unverified.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x06, true, 0, TAG, 0));
        assertNotNull(pool);
        NetBufferList nbl = allocate(pool, 0, 0);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        Object stale = new Object();
        nbl.protocolReserved()[3] = stale;
        nbl.miniportReserved()[1] = stale;
        nbl.setScratch(stale);
        nbl.setSourceHandle(stale);
        nbl.setStatus(0xC0000001);
        nbl.setNblFlags(0x200);
        nbl.setParent(nbl);
        nbl.incrementChildRefCount();
        nbl.setHashValue(0x1234);
        nbl.setProtocolId(0x0F);
        nb.protocolReserved()[2] = stale;
        nbl.free();

        NetBufferList again = allocate(pool, 0, 0);
        assertSame(nbl, again, "the per-thread free list hands the same element back");
        assertNull(again.protocolReserved()[3]);
        assertNull(again.miniportReserved()[1]);
        assertNull(again.scratch());
        assertNull(again.sourceHandle());
        assertEquals(0, again.status());
        assertEquals(0, again.nblFlags());
        assertNull(again.parent());
        assertEquals(0, again.childRefCount());
        assertEquals(0, again.hashValue());
        assertEquals(0x06, again.protocolId(), "the pool's protocol id again");
        assertSame(nb, again.firstNetBuffer());
        assertSame(stale, nb.protocolReserved()[2], "§3.1: NB ProtocolReserved is not cleared");
        again.free();
    }

    @Test
    @DisplayName("§4.7: every life of a recycled NBL starts zeroed, whichever fields the lives before it wrote")
    void everyLifeStartsZeroed() {
        NetBufferListPool pool =
                unverified.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x06, true, 0, TAG, 0));
        assertNotNull(pool);
        Object stale = new Object();
        // Each life writes one field (or none) through its usual accessor; the next life must find every field clear,
        // including those written two lives back and the areas only read in between.
        java.util.List<java.util.function.Consumer<NetBufferList>> lives = java.util.List.of(
                nbl -> nbl.protocolReserved()[0] = stale,
                nbl -> {},
                nbl -> assertNull(nbl.protocolReserved()[0]),
                nbl -> nbl.miniportReserved()[0] = stale,
                nbl -> nbl.setScratch(stale),
                nbl -> nbl.setParent(nbl),
                nbl -> nbl.setSourceHandle(stale),
                nbl -> nbl.setHashValue(7),
                nbl -> {
                    nbl.protocolReserved()[2] = stale;
                    nbl.miniportReserved()[1] = stale;
                    NetBuffer nb = nbl.firstNetBuffer();
                    assertNotNull(nb);
                    nb.miniportReserved()[1] = stale;
                    nb.setSharedMemoryInfo(stale);
                },
                nbl -> {});
        NetBufferList first = allocate(pool, 0, 0);
        first.free();
        for (var life : lives) {
            NetBufferList nbl = allocate(pool, 0, 0);
            assertSame(first, nbl, "the same element every time");
            NetBuffer nb = nbl.firstNetBuffer();
            assertNotNull(nb);
            for (int i = 0; i < 4; i++) {
                assertNull(nbl.protocolReserved()[i], "ProtocolReserved[" + i + "]");
            }
            assertNull(nbl.miniportReserved()[0]);
            assertNull(nbl.miniportReserved()[1]);
            assertNull(nbl.scratch());
            assertNull(nbl.parent());
            assertNull(nbl.sourceHandle());
            assertEquals(0, nbl.hashValue());
            assertNull(nb.miniportReserved()[0], "§3.10: NB MiniportReserved[0..1] are cleared");
            assertNull(nb.miniportReserved()[1]);
            assertNull(nb.sharedMemoryInfo());
            life.accept(nbl);
            nbl.free();
        }
    }

    @Test
    @DisplayName("§4.7: fAllocateNetBuffer without data: embedded NB with no MDLs, all fields 0")
    void embeddedNetBufferWithoutData() {
        NetBufferList nbl = allocate(pool(0, true, 0, 0), 0, 0);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertNull(nb.next());
        assertNull(nb.mdlChain());
        assertNull(nb.currentMdl());
        assertEquals(0, nb.dataOffset());
        assertEquals(0, nb.currentMdlOffset());
        assertEquals(0, nb.dataLength());
        nbl.free();
    }

    @Test
    @DisplayName("§4.7: data-pool NBL's NB starts with DataOffset = CurrentMdlOffset = DataSize, DataLength 0")
    void dataPoolEmbeddedNetBuffer() {
        NetBufferList nbl = allocate(pool(0, true, 0, 1514), 0, 0);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        Mdl mdl = nb.mdlChain();
        assertNotNull(mdl);
        assertSame(mdl, nb.currentMdl());
        assertEquals(1514, mdl.byteCount());
        assertEquals(MdlOrigin.POOL_EMBEDDED, mdl.origin());
        assertEquals(1514, nb.dataOffset());
        assertEquals(1514, nb.currentMdlOffset());
        assertEquals(0, nb.dataLength());
        nbl.free();
    }

    @Test
    @DisplayName("§4.7: a pool with fAllocateNetBuffer FALSE gives NBLs without NBs")
    void noEmbeddedNetBuffer() {
        NetBufferList nbl = allocate(pool(0, false, 0, 0), 0, 0);
        assertNull(nbl.firstNetBuffer());
        nbl.free();
    }

    @Test
    @DisplayName(
            "§4.7: ContextSize that fits the pool's preallocated block is taken from it; ContextBackFill is ignored")
    void contextFromPreallocatedBlock() {
        NetBufferList nbl = allocate(pool(0, false, 32, 0), 16, 8);
        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertTrue(top.isPoolPreallocated());
        assertEquals(32, top.size());
        assertEquals(16, top.offset());
        assertNull(top.next());
        assertEquals(0, nbl.flags() & NblFlags.NBL_ALLOCATION_CONTEXT, "no 0x400: nothing was allocated");
        nbl.free();
    }

    @Test
    @DisplayName(
            "§4.7: a larger ContextSize pushes a new block of ContextSize+BackFill above the preallocated one; Flags |= 0x400")
    void contextLargerThanPreallocated() {
        NetBufferListPool pool = pool(0, false, 16, 0);
        NetBufferList nbl = allocate(pool, 24, 8);
        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertFalse(top.isPoolPreallocated());
        assertEquals(32, top.size());
        assertEquals(8, top.offset());
        NetBufferListContext below = top.next();
        assertNotNull(below);
        assertTrue(below.isPoolPreallocated());
        assertEquals(16, below.offset(), "the preallocated block is untouched");
        assertEquals(0x100 | 0x400, nbl.flags());
        nbl.free();
        assertEquals(0, diff(ndis, TAG), "the allocation's context went with the NBL");
    }

    @Test
    @DisplayName("§4.7: without a preallocated block, ContextSize pushes a block tagged with the pool tag")
    void contextWithoutPreallocated() {
        NetBufferListPool pool = pool(0, false, 0, 0);
        NetBufferList nbl = allocate(pool, 16, 16);
        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertEquals(32, top.size());
        assertEquals(16, top.offset());
        assertEquals(0x400, nbl.flags() & 0x400);
        assertEquals(2, diff(ndis, TAG), "the NBL element and its context block");
        assertEquals(384 + 16 + 32, Packets.bytesInUse(ndis, TAG));
        nbl.free();
        assertEquals(0, diff(ndis, TAG));
    }

    // ---- NdisAllocateNetBufferAndNetBufferList (§4.7) ----

    @Test
    @DisplayName("§4.7 NdisAllocateNetBufferAndNetBufferList initializes the embedded NB like NdisAllocateNetBuffer")
    void allocateWithNetBuffer() {
        NetBufferListPool pool = pool(0, true, 0, 0);
        Mdl head = chain(ndis, 0, 6, 10);
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, head, 8, 7);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertSame(head, nb.mdlChain());
        assertSame(head.next(), nb.currentMdl());
        assertEquals(2, nb.currentMdlOffset());
        assertEquals(8, nb.dataOffset());
        assertEquals(7, nb.dataLength());
        assertSame(pool, nb.pool());
        nbl.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§4.7: NdisAllocateNetBufferAndNetBufferList on the wrong pool type (no NB, or a data pool) → NULL")
    void allocateWithNetBufferWrongPoolType() {
        Mdl head = chain(ndis, 0, 8);
        assertNull(pool(0, false, 0, 0).allocateNetBufferAndNetBufferList(0, 0, head, 0, 8));
        assertNull(pool(0, true, 0, 64).allocateNetBufferAndNetBufferList(0, 0, head, 0, 8));
        assertNull(pool(0, true, 0, 0).allocateNetBufferAndNetBufferList(4, 0, head, 0, 8), "ContextSize % 8");
        Packets.freeChain(ndis, head);
    }

    // ---- free, pool close, accounting ----

    @Test
    @DisplayName("§4.10: a double NdisFreeNetBufferList is a RuleViolation; free clears Flags 0x100")
    void doubleFree() {
        NetBufferListPool pool = pool(0, true, 0, 0);
        NetBufferList nbl = allocate(pool, 0, 0);
        nbl.free();
        assertFalse(nbl.isAllocated());
        assertEquals(0, nbl.flags() & 0x100);
        assertEquals(
                BufferRule.NBL_DOUBLE_FREE,
                assertThrows(RuleViolation.class, nbl::free).rule());
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName(
            "§4.10: NdisFreeNetBufferListPool with NBLs outstanding is NBL_LEAKED (0x7C, 0x27, 1), pool stays open")
    void closeWithOutstanding() {
        NetBufferListPool pool = pool(0, true, 0, 0);
        NetBufferList nbl = allocate(pool, 0, 0);
        assertEquals(
                BufferRule.NBL_LEAKED,
                assertThrows(RuleViolation.class, pool::close).rule());
        nbl.free();
        pool.close();
        assertEquals(
                BufferRule.POOL_USED_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBufferList(0, 0))
                        .rule());
    }

    @Test
    @DisplayName("a freed pool that recycles hands out none of the NBLs its per-thread caches still hold")
    void freedRecyclingPoolHandsOutNothing() throws Exception {
        NetBufferListPool pool =
                unverified.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        assertNotNull(pool);
        allocate(pool, 0, 0).free(); // now cached by this thread
        Thread other = new Thread(() -> allocate(pool, 0, 0).free()); // and one by another thread
        other.start();
        other.join();
        pool.close();
        assertEquals(
                BufferRule.POOL_USED_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBufferList(0, 0))
                        .rule());
        AtomicReference<Throwable> onOther = new AtomicReference<>();
        Thread again = new Thread(
                () -> onOther.set(assertThrows(RuleViolation.class, () -> pool.allocateNetBufferList(0, 0))));
        again.start();
        again.join();
        assertEquals(BufferRule.POOL_USED_AFTER_FREE, ((RuleViolation) onOther.get()).rule());
        assertEquals(0, pool.outstanding(), "the refused allocations were not counted");
    }

    @Test
    @DisplayName("§4.1: elements are accounted as NBL 384 + NB 176 + context 16+ContextSize + MDL 64+DataSize")
    void elementAccounting() {
        NetBufferList nbl = allocate(pool(0, true, 32, 128), 0, 0);
        assertEquals(1, diff(ndis, TAG));
        assertEquals(384 + 176 + (16 + 32) + (64 + 128), Packets.bytesInUse(ndis, TAG));
        nbl.free();
        assertEquals(0, Packets.bytesInUse(ndis, TAG));
    }

    @Test
    @DisplayName("an NBL allocated on one thread and freed on another is counted right")
    void crossThreadFree() throws InterruptedException {
        NetBufferListPool pool = pool(0, true, 0, 0);
        AtomicReference<NetBufferList> made = new AtomicReference<>();
        Thread thread = new Thread(() -> made.set(pool.allocateNetBufferList(0, 0)));
        thread.start();
        thread.join();
        NetBufferList nbl = made.get();
        assertNotNull(nbl);
        assertEquals(1, pool.outstanding());
        nbl.free();
        assertEquals(0, pool.outstanding());
        assertEquals(0, diff(ndis, TAG));
        pool.close();
    }
}
