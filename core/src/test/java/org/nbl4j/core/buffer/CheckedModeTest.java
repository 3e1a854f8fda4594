package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.chain;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** Use-after-free detection: verification.createChecked(VerifierSettings.full()) and the pools' VERIFY flag (§3.10, §4.6, §4.10, §9). */
class CheckedModeTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("CkPl");

    private final Ndis checked = verification.createChecked(VerifierSettings.full());
    private final Ndis unchecked = verification.create(VerifierSettings.full());

    private static NetBufferListPool nblPool(Ndis ndis, NetBufferListPoolParameters parameters) {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(parameters);
        assertNotNull(pool);
        return pool;
    }

    @Test
    @DisplayName("§4.10 checked mode: using a freed NBL is a RuleViolation USE_AFTER_FREE")
    void freedNblUse() {
        assertTrue(checked.checked());
        NetBufferListPool pool = nblPool(checked, NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        nbl.free();

        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nbl.allocateContext(8, 0, TAG))
                        .rule());
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nbl.retreat(4, 0, null, null))
                        .rule());
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nbl.advance(0, false, null))
                        .rule());
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nbl.allocateClone(null, null, 0))
                        .rule());
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nbl.freeContext(0)).rule());
    }

    @Test
    @DisplayName("checked mode: the embedded NB of a freed NBL is dead too")
    void embeddedNbOfFreedNbl() {
        NetBufferListPool pool = nblPool(checked, NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        Mdl head = chain(checked, 0, 16);
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, head, 0, 16);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        nbl.free();
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, nb::toByteArray).rule());
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nb.getDataBuffer(4, null, 1, 0))
                        .rule());
        Packets.freeChain(checked, head);
    }

    @Test
    @DisplayName("checked mode: freed NBLs are not recycled")
    void checkedDoesNotRecycle() {
        NetBufferListPool pool = nblPool(checked, NetBufferListPoolParameters.of(0, true, 0, TAG, 0));
        NetBufferList first = pool.allocateNetBufferList(0, 0);
        assertNotNull(first);
        first.free();
        NetBufferList second = pool.allocateNetBufferList(0, 0);
        assertNotSame(first, second);
        assertEquals(1, pool.outstanding());
        assertNotNull(second);
        second.free();
    }

    @Test
    @DisplayName("checked mode: a freed data-pool NB's memory is unmapped: access throws IllegalStateException")
    void freedDataPoolNbMemory() {
        NetBufferPool pool = checked.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 128));
        assertNotNull(pool);
        NetBuffer nb = pool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl data = nb.mdlChain();
        assertNotNull(data);
        data.memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);

        nb.free();

        assertThrows(IllegalStateException.class, () -> data.memory().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> nb.retreat(4, 0, null)).rule());
    }

    @Test
    @DisplayName("checked mode: memory from NdisAllocateMemoryWithTagPriority is unmapped by NdisFreeMemory")
    void freedMemoryBlock() {
        MemoryBlock block = checked.allocateMemoryWithTag(64, TAG);
        assertNotNull(block);
        checked.freeMemory(block);
        assertThrows(IllegalStateException.class, () -> block.segment().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    @DisplayName("§4.6/§9: NBL pool revision 2 with VERIFY (0x1): a freed data-pool NBL's memory access throws")
    void nblPoolVerifyFlag() {
        NetBufferListPoolParameters parameters = NetBufferListPoolParameters.of(0, true, 0, TAG, 256)
                .withFlags(NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_FLAG_VERIFY);
        NetBufferListPool pool = nblPool(unchecked, parameters);
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        Mdl data = nb.mdlChain();
        assertNotNull(data);
        assertEquals(0, nb.retreat(8, 0, null), "claim 8 bytes so that toByteArray has something to read");

        nbl.free();

        assertThrows(IllegalStateException.class, () -> data.memory().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, nb::toByteArray, "the verifier sees the freed NBL first")
                        .rule());
        NetBufferList next = pool.allocateNetBufferList(0, 0);
        assertNotSame(nbl, next, "freed elements are not recycled");
        assertNotNull(next);
        next.free();
    }

    @Test
    @DisplayName("§3.10: NB pool revision 2 with VERIFY (0x1): a freed data-pool NB's memory access throws")
    void nbPoolVerifyFlag() {
        NetBufferPoolParameters parameters = new NetBufferPoolParameters(
                new NdisObjectHeader(0x80, 2, 16), TAG, 64, NetBufferPoolParameters.NET_BUFFER_POOL_FLAG_VERIFY);
        NetBufferPool pool = unchecked.allocateNetBufferPool(parameters);
        assertNotNull(pool);
        NetBuffer nb = pool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl data = nb.mdlChain();
        assertNotNull(data);
        nb.retreat(8, 0, null);

        nb.free();

        assertThrows(IllegalStateException.class, () -> data.memory().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(
                BufferRule.USE_AFTER_FREE,
                assertThrows(RuleViolation.class, nb::toByteArray).rule());
    }

    @Test
    @DisplayName("without checked mode or VERIFY a freed element is recycled and its stale bytes stay readable")
    void uncheckedRecycles() {
        NetBufferPool pool = unchecked.allocateNetBufferPool(NetBufferPoolParameters.of(TAG, 64));
        assertNotNull(pool);
        NetBuffer nb = pool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl data = nb.mdlChain();
        assertNotNull(data);
        data.memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x42);
        nb.free();
        assertFalse(nb.isAllocated());
        assertEquals((byte) 0x42, data.memory().get(ValueLayout.JAVA_BYTE, 0));
        NetBuffer again = pool.allocateNetBufferMdlAndData();
        assertSame(nb, again);
        assertNotNull(again);
        again.free();
    }

    @Test
    @DisplayName("revision 1 has no Flags field: VERIFY set there is ignored")
    void verifyIgnoredInRevision1() {
        NetBufferPoolParameters parameters = new NetBufferPoolParameters(
                new NdisObjectHeader(0x80, 1, 12), TAG, 64, NetBufferPoolParameters.NET_BUFFER_POOL_FLAG_VERIFY);
        NetBufferPool pool = unchecked.allocateNetBufferPool(parameters);
        assertNotNull(pool);
        NetBuffer nb = pool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl data = nb.mdlChain();
        assertNotNull(data);
        nb.free();
        assertDoesNotThrow(() -> data.memory().get(ValueLayout.JAVA_BYTE, 0), "still mapped");
    }
}
