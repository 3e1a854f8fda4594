package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.chain;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * The rules the pool DDIs check before they hand anything out: a freed pool's handle is invalid whatever else is wrong
 * with the call (§4.6), the offsets of {@code NdisAllocateNetBufferAndNetBufferList} must fit the MDL chain (I1, §3.2),
 * and the allocation functions run at IRQL <= DISPATCH_LEVEL (§6.11).
 */
class PoolRulesTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("PlRu");

    private final Ndis ndis = verification.create(VerifierSettings.full());

    private static void refused(Rule rule, Executable ddi) {
        RuleViolation thrown = assertThrows(RuleViolation.class, ddi);
        assertEquals(rule, thrown.rule(), thrown::getMessage);
    }

    @Test
    @DisplayName("§4.6: NdisAllocateNetBufferList on a freed pool is refused even when its context size is invalid")
    void freedNblPoolWithInvalidContext() {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        assertNotNull(pool);
        pool.close();

        // A size that is no multiple of 8 answers null on an open pool; the freed handle is the first error.
        refused(BufferRule.POOL_USED_AFTER_FREE, () -> pool.allocateNetBufferList(3, 0));
    }

    @Test
    @DisplayName("§4.6: NdisAllocateNetBufferMdlAndData on a freed NB pool without data is refused, not null")
    void freedNbPoolAllocatingData() {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 0));
        assertNotNull(pool);
        pool.close();

        refused(BufferRule.POOL_USED_AFTER_FREE, pool::allocateNetBufferMdlAndData);
    }

    @Test
    @DisplayName("§4.6: NdisAllocateNetBuffer on a freed data pool is refused, not null")
    void freedDataPoolAllocatingOverMdls() {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 64));
        assertNotNull(pool);
        pool.close();

        refused(BufferRule.POOL_USED_AFTER_FREE, () -> pool.allocateNetBuffer(null, 0, 0));
    }

    @Test
    @DisplayName("§3.2 I1: NdisAllocateNetBufferAndNetBufferList with data beyond the MDL chain is refused")
    void offsetsBeyondTheChain() {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        assertNotNull(pool);
        Mdl head = chain(ndis, 0, 10, 10);

        refused(BufferRule.NB_INVARIANT, () -> pool.allocateNetBufferAndNetBufferList(0, 0, head, 10, 11));

        assertEquals(0, pool.outstanding());
        NetBufferList fits = pool.allocateNetBufferAndNetBufferList(0, 0, head, 10, 10);
        assertNotNull(fits, "the last byte of the chain is in range");
        fits.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§3.2 I1: an MDL shortened under an NB (NdisAdjustMdlLength) makes a copy of its data a violation")
    void chainShortenedUnderTheNetBuffer() {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        assertNotNull(pool);
        Mdl head = chain(ndis, 0, 10, 10);
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 20);
        assertNotNull(nbl);
        Mdl second = head.next();
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(second);
        assertNotNull(nb);
        second.adjustLength(4);
        MemorySegment target = MemorySegment.ofArray(new byte[20]);

        RuleViolation thrown = assertThrows(RuleViolation.class, () -> nb.copyTo(0, target, 0, 20));

        assertEquals(BufferRule.NB_INVARIANT, thrown.rule());
        assertTrue(thrown.getMessage().contains("ends 6 bytes before the used data"), thrown.getMessage());
        second.adjustLength(10);
        nbl.free();
        Packets.freeChain(ndis, head);
    }

    @Test
    @DisplayName("§6.11: NdisAllocateNetBufferList and NdisAllocateNetBufferAndNetBufferList above DISPATCH_LEVEL")
    @ViolatesOnPurpose
    void allocationAboveDispatch() {
        Ndis collecting = verification.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
        NetBufferListPool pool =
                collecting.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        assertNotNull(pool);
        Mdl head = chain(collecting, 0, 10);
        NetBufferList[] allocated = new NetBufferList[2];

        Irql.runAt(Irql.HIGH_LEVEL, () -> {
            allocated[0] = pool.allocateNetBufferList(0, 0);
            allocated[1] = pool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 10);
        });

        assertNull(allocated[0]);
        assertNull(allocated[1]);
        assertEquals(0, pool.outstanding());
        assertEquals(
                List.of(BufferRule.IRQL_TOO_HIGH, BufferRule.IRQL_TOO_HIGH),
                collecting.verifier().violations().stream().map(Violation::rule).toList());
        // Each DDI names itself: the second must not be refused only by the NdisAllocateNetBufferList it calls.
        assertEquals(
                List.of("NdisAllocateNetBufferList", "NdisAllocateNetBufferAndNetBufferList"),
                collecting.verifier().violations().stream()
                        .map(violation -> violation
                                .detail()
                                .substring(0, violation.detail().indexOf(' ')))
                        .toList());
        Packets.freeChain(collecting, head);
    }
}
