package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.CloneFlags.NDIS_CLONE_FLAGS_RESERVED;
import static org.nbl4j.core.buffer.CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS;
import static org.nbl4j.core.buffer.Packets.byteCounts;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.chainBytes;
import static org.nbl4j.core.buffer.Packets.diff;
import static org.nbl4j.core.buffer.Packets.seq;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NdisAllocateCloneNetBufferList / NdisFreeCloneNetBufferList (§5.2). */
class CloneTest {
    private static final PoolTag NBL_TAG = PoolTag.of("ClNl");
    private static final PoolTag NB_TAG = PoolTag.of("ClNb");

    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferListPool nblPool =
            ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x02, true, 0, NBL_TAG, 0));
    private final NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(NB_TAG, 0));

    /** An original NBL with one NB over the chain with the given data offset and length. */
    private NetBufferList original(Mdl chain, int dataOffset, int dataLength) {
        NetBufferList nbl = nblPool.allocateNetBufferAndNetBufferList(0, 0, chain, dataOffset, dataLength);
        assertNotNull(nbl);
        return nbl;
    }

    private static NetBuffer first(NetBufferList nbl) {
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        return nb;
    }

    @Test
    @DisplayName("§5.2: with USE_ORIGINAL_MDLS the clone's NB copies MdlChain, cursor, DataOffset, DataLength verbatim")
    void useOriginalMdlsSharesEverything() {
        Mdl head = chain(ndis, 0, 8, 24);
        NetBufferList original = original(head, 10, 12);
        NetBuffer source = first(original);

        NetBufferList clone = original.allocateClone(null, null, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);

        assertNotNull(clone);
        NetBuffer nb = first(clone);
        assertNotSame(source, nb);
        assertSame(head, nb.mdlChain(), "the same MDL objects");
        assertSame(source.currentMdl(), nb.currentMdl());
        assertEquals(2, nb.currentMdlOffset());
        assertEquals(10, nb.dataOffset(), "headroom shared too");
        assertEquals(12, nb.dataLength());
        assertEquals(NetBufferListKind.CLONE, clone.kind());
        clone.freeClone(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertTrue(head.isAllocated(), "freeing with the flag leaves the original's MDLs alone");
        assertTrue(head.next().isAllocated());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2 (surprising): a retreat on a USE_ORIGINAL_MDLS clone writes into the original's headroom bytes")
    void retreatOnSharedCloneWritesOriginal() {
        Mdl head = chain(ndis, 0, 32);
        NetBufferList original = original(head, 8, 24);
        NetBufferList clone = original.allocateClone(null, null, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertNotNull(clone);
        NetBuffer cloneNb = first(clone);

        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, cloneNb.retreat(4, 0, null));
        cloneNb.write(0, Packets.bytes(0xE1, 0xE2, 0xE3, 0xE4));

        byte[] originalChain = chainBytes(head);
        assertArrayEquals(Packets.bytes(0xE1, 0xE2, 0xE3, 0xE4), Arrays.copyOfRange(originalChain, 4, 8));
        assertEquals(8, first(original).dataOffset(), "the original's fields did not move");
        assertEquals(0, diff(ndis, Ndis.RETREAT_TAG), "fast path: the shared headroom was enough");

        cloneNb.advance(4, false, null);
        clone.freeClone(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName(
            "§5.2: without the flag the clone gets partial MDLs over exactly the used data, DataOffset 0, no headroom")
    void partialMdlsWithoutFlag() {
        Mdl head = chain(ndis, 0, 10, 10, 10);
        NetBufferList original = original(head, 5, 20);
        long descriptors = diff(ndis, MdlPool.MDL_TAG);

        NetBufferList clone = original.allocateClone(null, null, 0);

        assertNotNull(clone);
        NetBuffer nb = first(clone);
        assertArrayEquals(new int[] {5, 10, 5}, byteCounts(nb.mdlChain()), "one partial MDL per source segment");
        for (Mdl mdl : Packets.mdls(nb.mdlChain())) {
            assertEquals(MdlOrigin.CLONE_PARTIAL, mdl.origin());
            assertEquals(Mdl.MDL_PARTIAL, mdl.flags() & Mdl.MDL_PARTIAL);
        }
        assertNotSame(head, nb.mdlChain());
        assertSame(nb.mdlChain(), nb.currentMdl());
        assertEquals(0, nb.currentMdlOffset());
        assertEquals(0, nb.dataOffset());
        assertEquals(20, nb.dataLength());
        assertArrayEquals(seq(5, 20), nb.toByteArray());
        assertEquals(descriptors + 3, diff(ndis, MdlPool.MDL_TAG));

        // data is shared, never copied
        first(original).write(0, Packets.bytes(0x99));
        assertEquals((byte) 0x99, nb.toByteArray()[0]);

        // no headroom: even a 1-byte retreat takes the slow path
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(1, 0, null));
        assertEquals(1, diff(ndis, Ndis.RETREAT_TAG));
        nb.advance(1, true, null);
        assertEquals(0, diff(ndis, Ndis.RETREAT_TAG));

        clone.freeClone(0);
        assertEquals(descriptors, diff(ndis, MdlPool.MDL_TAG), "freeClone(0) IoFreeMdl'ed the partial MDLs");
        assertTrue(head.isAllocated());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: only SourceHandle, slot 16 and correlation id slot 13 are copied; NblFlags, hash etc. are not")
    void onlySomeFieldsAreCopied() {
        NetBufferList original = original(chain(ndis, 0, 16), 0, 16);
        Object handle = new Object();
        original.setSourceHandle(handle);
        original.setInfoValue(NetBufferListInfo.NblOriginalInterfaceIfIndex, 17);
        original.setInfoValue(NetBufferListInfo.NetBufferListCorrelationId, 0xC0FFEE);
        original.setNblFlags(NblFlags.NDIS_NBL_FLAGS_IS_IPV4 | NblFlags.NDIS_NBL_FLAGS_IS_TCP);
        original.setHashValue(0xABCD);
        original.setHashType(0x100);
        original.setCancelId(0x0100_0001L);
        original.setInfoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo, 0x3);
        original.setInfoValue(NetBufferListInfo.Ieee8021QNetBufferListInfo, 0x50);
        original.setInfoValue(NetBufferListInfo.TcpLargeSendNetBufferListInfo, 1460);
        original.setStatus(NtStatus.NDIS_STATUS_FAILURE);
        original.setScratch(handle);
        original.protocolReserved()[0] = handle;
        original.allocateContext(16, 0, PoolTag.of("ClCx"));

        NetBufferList clone = original.allocateClone(null, null, 0);

        assertNotNull(clone);
        assertSame(handle, clone.sourceHandle());
        assertEquals(17, clone.infoValue(NetBufferListInfo.NblOriginalInterfaceIfIndex));
        assertEquals(0xC0FFEE, clone.infoValue(NetBufferListInfo.NetBufferListCorrelationId));
        assertEquals(0, clone.nblFlags());
        assertEquals(0, clone.hashValue());
        assertEquals(0, clone.hashType());
        assertEquals(0, clone.cancelId());
        assertEquals(0, clone.infoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo));
        assertEquals(0, clone.infoValue(NetBufferListInfo.Ieee8021QNetBufferListInfo));
        assertEquals(0, clone.infoValue(NetBufferListInfo.TcpLargeSendNetBufferListInfo));
        assertEquals(0, clone.status());
        assertNull(clone.scratch());
        assertNull(clone.protocolReserved()[0]);
        assertNull(clone.context(), "the clone never inherits the original's context");
        assertEquals(0x100, clone.flags());

        clone.freeClone(0);
        original.freeContext(16);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: the protocol id byte comes from the clone's pool, not the original")
    void protocolIdFromClonePool() {
        NetBufferList original = original(chain(ndis, 0, 16), 0, 16);
        assertEquals(0x02, original.protocolId());
        NetBufferListPool ipxPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x06, false, 0, PoolTag.of("ClIx"), 0));
        assertNotNull(ipxPool);

        NetBufferList fromIpx = original.allocateClone(ipxPool, nbPool, 0);
        NetBufferList fromDefault = original.allocateClone(null, null, 0);

        assertNotNull(fromIpx);
        assertNotNull(fromDefault);
        assertEquals(0x06, fromIpx.protocolId());
        assertEquals(0x00, fromDefault.protocolId());
        fromIpx.freeClone(0);
        fromDefault.freeClone(0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.1/§12.8: NDIS sets neither ParentNetBufferList nor ChildRefCount; Next is NULL")
    void parentBookkeepingIsTheCallers() {
        NetBufferList original = original(chain(ndis, 0, 16), 0, 16);
        NetBufferList other = nblPool.allocateNetBufferList(0, 0);
        assertNotNull(other);
        original.setNext(other);

        NetBufferList clone = original.allocateClone(null, null, 0);

        assertNotNull(clone);
        assertNull(clone.parent());
        assertEquals(0, original.childRefCount());
        assertNull(clone.next());

        // the caller's bookkeeping
        clone.setParent(original);
        assertEquals(1, original.incrementChildRefCount());
        clone.freeClone(0);
        assertEquals(1, original.childRefCount(), "the free does not touch the parent's count either");
        assertEquals(0, original.decrementChildRefCount());
        original.setNext(null);
        other.free();
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: the clone's NBL pool must not be a data pool")
    void cloneFromDataPool() {
        NetBufferList original = original(chain(ndis, 0, 16), 0, 16);
        NetBufferListPool dataPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("ClDp"), 256));
        assertNotNull(dataPool);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> original.allocateClone(dataPool, nbPool, 0));
        assertEquals(BufferRule.CLONE_FROM_DATA_POOL, violation.rule());
        assertEquals(0, dataPool.outstanding());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: NDIS_CLONE_FLAGS_RESERVED (0x1) is NDIS's; a caller setting it is a RuleViolation")
    void reservedFlag() {
        NetBufferList original = original(chain(ndis, 0, 16), 0, 16);
        assertEquals(0x1, NDIS_CLONE_FLAGS_RESERVED);
        assertEquals(0x2, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertEquals(
                BufferRule.CLONE_RESERVED_FLAG,
                assertThrows(RuleViolation.class, () -> original.allocateClone(null, null, NDIS_CLONE_FLAGS_RESERVED))
                        .rule());
        assertEquals(
                BufferRule.CLONE_RESERVED_FLAG,
                assertThrows(
                                RuleViolation.class,
                                () -> original.allocateClone(
                                        null, null, NDIS_CLONE_FLAGS_RESERVED | NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS))
                        .rule());
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: FreeCloneFlags must equal AllocateCloneFlags (else the original's MDLs would be freed)")
    void freeFlagsMismatch() {
        Mdl head = chain(ndis, 0, 16);
        NetBufferList original = original(head, 0, 16);
        NetBufferList shared = original.allocateClone(null, null, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        NetBufferList partial = original.allocateClone(null, null, 0);
        assertNotNull(shared);
        assertNotNull(partial);

        assertEquals(
                BufferRule.CLONE_FLAGS_MISMATCH,
                assertThrows(RuleViolation.class, () -> shared.freeClone(0)).rule());
        assertTrue(head.isAllocated(), "the original's MDL was not freed");
        assertTrue(shared.isAllocated());
        assertEquals(
                BufferRule.CLONE_FLAGS_MISMATCH,
                assertThrows(RuleViolation.class, () -> partial.freeClone(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS))
                        .rule());
        assertTrue(partial.isAllocated());

        shared.freeClone(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        partial.freeClone(0);
        assertEquals(
                BufferRule.NBL_DOUBLE_FREE,
                assertThrows(RuleViolation.class, () -> partial.freeClone(0)).rule());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName(
            "§5.2: one clone NB per original NB, in order: the pool's embedded NB first, then NBs from the NB pool")
    void multiNbOriginal() {
        NetBufferList original =
                Packets.nblOf(nblPool, nbPool, chain(ndis, 0x10, 4), chain(ndis, 0x20, 5), chain(ndis, 0x30, 6));
        NetBufferPool cloneNbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("ClN2"), 0));
        assertNotNull(cloneNbPool);

        NetBufferList clone = original.allocateClone(nblPool, cloneNbPool, 0);

        assertNotNull(clone);
        List<NetBuffer> nbs = Packets.netBuffers(clone);
        assertEquals(3, nbs.size());
        assertSame(clone, nbs.get(0).embeddedIn());
        assertSame(nblPool, nbs.get(0).pool());
        assertSame(cloneNbPool, nbs.get(1).pool());
        assertSame(cloneNbPool, nbs.get(2).pool());
        assertEquals(2, cloneNbPool.outstanding());
        assertArrayEquals(seq(0x10, 4), nbs.get(0).toByteArray());
        assertArrayEquals(seq(0x20, 5), nbs.get(1).toByteArray());
        assertArrayEquals(seq(0x30, 6), nbs.get(2).toByteArray());

        clone.freeClone(0);
        assertEquals(0, cloneNbPool.outstanding());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: a clone NBL pool without an embedded NB takes every clone NB from the NB pool")
    void clonePoolWithoutNb() {
        NetBufferList original = Packets.nblOf(nblPool, nbPool, chain(ndis, 0x10, 4), chain(ndis, 0x20, 5));
        NetBufferListPool bare =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("ClBr"), 0));
        NetBufferPool cloneNbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("ClN3"), 0));
        assertNotNull(bare);
        assertNotNull(cloneNbPool);

        NetBufferList clone = original.allocateClone(bare, cloneNbPool, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);

        assertNotNull(clone);
        assertEquals(2, cloneNbPool.outstanding());
        for (NetBuffer nb : Packets.netBuffers(clone)) {
            assertNull(nb.embeddedIn());
        }
        clone.freeClone(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertEquals(0, cloneNbPool.outstanding());
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2 step 6: if an allocation fails mid-clone the partial clone is released and NULL returned")
    void failedCloneIsReleased() {
        NetBufferList original = Packets.nblOf(nblPool, nbPool, chain(ndis, 0, 4), chain(ndis, 0, 4));
        // a data pool cannot give plain NBs (§3.10): the second clone NB cannot be allocated
        NetBufferPool dataNbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("ClDn"), 64));
        assertNotNull(dataNbPool);
        long descriptors = diff(ndis, MdlPool.MDL_TAG);
        long nbls = nblPool.outstanding();

        assertNull(original.allocateClone(nblPool, dataNbPool, 0));

        assertEquals(nbls, nblPool.outstanding(), "the clone NBL went back to its pool");
        assertEquals(descriptors, diff(ndis, MdlPool.MDL_TAG), "the first NB's partial MDL was freed");
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.2: NULL pools select NDIS's default pools (tags NDnl, NDnb)")
    void nullPoolsUseDefaults() {
        NetBufferList original =
                Packets.nblOf(nblPool, nbPool, chain(ndis, 0, 4), chain(ndis, 0, 4), chain(ndis, 0, 4));

        NetBufferList clone = original.allocateClone(null, null, 0);

        assertNotNull(clone);
        assertSame(ndis.defaultNetBufferListPool(), clone.pool());
        assertEquals(1, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        assertEquals(2, diff(ndis, Ndis.DEFAULT_NB_POOL_TAG), "the first clone NB is the default NBL pool's own");
        assertEquals("NDnl", Ndis.DEFAULT_NBL_POOL_TAG.toString());
        assertEquals("NDnb", Ndis.DEFAULT_NB_POOL_TAG.toString());

        clone.freeClone(0);
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NB_POOL_TAG));
        assertFalse(clone.isAllocated());
        Packets.freeNblAndChains(ndis, original);
    }
}
