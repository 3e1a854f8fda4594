package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.nbl4j.core.buffer.Packets.byteCounts;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.diff;
import static org.nbl4j.core.buffer.Packets.seq;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NdisAllocateReassembledNetBufferList / NdisFreeReassembledNetBufferList (§5.4). */
class ReassembledTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferListPool nblPool =
            ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("RaNl"), 0));
    private final NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("RaNb"), 0));

    /** Three fragments as an IP reassembler sees them: 10, 2 and 8 bytes, each with a 3-byte "header". */
    private NetBufferList fragments() {
        return Packets.nblOf(nblPool, nbPool, chain(ndis, 0x10, 4, 6), chain(ndis, 0x30, 2), chain(ndis, 0x50, 8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    @DisplayName("§5.4: one NBL with ONE NB concatenating every source NB's bytes after StartOffset, no copy")
    void concatenatesAfterStartOffset() {
        NetBufferList source = fragments();

        NetBufferList whole = source.allocateReassembled(null, 3, 0, 0, 0);

        assertNotNull(whole);
        NetBuffer nb = whole.firstNetBuffer();
        assertNotNull(nb);
        assertNull(nb.next(), "exactly one NB");
        assertEquals(NetBufferListKind.REASSEMBLED, whole.kind());
        // NB 2 has 2 bytes, <= StartOffset 3: contributes nothing
        assertArrayEquals(concat(seq(0x13, 7), seq(0x53, 5)), nb.toByteArray());
        assertArrayEquals(new int[] {1, 6, 5}, byteCounts(nb.mdlChain()), "partial MDLs per source segment");
        for (Mdl mdl : Packets.mdls(nb.mdlChain())) {
            assertEquals(MdlOrigin.REASSEMBLY_PARTIAL, mdl.origin());
        }
        assertEquals(0, nb.dataOffset());
        nb.checkInvariants();

        source.firstNetBuffer().write(3, Packets.bytes(0xEE));
        assertEquals((byte) 0xEE, nb.toByteArray()[0], "bytes are shared with the source");

        whole.freeReassembled(0, 0);
        Packets.freeNblAndChains(ndis, source);
    }

    @Test
    @DisplayName("§5.4: the result is retreated by DataOffsetDelta (backfill allocated as headroom)")
    void retreatedByDelta() {
        NetBufferList source = fragments();

        NetBufferList whole = source.allocateReassembled(null, 0, 20, 12, 0);

        assertNotNull(whole);
        NetBuffer nb = whole.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(20 + 20, nb.dataLength());
        assertEquals(12, nb.dataOffset());
        Mdl header = nb.mdlChain();
        assertNotNull(header);
        assertEquals(32, header.byteCount());
        assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, header.origin());
        byte[] data = nb.toByteArray();
        assertArrayEquals(concat(seq(0x10, 10), seq(0x30, 2), seq(0x50, 8)), Arrays.copyOfRange(data, 20, 40));
        assertNull(whole.context(), "no context");

        whole.freeReassembled(20, 0);
        assertEquals(0, diff(ndis, Ndis.RETREAT_TAG));
        Packets.freeNblAndChains(ndis, source);
    }

    @Test
    @DisplayName("§5.4: the pool must allocate an NB per NBL and have no data, else NULL")
    void poolMustHaveNbWithoutData() {
        NetBufferList source = fragments();
        NetBufferListPool bare =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("RaBr"), 0));
        NetBufferListPool data =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("RaDp"), 128));
        assertNotNull(bare);
        assertNotNull(data);
        assertNull(source.allocateReassembled(bare, 0, 0, 0, 0));
        assertNull(source.allocateReassembled(data, 0, 0, 0, 0));

        NetBufferList whole = source.allocateReassembled(nblPool, 0, 0, 0, 0);
        assertNotNull(whole);
        assertSame(nblPool, whole.pool());
        whole.freeReassembled(0, 0);
        Packets.freeNblAndChains(ndis, source);
    }

    @Test
    @DisplayName("§5.4: nothing after StartOffset in any NB → NULL")
    void nothingToReassemble() {
        NetBufferList source = fragments();
        assertNull(source.allocateReassembled(null, 10, 0, 0, 0));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        Packets.freeNblAndChains(ndis, source);
    }

    @Test
    @DisplayName("§5.4: Flags must be 0; free needs the same DataOffsetDelta and the reassembly free function")
    void rules() {
        NetBufferList source = fragments();
        assertEquals(
                BufferRule.FRAGMENT_FLAGS_NOT_ZERO,
                assertThrows(RuleViolation.class, () -> source.allocateReassembled(null, 0, 0, 0, 1))
                        .rule());
        NetBufferList whole = source.allocateReassembled(null, 0, 8, 0, 0);
        assertNotNull(whole);
        assertEquals(
                BufferRule.FRAGMENT_DELTA_MISMATCH,
                assertThrows(RuleViolation.class, () -> whole.freeReassembled(0, 0))
                        .rule());
        assertEquals(
                BufferRule.FRAGMENT_FLAGS_NOT_ZERO,
                assertThrows(RuleViolation.class, () -> whole.freeReassembled(8, 1))
                        .rule());
        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, whole::free).rule());
        assertEquals(
                BufferRule.NBL_WRONG_FREE_FUNCTION,
                assertThrows(RuleViolation.class, () -> whole.freeFragment(8, 0))
                        .rule());

        long descriptorsBefore = diff(ndis, MdlPool.MDL_TAG);
        whole.freeReassembled(8, 0);
        assertEquals(descriptorsBefore - 5, diff(ndis, MdlPool.MDL_TAG), "4 partial MDLs + the header MDL");
        assertEquals(0, diff(ndis, Ndis.RETREAT_TAG));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        Packets.freeNblAndChains(ndis, source);
    }
}
