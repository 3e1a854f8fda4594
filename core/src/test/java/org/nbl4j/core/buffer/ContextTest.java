package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.diff;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.LeaksOnPurpose;
import org.nbl4j.junit.NdisVerifierExtension;

/** The NET_BUFFER_LIST_CONTEXT stack (§4.5). */
class ContextTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag POOL_TAG = PoolTag.of("CxPl");
    private static final PoolTag CTX = PoolTag.of("Ctx1");

    private final Ndis ndis = verification.create(VerifierSettings.full());

    private NetBufferList nbl(int poolContextSize) {
        NetBufferListPool pool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, poolContextSize, POOL_TAG, 0));
        assertNotNull(pool);
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return nbl;
    }

    @Test
    @DisplayName("§4.5: the first push allocates a block of size+backFill with Offset = backFill, tagged as asked")
    void firstPushAllocatesABlock() {
        NetBufferList nbl = nbl(0);
        assertNull(nbl.context());

        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(16, 8, CTX));

        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertEquals(24, top.size());
        assertEquals(8, top.offset());
        assertNull(top.next());
        assertEquals(8, nbl.contextDataStart());
        assertEquals(1, diff(ndis, CTX));
        assertEquals(16 + 24, Packets.bytesInUse(ndis, CTX), "16-byte header + ContextData");
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5/§12.6: CONTEXT_DATA_SIZE returns the whole top block (Size), not the used size")
    void contextDataSizeIsWholeBlock() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(16, 32, CTX);
        assertEquals(48, nbl.contextDataSize());
        assertEquals(16, nbl.contextUsedSize());
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5/§8: sizes not a multiple of 8 → NDIS_STATUS_INVALID_DATA (0xC0010015), nothing pushed")
    void misalignedSizes() {
        NetBufferList nbl = nbl(0);
        assertEquals(0xC0010015, nbl.allocateContext(12, 0, CTX));
        assertEquals(NtStatus.NDIS_STATUS_INVALID_DATA, nbl.allocateContext(16, 4, CTX));
        assertNull(nbl.context());
        assertEquals(0, diff(ndis, CTX));
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: size 0 is a no-op returning SUCCESS, checked before the multiple-of-8 test")
    void sizeZeroIsNoOp() {
        NetBufferList nbl = nbl(0);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(0, 3, CTX));
        assertNull(nbl.context());
        assertEquals(0, diff(ndis, CTX));
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: a push that fits the top block's unused space takes it, allocating nothing")
    void pushIntoTopBlock() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(16, 8, CTX);
        NetBufferListContext block = nbl.context();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(8, 0, CTX));
        assertSame(block, nbl.context());
        assertEquals(0, nbl.contextDataStart());
        assertEquals(24, nbl.contextUsedSize());
        assertEquals(1, diff(ndis, CTX));
        nbl.freeContext(8);
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: a push that does not fit stacks a new block on top")
    void pushStacksNewBlock() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(16, 0, CTX);
        NetBufferListContext lower = nbl.context();
        nbl.allocateContext(8, 8, CTX);
        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertSame(lower, top.next());
        assertEquals(16, top.size());
        assertEquals(8, top.offset());
        assertEquals(2, diff(ndis, CTX));
        nbl.freeContext(8);
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: an emptied block is kept as the spare (slot 28) and reused by the next push that fits")
    void spareBlockIsReused() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(16, 0, CTX);
        NetBufferListContext lower = nbl.context();
        nbl.allocateContext(16, 8, CTX);
        NetBufferListContext upper = nbl.context();
        long allocs = ndis.poolUsage().usage(CTX).orElseThrow().allocs();

        nbl.freeContext(16);
        assertSame(lower, nbl.context(), "emptied block left the stack");
        assertEquals(2, diff(ndis, CTX), "but was not freed: it is the spare");

        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(24, 0, CTX));
        assertSame(upper, nbl.context(), "spare of size 24 reused for a 24-byte push");
        assertSame(lower, upper.next());
        assertEquals(0, upper.offset());
        assertEquals(allocs, ndis.poolUsage().usage(CTX).orElseThrow().allocs(), "no new allocation");
        nbl.freeContext(24);
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: a spare too small for the push is not used; a new block is allocated")
    void spareTooSmall() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(8, 0, CTX);
        NetBufferListContext small = nbl.context();
        nbl.freeContext(8);
        assertNull(nbl.context());
        nbl.allocateContext(16, 0, CTX);
        NetBufferListContext top = nbl.context();
        assertNotNull(top);
        assertTrue(top != small);
        assertEquals(16, top.size());
        assertEquals(2, diff(ndis, CTX));
        nbl.freeContext(16);
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: a pop larger than the top block's used part spills into the block below")
    void popSpillsAcrossBlocks() {
        NetBufferList nbl = nbl(0);
        nbl.allocateContext(24, 0, CTX); // lower: size 24, all used
        NetBufferListContext lower = nbl.context();
        nbl.allocateContext(16, 0, CTX); // upper: size 16, all used
        assertNotNull(lower);

        nbl.freeContext(24); // 16 from the upper block, 8 spill into the lower

        assertSame(lower, nbl.context());
        assertEquals(8, lower.offset());
        assertEquals(16, nbl.contextUsedSize());
        nbl.freeContext(16);
        assertNull(nbl.context());
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: the pool-preallocated block is never popped, even when emptied")
    void preallocatedBlockNeverPopped() {
        NetBufferList nbl = nbl(32);
        NetBufferListContext preallocated = nbl.context();
        assertNotNull(preallocated);
        assertTrue(preallocated.isPoolPreallocated());
        assertEquals(32, preallocated.offset());

        nbl.allocateContext(16, 0, CTX);
        assertSame(preallocated, nbl.context(), "push taken from the preallocated block");
        assertEquals(16, preallocated.offset());
        assertEquals(0, diff(ndis, CTX));

        nbl.freeContext(16);
        assertSame(preallocated, nbl.context());
        assertEquals(32, preallocated.offset());
        nbl.free();
    }

    @Test
    @DisplayName("§4.5: popping more than was pushed is a RuleViolation (NDIS would corrupt Offset > Size)")
    void overRelease() {
        NetBufferList nbl = nbl(32);
        nbl.allocateContext(16, 0, CTX);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> nbl.freeContext(24));
        assertEquals(BufferRule.CONTEXT_OVER_RELEASE, violation.rule());
        assertEquals(16, nbl.contextUsedSize(), "nothing popped");
        nbl.freeContext(16);
        assertEquals(
                BufferRule.CONTEXT_OVER_RELEASE,
                assertThrows(RuleViolation.class, () -> nbl.freeContext(8)).rule());
        nbl.free();
    }

    @Test
    @DisplayName("§4.5/§4.8: NdisFreeNetBufferList frees the allocation call's context; later pushes leak")
    @LeaksOnPurpose
    void laterPushesLeakAtFree() {
        NetBufferListPool pool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, POOL_TAG, 0));
        assertNotNull(pool);
        NetBufferList nbl = pool.allocateNetBufferList(16, 0); // context by the allocation call: flag 0x400
        assertNotNull(nbl);
        assertEquals(0x400, nbl.flags() & 0x400);
        PoolTag later = PoolTag.of("Late");
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(32, 0, later));
        assertEquals(2, diff(ndis, POOL_TAG), "NBL + its allocation context");
        assertEquals(1, diff(ndis, later));

        nbl.free();

        assertEquals(0, diff(ndis, POOL_TAG), "the allocation's context went with the NBL");
        assertEquals(1, diff(ndis, later), "the later push leaked: visible in poolmon");
        assertEquals(16 + 32, Packets.bytesInUse(ndis, later));
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§4.5: popping the later push before the free leaves nothing behind")
    void poppedPushDoesNotLeak() {
        NetBufferList nbl = nbl(0);
        PoolTag later = PoolTag.of("Late");
        nbl.allocateContext(32, 0, later);
        nbl.freeContext(32);
        nbl.free();
        assertEquals(0, diff(ndis, later), "the spare block is released with the NBL");
    }
}
