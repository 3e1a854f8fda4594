package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.diff;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.LeaksOnPurpose;
import org.nbl4j.junit.NdisVerifierExtension;

/** What NdisFreeNetBufferList frees and what it does not (§4.8). */
class FreeTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag NBL_TAG = PoolTag.of("FrNl");
    private static final PoolTag NB_TAG = PoolTag.of("FrNb");

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferListPool nblPool =
            ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, NBL_TAG, 0));
    private final NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(NB_TAG, 0));

    @Test
    @DisplayName("§4.8: NBs attached from an NB pool stay allocated after NdisFreeNetBufferList")
    void attachedNetBuffersSurvive() {
        Mdl[] chains = {chain(ndis, 0, 8), chain(ndis, 0, 8), chain(ndis, 0, 8)};
        NetBufferList nbl = Packets.nblOf(nblPool, nbPool, chains);
        NetBuffer embedded = nbl.firstNetBuffer();
        assertNotNull(embedded);
        NetBuffer second = embedded.next();
        assertNotNull(second);
        NetBuffer third = second.next();
        assertNotNull(third);

        nbl.free();

        assertFalse(embedded.isAllocated(), "the embedded NB goes with the NBL");
        assertTrue(second.isAllocated());
        assertTrue(third.isAllocated());
        assertEquals(2, nbPool.outstanding());
        assertEquals(2, diff(ndis, NB_TAG));
        assertEquals(0, diff(ndis, NBL_TAG));
        second.free();
        third.free();
        for (Mdl chain : chains) {
            Packets.freeChain(ndis, chain);
        }
    }

    @Test
    @DisplayName("§4.8: the caller's MDL chain stays allocated after NdisFreeNetBufferList")
    void callerMdlsSurvive() {
        Mdl head = chain(ndis, 0, 10, 10);
        NetBufferList nbl = nblPool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 20);
        assertNotNull(nbl);
        nbl.free();
        assertTrue(head.isAllocated());
        assertTrue(head.next().isAllocated());
        assertEquals(2, diff(ndis, MdlPool.MDL_TAG));
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§4.8: an MDL a retreat added is not freed by NdisFreeNetBufferList: it and its buffer leak")
    @LeaksOnPurpose
    void retreatMdlLeaks() {
        NetBufferList nbl = nblPool.allocateNetBufferAndNetBufferList(0, 0, chain(ndis, 0, 8), 0, 8);
        assertNotNull(nbl);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.retreat(14, 0, null, null));
        Mdl added = nbl.firstNetBuffer().mdlChain();
        assertNotNull(added);

        nbl.free();

        assertTrue(added.isAllocated());
        assertEquals(1, diff(ndis, Ndis.RETREAT_TAG));
        assertEquals(14, Packets.bytesInUse(ndis, Ndis.RETREAT_TAG));
    }

    @Test
    @DisplayName("§4.8: a data pool's embedded NB, MDL and data go with the NBL")
    void dataPoolElementGoesWithTheNbl() {
        PoolTag tag = PoolTag.of("FrDp");
        NetBufferListPool dataPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, tag, 512));
        assertNotNull(dataPool);
        NetBufferList nbl = dataPool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(384 + 176 + 64 + 512, Packets.bytesInUse(ndis, tag));
        long descriptors = diff(ndis, MdlPool.MDL_TAG);

        nbl.free();

        assertFalse(nb.isAllocated());
        assertEquals(0, diff(ndis, tag));
        assertEquals(0, Packets.bytesInUse(ndis, tag));
        assertEquals(descriptors, diff(ndis, MdlPool.MDL_TAG), "the embedded MDL is not a separate descriptor");
        dataPool.close();
    }

    @Test
    @DisplayName("§4.8: the free function must match the kind: NdisFreeNetBufferList on a clone is a RuleViolation")
    void wrongFreeForClone() {
        Mdl head = chain(ndis, 0, 8);
        NetBufferList original = nblPool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 8);
        assertNotNull(original);
        NetBufferList clone = original.allocateClone(nblPool, nbPool, 0);
        assertNotNull(clone);

        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, clone::free).rule());
        assertTrue(clone.isAllocated());
        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> original.freeClone(0)).rule());
        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> clone.freeFragment(0, 0))
                        .rule());
        assertTrue(original.isAllocated());

        clone.freeClone(0);
        original.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§4.8: NdisFreeNetBufferList / NdisFreeCloneNetBufferList on a fragment is a RuleViolation")
    void wrongFreeForFragment() {
        Mdl head = chain(ndis, 0, 20);
        NetBufferList original = nblPool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 20);
        assertNotNull(original);
        NetBufferList fragment = original.allocateFragment(null, null, 0, 8, 0, 0, 0);
        assertNotNull(fragment);

        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, fragment::free).rule());
        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> fragment.freeClone(0)).rule());
        RuleViolation asReassembled = assertThrows(RuleViolation.class, () -> fragment.freeReassembled(0, 0));
        assertEquals(BufferRule.NBL_WRONG_FREE_FUNCTION, asReassembled.rule());
        assertTrue(
                asReassembled.getMessage().contains("NdisFreeReassembledNetBufferList"),
                "the report names the DDI the driver called: " + asReassembled.getMessage());
        RuleViolation asFragment = assertThrows(RuleViolation.class, () -> original.freeFragment(0, 0));
        assertEquals(BufferRule.NBL_WRONG_FREE_FUNCTION, asFragment.rule());
        assertTrue(asFragment.getMessage().contains("NdisFreeFragmentNetBufferList"), asFragment.getMessage());

        fragment.freeFragment(0, 0);
        original.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§4.10: freeing an NBL twice is a RuleViolation")
    void doubleFree() {
        NetBufferList nbl = nblPool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        nbl.free();
        assertEquals(
                BufferRule.NBL_DOUBLE_FREE,
                assertThrows(RuleViolation.class, nbl::free).rule());
        assertEquals(0, nblPool.outstanding());
    }
}
