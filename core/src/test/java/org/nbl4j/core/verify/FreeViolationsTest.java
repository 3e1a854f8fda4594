package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.first;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nbl4j.core.buffer.CloneFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/** The free-function rules: double free, free in flight, wrong free function, live children, clone flags. */
class FreeViolationsTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfFr");

    private final Ndis ndis =
            verification.create(VerifierSettings.full().withDriverCode(FreeViolationsTest.class.getName()));
    private final NetBufferListPool pool = dataPool(ndis, TAG);

    private NetBufferList packet() {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return withData(nbl);
    }

    private static NetBufferList clone(NetBufferList original, int flags) {
        NetBufferList clone = original.allocateClone(null, null, flags);
        assertNotNull(clone);
        return clone;
    }

    @Test
    @DisplayName("§4.10 double NdisFreeNetBufferList: BAD_POOL_CALLER (c2) 7, naming the first and the second free")
    void doubleFreeNamesBothFrees() {
        NetBufferList nbl = packet();
        int firstFree = line() + 1;
        nbl.free();
        int secondFree = -1;
        RuleViolation thrown = null;
        try {
            secondFree = line() + 1;
            nbl.free();
        } catch (RuleViolation e) {
            thrown = e;
        }

        assertNotNull(thrown, "the second free throws under THROW");
        assertEquals(BufferRule.NBL_DOUBLE_FREE, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation, "the verifier reported it, with sites");
        assertEquals(new Bugcheck(0xC2, "BAD_POOL_CALLER", 0x7, 0), violation.bugcheck());
        String first = frame(FreeViolationsTest.class, "doubleFreeNamesBothFrees", firstFree);
        String second = frame(FreeViolationsTest.class, "doubleFreeNamesBothFrees", secondFree);
        BufferTrack buffer = violation.buffer();
        assertNotNull(buffer);
        Site firstSite = buffer.free();
        assertNotNull(firstSite);
        assertEquals(first, firstSite.where(), "BufferTrack.free() is the first free");
        assertEquals(second, violation.site().where(), "the violation's site is the second free");
        assertTrue(thrown.getMessage().contains("first freed at:\n    at " + first), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("  broken at: " + second + ", calling "), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("  frames where it broke:\n    at " + second), thrown.getMessage());
        assertEquals(0, pool.outstanding());
    }

    @ParameterizedTest
    @EnumSource(
            value = ViolationPolicy.class,
            names = {"LOG", "COLLECT"})
    @DisplayName("LOG and COLLECT: a double free returns, is recorded, and is refused (frees counted once)")
    @ViolatesOnPurpose
    void doubleFreeUnderLogAndCollect(ViolationPolicy policy) {
        try (Ndis lenient = verification.create(VerifierSettings.full()
                .withDriverCode(FreeViolationsTest.class.getName())
                .withPolicy(policy))) {
            NetBufferListPool lenientPool = dataPool(lenient, TAG);
            NetBufferList nbl = lenientPool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            nbl.free();
            PoolUsage before = lenient.poolUsage().usage(TAG).orElseThrow();

            nbl.free();

            PoolUsage after = lenient.poolUsage().usage(TAG).orElseThrow();
            assertEquals(before, after, "the second free changed nothing");
            assertEquals(1, after.allocs());
            assertEquals(1, after.frees());
            assertEquals(0, lenientPool.outstanding());
            List<Violation> violations = lenient.verifier().violations();
            assertEquals(1, violations.size());
            assertEquals(BufferRule.NBL_DOUBLE_FREE, violations.getFirst().rule());
            NetBufferList again = lenientPool.allocateNetBufferList(0, 0);
            NetBufferList other = lenientPool.allocateNetBufferList(0, 0);
            assertNotNull(again);
            assertNotNull(other);
            assertNotSame(again, other, "the element was not put on the free list twice");
            again.free();
            other.free();
        }
    }

    @Test
    @DisplayName("§4.9: freeing an NBL while it is SENT is NBL_FREE_IN_FLIGHT; it frees once it is back")
    void freeWhileInFlight() {
        NetBufferList nbl = packet();
        nbl.handOff(OwnerState.SENT, "miniport");

        RuleViolation thrown = assertThrows(RuleViolation.class, nbl::free);

        assertEquals(BufferRule.NBL_FREE_IN_FLIGHT, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        assertNull(violation.bugcheck(), "Windows has no bugcheck of its own for it: the pool is corrupted");
        assertTrue(violation.detail().contains("while it is SENT"), violation.detail());
        assertTrue(nbl.isAllocated(), "refused");
        assertEquals(OwnerState.SENT, nbl.ownerState());
        nbl.handOff(OwnerState.OWNED, null);
        nbl.free();
        assertFalse(nbl.isAllocated());
    }

    @Test
    @DisplayName("§4.8/§5.2: NdisFreeNetBufferList on a clone is NBL_WRONG_FREE_FUNCTION; the clone stays")
    void ndisFreeOfClone() {
        NetBufferList original = packet();
        NetBufferList clone = clone(original, 0);

        RuleViolation thrown = assertThrows(RuleViolation.class, clone::free);

        assertEquals(BufferRule.NBL_WRONG_FREE_FUNCTION, thrown.rule());
        assertNull(thrown.rule().bugcheck(0));
        assertTrue(clone.isAllocated());
        assertEquals(1, ndis.defaultNetBufferListPool().outstanding());
        clone.freeClone(0);
        assertEquals(0, ndis.defaultNetBufferListPool().outstanding());
        original.free();
    }

    @Test
    @DisplayName("§4.8/§5.2: NdisFreeCloneNetBufferList on a pool NBL is NBL_WRONG_FREE_FUNCTION; it stays")
    void cloneFreeOfPoolNbl() {
        NetBufferList nbl = packet();

        RuleViolation thrown = assertThrows(RuleViolation.class, () -> nbl.freeClone(0));

        assertEquals(BufferRule.NBL_WRONG_FREE_FUNCTION, thrown.rule());
        assertTrue(nbl.isAllocated());
        assertEquals(1, pool.outstanding());
        nbl.free();
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§5.1: freeing a parent whose ChildRefCount is not 0 is NBL_FREE_WITH_CHILDREN; refused")
    void freeParentWithLiveChildren() {
        NetBufferList parent = packet();
        NetBufferList child = clone(parent, 0);
        child.setParent(parent);
        parent.incrementChildRefCount();

        RuleViolation thrown = assertThrows(RuleViolation.class, parent::free);

        assertEquals(BufferRule.NBL_FREE_WITH_CHILDREN, thrown.rule());
        assertEquals("ndis-buffers §5.1", thrown.rule().section());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        assertTrue(violation.detail().contains("ChildRefCount 1"), violation.detail());
        assertTrue(parent.isAllocated(), "refused");
        assertEquals(1, parent.childRefCount());

        child.freeClone(0);
        assertEquals(0, parent.decrementChildRefCount());
        parent.free();
        assertFalse(parent.isAllocated());
    }

    @Test
    @DisplayName("§5.1: NDIS itself does not check ChildRefCount: with the verifier OFF the free goes through")
    void freeParentWithChildrenUncheckedWhenOff() {
        try (Ndis off = verification.create(VerifierSettings.off())) {
            NetBufferListPool offPool = dataPool(off, TAG);
            NetBufferList parent = offPool.allocateNetBufferList(0, 0);
            assertNotNull(parent);
            parent.incrementChildRefCount();
            parent.free();
            assertFalse(parent.isAllocated());
            assertTrue(off.verifier().violations().isEmpty());
        }
    }

    @Test
    @DisplayName("§5.2: FreeCloneFlags other than the AllocateCloneFlags is CLONE_FLAGS_MISMATCH; the clone stays")
    void cloneFlagsMismatch() {
        NetBufferList original = packet();
        NetBufferList clone = clone(original, CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);

        RuleViolation thrown = assertThrows(RuleViolation.class, () -> clone.freeClone(0));

        assertEquals(BufferRule.CLONE_FLAGS_MISMATCH, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        assertEquals("allocated with 0x2, freed with 0x0", violation.detail());
        assertTrue(clone.isAllocated(), "the original's MDLs were not freed");
        assertEquals(16, first(original).toByteArray().length, "the original still has its data");
        clone.freeClone(CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        assertFalse(clone.isAllocated());
        original.free();
    }
}
