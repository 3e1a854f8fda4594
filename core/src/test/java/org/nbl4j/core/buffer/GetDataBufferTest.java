package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.freeNb;
import static org.nbl4j.core.buffer.Packets.seq;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

class GetDataBufferTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("GdNb"), 0));

    private NetBuffer nb(Mdl chain, int dataOffset, int dataLength) {
        NetBuffer nb = pool.allocateNetBuffer(chain, dataOffset, dataLength);
        assertNotNull(nb);
        return nb;
    }

    /** One MDL over a 64-byte-aligned buffer holding bytes 0, 1, 2, ... so addresses are predictable. */
    private Mdl alignedMdl(int length) {
        MemorySegment buffer = Packets.buffer(length, 64);
        for (int i = 0; i < length; i++) {
            buffer.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        return ndis.allocateMdl(buffer, length);
    }

    private static byte[] bytesOf(MemorySegment segment, int count) {
        byte[] out = new byte[count];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 0, out, 0, count);
        return out;
    }

    private static void assertNbUnchanged(NetBuffer nb, Mdl currentMdl, int currentMdlOffset, int offset, int length) {
        assertSame(currentMdl, nb.currentMdl());
        assertEquals(currentMdlOffset, nb.currentMdlOffset());
        assertEquals(offset, nb.dataOffset());
        assertEquals(length, nb.dataLength());
    }

    @Test
    @DisplayName("§3.7: contiguous and aligned → a view into the packet; writing through it edits the packet")
    void directViewAliasesThePacket() {
        Mdl mdl = alignedMdl(32);
        NetBuffer nb = nb(mdl, 8, 16);
        MemorySegment storage = Packets.buffer(16, 8);

        MemorySegment view = nb.getDataBuffer(16, storage, 8, 0);

        assertNotNull(view);
        assertNotSame(storage, view, "fast path never uses Storage");
        assertEquals(16, view.byteSize());
        assertEquals(mdl.virtualAddress() + 8, view.address());
        assertArrayEquals(seq(8, 16), bytesOf(view, 16));
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x77);
        assertEquals((byte) 0x77, nb.toByteArray()[0], "the write reached the packet");
        assertNbUnchanged(nb, mdl, 8, 8, 16);
        freeNb(ndis, nb, mdl);
    }

    @Test
    @DisplayName("§3.7: data split across MDLs is copied into Storage and Storage itself is returned")
    void splitDataIsCopied() {
        Mdl head = chain(ndis, 0x10, 4, 12);
        NetBuffer nb = nb(head, 0, 16);
        MemorySegment storage = Packets.buffer(8, 8);

        MemorySegment result = nb.getDataBuffer(8, storage, 1, 0);

        assertSame(storage, result);
        assertArrayEquals(seq(0x10, 8), bytesOf(storage, 8));
        storage.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x55);
        assertEquals((byte) 0x10, nb.toByteArray()[0], "writes to Storage do not reach the packet");
        assertNbUnchanged(nb, head, 0, 0, 16);
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§2.2/§3.7: the copy path skips zero-length MDLs")
    void copySkipsZeroLengthMdls() {
        Mdl head = chain(ndis, 0x10, 3, 0, 0, 9);
        NetBuffer nb = nb(head, 1, 10);
        MemorySegment storage = Packets.buffer(6, 8);
        assertSame(storage, nb.getDataBuffer(6, storage, 1, 0));
        assertArrayEquals(seq(0x11, 6), bytesOf(storage, 6));
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.7: contiguous but misaligned data is copied into Storage")
    void misalignedDataIsCopied() {
        Mdl mdl = alignedMdl(32);
        NetBuffer nb = nb(mdl, 1, 16); // data at 64-aligned address + 1
        MemorySegment storage = Packets.buffer(8, 8);

        assertSame(storage, nb.getDataBuffer(8, storage, 4, 0));
        assertArrayEquals(seq(1, 8), bytesOf(storage, 8));
        assertNull(nb.getDataBuffer(8, null, 4, 0), "misaligned and no Storage → NULL");

        // the same data asked for with AlignOffset 1 is aligned: direct view
        MemorySegment view = nb.getDataBuffer(8, storage, 4, 1);
        assertNotNull(view);
        assertNotSame(storage, view);
        assertEquals(mdl.virtualAddress() + 1, view.address());
        freeNb(ndis, nb, mdl);
    }

    @Test
    @DisplayName("§3.7: with AlignMultiple 1 only AlignOffset 0 is valid, and it always takes the fast path")
    void alignMultipleOne() {
        Mdl mdl = alignedMdl(32);
        NetBuffer nb = nb(mdl, 3, 16);
        MemorySegment view = nb.getDataBuffer(4, null, 1, 0);
        assertNotNull(view);
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 1, 1));
        freeNb(ndis, nb, mdl);
    }

    @Test
    @DisplayName(
            "§3.7: AlignMultiple ∈ {1,2,4,…,8192}, 0 <= AlignOffset < AlignMultiple, else IllegalArgumentException")
    void invalidAlignmentArguments() {
        Mdl mdl = alignedMdl(32);
        NetBuffer nb = nb(mdl, 0, 16);
        Mdl pageMdl = ndis.allocateMdl(Packets.buffer(8192, 8192), 16);
        NetBuffer pageAligned = nb(pageMdl, 0, 16);
        assertNotNull(pageAligned.getDataBuffer(4, null, 8192, 0), "8192 is the largest AlignMultiple");
        assertNull(pageAligned.getDataBuffer(4, null, 8192, 1));
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 16384, 0));
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> nb.getDataBuffer(4, null, 4, -1));
        freeNb(ndis, nb, mdl);
        freeNb(ndis, pageAligned, pageMdl);
    }

    @Test
    @DisplayName("§3.7: NULL for BytesNeeded 0, BytesNeeded > DataLength (even with Storage), or no CurrentMdl")
    void nullCases() {
        Mdl mdl = alignedMdl(32);
        NetBuffer nb = nb(mdl, 0, 10);
        MemorySegment storage = Packets.buffer(32, 8);
        assertNull(nb.getDataBuffer(0, storage, 1, 0));
        assertNull(nb.getDataBuffer(11, storage, 1, 0), "the MDL has 32 bytes, but DataLength is 10");
        assertNotNull(nb.getDataBuffer(10, storage, 1, 0));

        NetBuffer empty = nb(null, 0, 0);
        assertNull(empty.getDataBuffer(1, storage, 1, 0));
        freeNb(ndis, nb, mdl);
        empty.free();
    }

    @Test
    @DisplayName(
            "§3.7: no normalization on the fast path — a cursor at the END of an MDL needs Storage even for contiguous data")
    void denormalCursorNeedsStorage() {
        Mdl head = chain(ndis, 0x10, 4, 12);
        NetBuffer nb = nb(head, 4, 12); // normal form: second MDL, offset 0
        assertNotNull(nb.getDataBuffer(8, null, 1, 0));

        // the same data start expressed denormally: first MDL, offset == its ByteCount (legal per §3.2 I3)
        nb.setCurrentMdl(head);
        nb.setCurrentMdlOffset(4);
        nb.checkInvariants();
        assertNull(nb.getDataBuffer(8, null, 1, 0));
        MemorySegment storage = Packets.buffer(8, 8);
        assertSame(storage, nb.getDataBuffer(8, storage, 1, 0), "the copy path normalizes");
        assertArrayEquals(seq(0x14, 8), bytesOf(storage, 8));
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.9 NdisQueryNetBufferPhysicalCount: pages spanned by the used data, summed over its MDLs")
    void physicalCount() {
        MemorySegment pages = Packets.buffer(3 * Mdl.PAGE_SIZE, Mdl.PAGE_SIZE);
        Mdl first = ndis.allocateMdl(pages, 2 * Mdl.PAGE_SIZE);
        Mdl second = ndis.allocateMdl(pages.asSlice(2 * Mdl.PAGE_SIZE), 100);
        first.setNext(second);
        assertEquals(1, physicalCount(first, 0, 100));
        assertEquals(2, physicalCount(first, 4000, 200), "crosses one page boundary");
        assertEquals(3, physicalCount(first, 4000, 4196 + 50), "two pages of MDL 1 + one of MDL 2");
        assertEquals(1, physicalCount(first, 2 * Mdl.PAGE_SIZE, 100), "headroom pages do not count");
        assertEquals(0, physicalCount(first, 10, 0));
        Packets.freeChain(ndis, first);
    }

    /** NdisQueryNetBufferPhysicalCount of a fresh NB over {@code chain}, freed again. */
    private int physicalCount(Mdl chain, int dataOffset, int dataLength) {
        NetBuffer nb = nb(chain, dataOffset, dataLength);
        int count = nb.physicalCount();
        nb.free();
        return count;
    }

    @Test
    @DisplayName("§3.7: split data and no Storage → NULL")
    void splitWithoutStorage() {
        Mdl head = chain(ndis, 0, 4, 12);
        NetBuffer nb = nb(head, 2, 14);
        assertNull(nb.getDataBuffer(3, null, 1, 0));
        assertNotNull(nb.getDataBuffer(2, null, 1, 0), "the first 2 bytes are contiguous");
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.7: a fresh data-pool NB (all headroom, DataLength 0) has no data to return")
    void freshDataPoolNb() {
        NetBufferPool dataPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("GdDp"), 64));
        assertNotNull(dataPool);
        NetBuffer nb = dataPool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        assertNull(nb.getDataBuffer(1, Packets.buffer(8, 8), 1, 0));
        nb.retreat(8, 0, null);
        MemorySegment view = nb.getDataBuffer(8, null, 8, 0);
        assertNotNull(view, "data at offset 56 of a 16-aligned buffer is 8-aligned and contiguous");
        nb.free();
    }
}
