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

class NetBufferPoolTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("NbPl");

    private final Ndis ndis = verification.create(VerifierSettings.full());

    private NetBufferPool pool(int dataSize) {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, dataSize));
        assertNotNull(pool);
        return pool;
    }

    private static NetBufferPoolParameters params(int type, int revision, int size, int dataSize, int flags) {
        return new NetBufferPoolParameters(new NdisObjectHeader(type, revision, size), TAG, dataSize, flags);
    }

    // ---- parameter validation (§3.10) ----

    @Test
    @DisplayName("§3.10: header Type 0x80, Revision 1, Size 12 is accepted; Revision 2 needs Size 16")
    void headerValidation() {
        assertEquals(0x80, NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT);
        assertEquals(12, NetBufferPoolParameters.NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1);
        assertEquals(16, NetBufferPoolParameters.NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2);

        assertNotNull(ndis.allocateNetBufferPool(params(0x80, 1, 12, 0, 0)));
        assertNotNull(ndis.allocateNetBufferPool(params(0x80, 2, 16, 0, 0)));
        assertNull(ndis.allocateNetBufferPool(params(0x81, 1, 12, 0, 0)), "wrong Type");
        assertNull(ndis.allocateNetBufferPool(params(0x80, 0, 12, 0, 0)), "Revision 0");
        assertNull(ndis.allocateNetBufferPool(params(0x80, 1, 11, 0, 0)), "Size too small for revision 1");
        assertNull(ndis.allocateNetBufferPool(params(0x80, 2, 12, 0, 0)), "Size of revision 1 with revision 2");
    }

    @Test
    @DisplayName("§3.10/§4.6: DataSize up to 1 MiB (0x100000)")
    void dataSizeLimit() {
        assertNotNull(ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 0x100000)));
        assertNull(ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 0x100001)));
        assertNull(ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, -1)));
    }

    @Test
    @DisplayName("§3.10: the VERIFY flag (0x1) counts only with revision 2")
    void verifyFlagNeedsRevision2() {
        assertEquals(0x1, NetBufferPoolParameters.NET_BUFFER_POOL_FLAG_VERIFY);
        assertTrue(params(0x80, 2, 16, 0, 1).verify());
        assertFalse(params(0x80, 1, 12, 0, 1).verify());
        assertFalse(params(0x80, 2, 16, 0, 0).verify());
    }

    // ---- NdisAllocateNetBuffer ----

    @Test
    @DisplayName("§3.10 NdisAllocateNetBuffer: cursor = locate(MdlChain, DataOffset); pool handle is the pool")
    void allocateLocatesTheCursor() {
        NetBufferPool pool = pool(0);
        Mdl head = chain(ndis, 0, 10, 20);
        Mdl second = head.next();

        NetBuffer nb = pool.allocateNetBuffer(head, 15, 12);
        assertNotNull(nb);
        assertSame(head, nb.mdlChain());
        assertEquals(15, nb.dataOffset());
        assertEquals(12, nb.dataLength());
        assertSame(second, nb.currentMdl());
        assertEquals(5, nb.currentMdlOffset());
        assertNull(nb.next());
        assertSame(pool, nb.pool());
        nb.checkInvariants();

        // an offset exactly at an MDL boundary lands at offset 0 of the next MDL (normal form)
        NetBuffer atBoundary = pool.allocateNetBuffer(head, 10, 0);
        assertNotNull(atBoundary);
        assertSame(second, atBoundary.currentMdl());
        assertEquals(0, atBoundary.currentMdlOffset());
        nb.free();
        atBoundary.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§3.2 I3(c): data start at the chain end gives CurrentMdl NULL, CurrentMdlOffset 0")
    void dataStartAtChainEnd() {
        Mdl head = chain(ndis, 0, 8);
        NetBuffer nb = pool(0).allocateNetBuffer(head, 8, 0);
        assertNotNull(nb);
        assertNull(nb.currentMdl());
        assertEquals(0, nb.currentMdlOffset());
        nb.checkInvariants();
        nb.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§3.2 I4/I1: no MDL chain requires offset and length 0; data must fit the chain")
    void allocateValidatesAgainstTheChain() {
        NetBufferPool pool = pool(0);
        NetBuffer empty = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(empty);
        assertNull(empty.mdlChain());
        assertNull(empty.currentMdl());

        assertEquals(
                BufferRule.NB_INVARIANT,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBuffer(null, 4, 0))
                        .rule());
        Mdl head = chain(ndis, 0, 10);
        assertEquals(
                BufferRule.NB_INVARIANT,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBuffer(head, 4, 7))
                        .rule());
        assertEquals(1, pool.outstanding(), "failed calls allocate nothing");
        empty.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§3.10: NdisAllocateNetBuffer on a data pool and NdisAllocateNetBufferMdlAndData on a plain pool fail")
    void wrongAllocatorForPoolKind() {
        assertNull(pool(64).allocateNetBuffer(null, 0, 0));
        assertNull(pool(0).allocateNetBufferMdlAndData());
    }

    @Test
    @DisplayName("§3.10: a data-pool NB starts with DataOffset = CurrentMdlOffset = DataSize and DataLength 0")
    void dataPoolInitialState() {
        NetBufferPool pool = pool(256);
        assertTrue(pool.isDataPool());
        NetBuffer nb = pool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl embedded = nb.mdlChain();
        assertNotNull(embedded);
        assertSame(embedded, nb.currentMdl());
        assertEquals(256, embedded.byteCount());
        assertNull(embedded.next());
        assertEquals(MdlOrigin.POOL_EMBEDDED, embedded.origin());
        assertEquals(256, nb.dataOffset());
        assertEquals(256, nb.currentMdlOffset(), "denormal cursor: offset == ByteCount (§3.2 I3a)");
        assertEquals(0, nb.dataLength());
        nb.checkInvariants();

        // claim space with a retreat: fast path, nothing allocated
        long mdlsBefore = diff(ndis, Ndis.RETREAT_TAG);
        assertEquals(0, nb.retreat(54, 0, null));
        assertEquals(202, nb.dataOffset());
        assertEquals(54, nb.dataLength());
        assertSame(embedded, nb.mdlChain());
        assertEquals(mdlsBefore, diff(ndis, Ndis.RETREAT_TAG));
        nb.free();
    }

    @Test
    @DisplayName("§3.1: allocation clears NdisReserved, MiniportReserved[0..1], ChecksumBias, SharedMemoryInfo only")
    void staleReservedFieldsSurviveRecycling() {
        NetBufferPool pool = pool(0);
        NetBuffer nb = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(nb);
        Object stale = new Object();
        nb.protocolReserved()[0] = stale;
        nb.protocolReserved()[5] = stale;
        nb.miniportReserved()[0] = stale;
        nb.miniportReserved()[1] = stale;
        nb.miniportReserved()[2] = stale;
        nb.miniportReserved()[3] = stale;
        nb.setChecksumBias(20);
        nb.setDataPhysicalAddress(0x1234_5000L);
        nb.setSharedMemoryInfo(stale);
        nb.free();

        NetBuffer again = pool.allocateNetBuffer(null, 0, 0);
        assertSame(nb, again, "the per-thread free list hands the same element back");
        assertSame(stale, again.protocolReserved()[0], "ProtocolReserved is left stale");
        assertSame(stale, again.protocolReserved()[5]);
        assertNull(again.miniportReserved()[0]);
        assertNull(again.miniportReserved()[1]);
        assertSame(stale, again.miniportReserved()[2], "MiniportReserved[2..3] are left stale");
        assertSame(stale, again.miniportReserved()[3]);
        assertEquals(0x1234_5000L, again.dataPhysicalAddress(), "DataPhysicalAddress is left stale");
        assertEquals(0, again.checksumBias());
        assertNull(again.sharedMemoryInfo());
        again.free();
    }

    // ---- free and accounting ----

    @Test
    @DisplayName("§3.10 NdisFreeNetBuffer leaves the caller's MDL chain alone")
    void freeDoesNotTouchTheChain() {
        NetBufferPool pool = pool(0);
        Mdl head = chain(ndis, 0, 10, 10);
        NetBuffer nb = pool.allocateNetBuffer(head, 0, 20);
        assertNotNull(nb);
        nb.free();
        assertFalse(nb.isAllocated());
        assertTrue(head.isAllocated());
        assertTrue(head.next().isAllocated());
        assertEquals(2, diff(ndis, org.nbl4j.core.memory.MdlPool.MDL_TAG));
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("elements are accounted under the pool tag: 176 bytes per NB, + 64 + DataSize for a data pool")
    void accountingUnderPoolTag() {
        NetBufferPool plain = pool(0);
        NetBuffer a = plain.allocateNetBuffer(null, 0, 0);
        NetBuffer b = plain.allocateNetBuffer(null, 0, 0);
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(2, plain.outstanding());
        assertEquals(2, diff(ndis, TAG));
        assertEquals(2 * 176, Packets.bytesInUse(ndis, TAG));
        a.free();
        b.free();
        assertEquals(0, plain.outstanding());
        assertEquals(0, diff(ndis, TAG));

        NetBufferPool data = pool(256);
        NetBuffer c = data.allocateNetBufferMdlAndData();
        assertNotNull(c);
        assertEquals(176 + 64 + 256, Packets.bytesInUse(ndis, TAG));
        c.free();
        data.close();
        plain.close();
    }

    @Test
    @DisplayName("§3.10: double NdisFreeNetBuffer is a RuleViolation")
    void doubleFree() {
        NetBufferPool pool = pool(0);
        NetBuffer nb = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(nb);
        nb.free();
        assertEquals(
                BufferRule.NB_DOUBLE_FREE,
                assertThrows(RuleViolation.class, nb::free).rule());
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§3.10: NdisFreeNetBuffer on an NB that came with an NBL is a RuleViolation; its pool is the NBL pool")
    void embeddedNetBufferCannotBeFreed() {
        NetBufferListPool nblPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("NblP"), 0));
        assertNotNull(nblPool);
        NetBufferList nbl = nblPool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer embedded = nbl.firstNetBuffer();
        assertNotNull(embedded);
        assertSame(nblPool, embedded.pool(), "NdisGetPoolFromNetBuffer returns the NBL pool [§3.1]");
        assertSame(nbl, embedded.embeddedIn());
        assertEquals(
                BufferRule.NB_FREE_EMBEDDED,
                assertThrows(RuleViolation.class, embedded::free).rule());
        assertTrue(embedded.isAllocated());
        nbl.free();
        assertFalse(embedded.isAllocated());
    }

    @Test
    @DisplayName("§3.10 NdisFreeNetBufferPool with NBs outstanding is a RuleViolation; after a clean close, use is")
    void closeWithOutstanding() {
        NetBufferPool pool = pool(0);
        NetBuffer nb = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(nb);
        assertEquals(
                BufferRule.POOL_FREED_WITH_OUTSTANDING,
                assertThrows(RuleViolation.class, pool::close).rule());
        nb.free();
        pool.close();
        assertEquals(
                BufferRule.POOL_USED_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBuffer(null, 0, 0))
                        .rule());
    }
}
