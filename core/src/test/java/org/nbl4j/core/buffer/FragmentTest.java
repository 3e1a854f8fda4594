package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.byteCounts;
import static org.nbl4j.core.buffer.Packets.chain;
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
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NdisAllocateFragmentNetBufferList / NdisFreeFragmentNetBufferList (§5.3). */
class FragmentTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferListPool nblPool =
            ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("FgNl"), 0));
    private final NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("FgNb"), 0));

    /** Original with two NBs: 10 bytes 0x10.. (in MDLs of 6 and 4) and 7 bytes 0x30.. */
    private NetBufferList twoNbOriginal() {
        return Packets.nblOf(nblPool, nbPool, chain(ndis, 0x10, 6, 4), chain(ndis, 0x30, 7));
    }

    @Test
    @DisplayName("§5.3: MaximumLength 0 → NULL")
    void maximumLengthZero() {
        NetBufferList original = twoNbOriginal();
        assertNull(original.allocateFragment(null, null, 0, 0, 0, 0, 0));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName(
            "§5.3: NULL when no source NB has data after StartOffset (DataLength <= StartOffset contributes nothing)")
    void nothingAfterStartOffset() {
        NetBufferList original = twoNbOriginal();
        assertNull(original.allocateFragment(null, null, 10, 4, 0, 0, 0), "10 >= both DataLengths");
        assertNull(original.allocateFragment(null, null, 50, 4, 0, 0, 0));
        NetBufferList one = original.allocateFragment(null, null, 9, 4, 0, 0, 0);
        assertNotNull(one, "the first NB has 1 byte after offset 9");
        assertEquals(1, Packets.netBuffers(one).size());
        assertArrayEquals(seq(0x19, 1), one.firstNetBuffer().toByteArray());
        one.freeFragment(0, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: fragments of at most MaximumLength, never straddling two source NBs")
    void fragmentsNeverStraddle() {
        NetBufferList original = twoNbOriginal();

        NetBufferList fragments = original.allocateFragment(nblPool, nbPool, 2, 4, 0, 0, 0);

        assertNotNull(fragments);
        List<NetBuffer> nbs = Packets.netBuffers(fragments);
        // NB 1: 8 bytes after offset 2 → 4 + 4; NB 2: 5 bytes after offset 2 → 4 + 1
        assertEquals(
                List.of(4, 4, 4, 1), nbs.stream().map(NetBuffer::dataLength).toList());
        assertArrayEquals(seq(0x12, 4), nbs.get(0).toByteArray());
        assertArrayEquals(seq(0x16, 4), nbs.get(1).toByteArray());
        assertArrayEquals(seq(0x32, 4), nbs.get(2).toByteArray());
        assertArrayEquals(seq(0x36, 1), nbs.get(3).toByteArray());
        // the first fragment covers source MDL bytes 2..5 only; the second starts in the next source MDL
        assertArrayEquals(new int[] {4}, byteCounts(nbs.get(0).mdlChain()));
        assertArrayEquals(new int[] {4}, byteCounts(nbs.get(1).mdlChain()));
        for (NetBuffer nb : nbs) {
            assertEquals(0, nb.dataOffset());
            for (Mdl mdl : Packets.mdls(nb.mdlChain())) {
                assertEquals(MdlOrigin.FRAGMENT_PARTIAL, mdl.origin());
            }
        }
        assertEquals(NetBufferListKind.FRAGMENT, fragments.kind());
        fragments.freeFragment(0, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: a fragment spanning two source MDLs gets one partial MDL per source MDL")
    void fragmentAcrossSourceMdls() {
        NetBufferList original = twoNbOriginal();
        NetBufferList fragments = original.allocateFragment(null, null, 4, 100, 0, 0, 0);
        assertNotNull(fragments);
        NetBuffer first = fragments.firstNetBuffer();
        assertNotNull(first);
        assertArrayEquals(new int[] {2, 4}, byteCounts(first.mdlChain()));
        assertArrayEquals(seq(0x14, 6), first.toByteArray());
        fragments.freeFragment(0, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: every fragment gets DataOffsetDelta bytes of fresh NDIS header space (+ backfill) in front")
    void headerSpaceInFront() {
        NetBufferList original = twoNbOriginal();

        NetBufferList fragments = original.allocateFragment(null, null, 0, 8, 14, 16, 0);

        assertNotNull(fragments);
        List<NetBuffer> nbs = Packets.netBuffers(fragments);
        assertEquals(
                List.of(22, 16, 21), nbs.stream().map(NetBuffer::dataLength).toList());
        for (NetBuffer nb : nbs) {
            Mdl header = nb.mdlChain();
            assertNotNull(header);
            assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, header.origin());
            assertEquals(30, header.byteCount(), "DataBackFill + DataOffsetDelta");
            assertEquals(16, nb.dataOffset(), "DataBackFill stays as headroom");
            assertSame(header, nb.currentMdl());
            assertEquals(16, nb.currentMdlOffset());
            nb.checkInvariants();
        }
        byte[] data = nbs.get(0).toByteArray();
        assertArrayEquals(seq(0x10, 8), Arrays.copyOfRange(data, 14, 22), "payload follows the header space");
        assertEquals(3, diff(ndis, Ndis.RETREAT_TAG));
        assertEquals(3 * 30, Packets.bytesInUse(ndis, Ndis.RETREAT_TAG));

        fragments.freeFragment(14, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: SourceHandle stays NULL (unlike clones); correlation id propagated; other OOB and context not")
    void fieldsOfTheFragmentNbl() {
        NetBufferList original = twoNbOriginal();
        original.setSourceHandle(new Object());
        original.setInfoValue(NetBufferListInfo.NetBufferListCorrelationId, 0x77);
        original.setHashValue(0x1234);
        original.setNblFlags(NblFlags.NDIS_NBL_FLAGS_IS_IPV6);
        original.allocateContext(8, 0, PoolTag.of("FgCx"));

        NetBufferList fragments = original.allocateFragment(null, null, 0, 100, 0, 0, 0);

        assertNotNull(fragments);
        assertNull(fragments.sourceHandle());
        assertEquals(0x77, fragments.infoValue(NetBufferListInfo.NetBufferListCorrelationId));
        assertEquals(0, fragments.hashValue());
        assertEquals(0, fragments.nblFlags());
        assertNull(fragments.context(), "no NBL_CONTEXT is created");
        assertNull(fragments.parent());
        assertEquals(0, original.childRefCount());
        fragments.freeFragment(0, 0);
        original.freeContext(8);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName(
            "§5.3: NdisFreeFragmentNetBufferList releases the header buffers (NDrt), partial MDLs, NBs and the NBL")
    void freeReleasesEverything() {
        NetBufferList original = twoNbOriginal();
        long descriptors = diff(ndis, MdlPool.MDL_TAG);

        NetBufferList fragments = original.allocateFragment(null, null, 0, 3, 20, 8, 0);
        assertNotNull(fragments);
        assertEquals(7, Packets.netBuffers(fragments).size(), "10 → 3+3+3+1, 7 → 3+3+1");
        assertEquals(7, diff(ndis, Ndis.RETREAT_TAG));
        assertEquals(6, diff(ndis, Ndis.DEFAULT_NB_POOL_TAG));
        assertTrue(diff(ndis, MdlPool.MDL_TAG) > descriptors);

        fragments.freeFragment(20, 0);

        assertEquals(0, diff(ndis, Ndis.RETREAT_TAG));
        assertEquals(0, Packets.bytesInUse(ndis, Ndis.RETREAT_TAG));
        assertEquals(descriptors, diff(ndis, MdlPool.MDL_TAG));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NB_POOL_TAG));
        assertEquals(0, diff(ndis, Ndis.DEFAULT_NBL_POOL_TAG));
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName(
            "§5.3: freeing with another DataOffsetDelta than at allocation is a RuleViolation (leak or corruption)")
    void deltaMismatch() {
        NetBufferList original = twoNbOriginal();
        NetBufferList fragments = original.allocateFragment(null, null, 0, 100, 14, 0, 0);
        assertNotNull(fragments);
        assertEquals(
                BufferRule.FRAGMENT_DELTA_MISMATCH,
                assertThrows(RuleViolation.class, () -> fragments.freeFragment(10, 0))
                        .rule());
        assertEquals(
                BufferRule.FRAGMENT_DELTA_MISMATCH,
                assertThrows(RuleViolation.class, () -> fragments.freeFragment(18, 0))
                        .rule());
        assertTrue(fragments.isAllocated());
        assertEquals(2, diff(ndis, Ndis.RETREAT_TAG), "nothing was freed");
        fragments.freeFragment(14, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: AllocateFragmentFlags and FreeFragmentFlags must be 0")
    void flagsMustBeZero() {
        NetBufferList original = twoNbOriginal();
        assertEquals(
                BufferRule.FRAGMENT_FLAGS_NOT_ZERO,
                assertThrows(RuleViolation.class, () -> original.allocateFragment(null, null, 0, 4, 0, 0, 1))
                        .rule());
        NetBufferList fragments = original.allocateFragment(null, null, 0, 4, 0, 0, 0);
        assertNotNull(fragments);
        assertEquals(
                BufferRule.FRAGMENT_FLAGS_NOT_ZERO,
                assertThrows(RuleViolation.class, () -> fragments.freeFragment(0, 2))
                        .rule());
        fragments.freeFragment(0, 0);
        Packets.freeNblAndChains(ndis, original);
    }

    @Test
    @DisplayName("§5.3: fragments share the original's bytes (no copy)")
    void dataIsShared() {
        NetBufferList original = twoNbOriginal();
        NetBufferList fragments = original.allocateFragment(null, null, 0, 100, 0, 0, 0);
        assertNotNull(fragments);
        original.firstNetBuffer().write(0, Packets.bytes(0xAB));
        assertEquals((byte) 0xAB, fragments.firstNetBuffer().toByteArray()[0]);
        fragments.freeFragment(0, 0);
        Packets.freeNblAndChains(ndis, original);
    }
}
