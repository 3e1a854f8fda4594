package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.Packets.byteCounts;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.diff;
import static org.nbl4j.core.buffer.Packets.freeNb;
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

class RetreatAdvanceTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferPool nbPool = pool(0);
    private final Packets.DriverMdls driver = new Packets.DriverMdls(ndis);

    private NetBufferPool pool(int dataSize) {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("RtNb"), dataSize));
        assertNotNull(pool);
        return pool;
    }

    private NetBuffer nb(Mdl chain, int dataOffset, int dataLength) {
        NetBuffer nb = nbPool.allocateNetBuffer(chain, dataOffset, dataLength);
        assertNotNull(nb);
        return nb;
    }

    private long retreatBuffers() {
        return diff(ndis, Ndis.RETREAT_TAG);
    }

    private long mdlDescriptors() {
        return diff(ndis, MdlPool.MDL_TAG);
    }

    // ---- §3.3 retreat ----

    @Test
    @DisplayName("§3.3 fast path: DataOffset >= delta is bookkeeping only, cursor re-walked from the head")
    void retreatFastPath() {
        Mdl head = chain(ndis, 0, 10, 30);
        NetBuffer nb = nb(head, 20, 10);
        long descriptors = mdlDescriptors();

        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(15, 100, null));

        assertEquals(5, nb.dataOffset());
        assertEquals(25, nb.dataLength());
        assertSame(head, nb.currentMdl(), "data start moved back into the first MDL");
        assertEquals(5, nb.currentMdlOffset());
        assertSame(head, nb.mdlChain());
        assertEquals(descriptors, mdlDescriptors(), "no MDL allocated");
        assertEquals(0, retreatBuffers(), "DataBackFill is ignored on the fast path");
        assertArrayEquals(seq(5, 25), nb.toByteArray());
        nb.checkInvariants();
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.3 fast path with delta == DataOffset uses all headroom without allocating")
    void retreatExactlyAllHeadroom() {
        Mdl head = chain(ndis, 0, 16);
        NetBuffer nb = nb(head, 6, 4);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(6, 0, null));
        assertEquals(0, nb.dataOffset());
        assertEquals(10, nb.dataLength());
        assertEquals(0, retreatBuffers());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.3/§12.1 slow path: allocates backFill + delta - DataOffset (NOT delta + backFill) and prepends it")
    void retreatSlowPathAllocationSize() {
        Mdl oldHead = chain(ndis, 0x40, 16);
        NetBuffer nb = nb(oldHead, 6, 10);

        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(10, 32, null));

        Mdl added = nb.mdlChain();
        assertNotNull(added);
        assertEquals(32 + 10 - 6, added.byteCount(), "36 bytes, not 42");
        assertEquals(36, Packets.bytesInUse(ndis, Ndis.RETREAT_TAG));
        assertEquals(1, retreatBuffers());
        assertSame(oldHead, added.next(), "PREPENDED to the whole chain; old MDLs stay");
        assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, added.origin());
        assertEquals(32, nb.dataOffset(), "== DataBackFill");
        assertEquals(20, nb.dataLength());
        assertSame(added, nb.currentMdl());
        assertEquals(32, nb.currentMdlOffset());
        nb.checkInvariants();
        nb.advance(10, true, null); // undoes the retreat: NDIS frees the MDL it added and its NDrt buffer
        freeNb(ndis, nb, oldHead);
    }

    @Test
    @DisplayName(
            "§3.3: old headroom is consumed, not discarded: the new data = last (delta-oldOffset) bytes of the new MDL + old headroom")
    void retreatSlowPathConsumesOldHeadroom() {
        // old chain bytes 0x40.. : 6 bytes headroom (0x40..0x45), then data 0x46..0x4F
        Mdl oldHead = chain(ndis, 0x40, 16);
        NetBuffer nb = nb(oldHead, 6, 10);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(10, 0, null));
        assertEquals(0, nb.dataOffset());
        assertEquals(4, byteCounts(nb.mdlChain())[0], "new MDL holds only the shortfall of 4 bytes");

        // write a 4-byte "header" into the new MDL's bytes: they are the first 4 of the 20-byte data
        nb.write(0, Packets.bytes(0xA0, 0xA1, 0xA2, 0xA3));
        byte[] data = nb.toByteArray();
        assertEquals(20, data.length);
        assertArrayEquals(Packets.bytes(0xA0, 0xA1, 0xA2, 0xA3), Arrays.copyOfRange(data, 0, 4));
        assertArrayEquals(seq(0x40, 6), Arrays.copyOfRange(data, 4, 10), "former headroom bytes");
        assertArrayEquals(seq(0x46, 10), Arrays.copyOfRange(data, 10, 20), "former data");

        // the 10-byte header is therefore NOT contiguous: NdisGetDataBuffer needs Storage
        assertNull(nb.getDataBuffer(10, null, 1, 0));
        nb.advance(10, true, null);
        freeNb(ndis, nb, oldHead);
    }

    @Test
    @DisplayName("§3.3: a custom NetAllocateMdl may grant more; DataOffset becomes backFill + extra granted")
    void retreatWithAllocatorThatGrantsMore() {
        driver.extra = 64;
        Mdl oldHead = chain(ndis, 0, 16);
        NetBuffer nb = nb(oldHead, 6, 10);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(10, 32, driver));

        assertEquals(List.of(36), driver.requestedSizes, "asked for backFill + delta - DataOffset");
        Mdl added = nb.mdlChain();
        assertNotNull(added);
        assertEquals(100, added.byteCount());
        assertEquals(32 + 64, nb.dataOffset());
        assertEquals(96, nb.currentMdlOffset());
        assertEquals(20, nb.dataLength());
        assertEquals(MdlOrigin.CALLER_RETREAT_HANDLER, added.origin());
        assertEquals(0, retreatBuffers(), "NDIS's default allocator was not used");
        nb.checkInvariants();

        nb.advance(10, true, driver);
        assertEquals(List.of(added), driver.freed);
        assertEquals(0, diff(ndis, Packets.DriverMdls.TAG));
        assertEquals(6, nb.dataOffset());
        assertEquals(10, nb.dataLength());
        freeNb(ndis, nb, oldHead);
    }

    @Test
    @DisplayName("§3.3: allocator returning NULL → NDIS_STATUS_RESOURCES (0xC000009A), NB untouched")
    void retreatAllocatorFailure() {
        driver.failOnCall = 0;
        Mdl head = chain(ndis, 0, 16);
        NetBuffer nb = nb(head, 6, 10);
        Mdl cursor = nb.currentMdl();

        int status = nb.retreat(10, 8, driver);

        assertEquals(0xC000009A, status);
        assertEquals(NtStatus.NDIS_STATUS_RESOURCES, status);
        assertSame(head, nb.mdlChain());
        assertSame(cursor, nb.currentMdl());
        assertEquals(6, nb.currentMdlOffset());
        assertEquals(6, nb.dataOffset());
        assertEquals(10, nb.dataLength());
        assertNull(head.next());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.3 contract: the handler's MDL must describe at least the requested size")
    void allocatorGrantingLessIsRejected() {
        Mdl head = chain(ndis, 0, 16);
        NetBuffer nb = nb(head, 0, 16);
        Mdl tooSmall = chain(ndis, 0, 2);
        assertThrows(IllegalStateException.class, () -> nb.retreat(4, 0, size -> tooSmall));
        assertEquals(0, nb.dataOffset());
        assertEquals(16, nb.dataLength());
        assertSame(head, nb.mdlChain(), "the refused MDL was not linked");
        freeNb(ndis, nb, head);
        Packets.freeChain(ndis, tooSmall);
    }

    // ---- §3.4 advance ----

    @Test
    @DisplayName("§3.4 FreeMdl=FALSE keeps every MDL; the cursor walks forward from the current one")
    void advanceWithoutFree() {
        Mdl head = chain(ndis, 0, 10, 10, 10);
        NetBuffer nb = nb(head, 0, 30);
        long descriptors = mdlDescriptors();

        nb.advance(25, false, null);

        assertEquals(25, nb.dataOffset());
        assertEquals(5, nb.dataLength());
        assertSame(head, nb.mdlChain());
        assertSame(head.next().next(), nb.currentMdl());
        assertEquals(5, nb.currentMdlOffset());
        assertEquals(descriptors, mdlDescriptors());
        assertArrayEquals(seq(25, 5), nb.toByteArray());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.4/§12.2 FreeMdl=TRUE frees EVERY leading wholly-unused MDL, including the caller's own MDLs")
    void advanceFreesCallersMdls() {
        Mdl a = chain(ndis, 0, 10, 10, 20);
        Mdl b = a.next();
        Mdl c = b.next();
        NetBuffer nb = nb(a, 0, 40);
        assertEquals(3, mdlDescriptors());

        nb.advance(25, true, driver);

        assertEquals(List.of(a, b), driver.freed, "the caller's MDLs A and B were handed to the free routine");
        assertFalse(a.isAllocated());
        assertFalse(b.isAllocated());
        assertTrue(c.isAllocated());
        assertEquals(1, mdlDescriptors());
        assertSame(c, nb.mdlChain());
        assertSame(c, nb.currentMdl());
        assertEquals(5, nb.dataOffset(), "DataOffset shrinks by the freed ByteCounts");
        assertEquals(5, nb.currentMdlOffset());
        assertEquals(15, nb.dataLength());
        assertArrayEquals(seq(25, 15), nb.toByteArray());
        freeNb(ndis, nb, c);
    }

    @Test
    @DisplayName("§3.4: with no handler NDIS's default free runs, even on the caller's MDL")
    void advanceDefaultFreeOnCallersMdl() {
        Mdl a = chain(ndis, 0, 10, 10);
        Mdl b = a.next();
        NetBuffer nb = nb(a, 0, 20);
        nb.advance(10, true, null);
        assertFalse(a.isAllocated(), "an MDL with ByteCount == DataOffset lies wholly in unused space");
        assertEquals(0, nb.dataOffset());
        assertSame(nb.mdlChain(), nb.currentMdl());
        assertEquals(0, nb.currentMdlOffset());
        assertEquals(1, mdlDescriptors());
        freeNb(ndis, nb, b);
    }

    @Test
    @DisplayName("§3.4: an MDL still containing the data start is kept")
    void advanceKeepsMdlHoldingTheDataStart() {
        Mdl a = chain(ndis, 0, 10, 10);
        NetBuffer nb = nb(a, 0, 20);
        nb.advance(9, true, driver);
        assertTrue(driver.freed.isEmpty());
        assertSame(a, nb.mdlChain());
        assertEquals(9, nb.dataOffset());
        freeNb(ndis, nb, a);
    }

    @Test
    @DisplayName("§3.4: advance(FreeMdl) undoes a default retreat and releases the NDrt buffer")
    void advanceUndoesDefaultRetreat() {
        Mdl head = chain(ndis, 0, 16);
        NetBuffer nb = nb(head, 0, 16);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(14, 0, null));
        assertEquals(1, retreatBuffers());
        Mdl added = nb.mdlChain();
        assertNotNull(added);

        nb.advance(14, true, null);

        assertFalse(added.isAllocated());
        assertEquals(0, retreatBuffers());
        assertEquals(0, Packets.bytesInUse(ndis, Ndis.RETREAT_TAG));
        assertSame(head, nb.mdlChain());
        assertEquals(0, nb.dataOffset());
        assertEquals(16, nb.dataLength());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.4/§3.2 I3(b): FreeMdl never frees the pool-embedded MDL; the cursor is left denormal")
    void advanceStopsAtPoolEmbeddedMdl() {
        NetBufferPool dataPool = pool(256);
        NetBuffer nb = dataPool.allocateNetBufferMdlAndData();
        assertNotNull(nb);
        Mdl embedded = nb.mdlChain();
        assertNotNull(embedded);
        // retreat past the whole buffer: slow path prepends an NDIS MDL of 300 - 256 = 44 bytes
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(300, 0, null));
        assertArrayEquals(new int[] {44, 256}, byteCounts(nb.mdlChain()));

        nb.advance(300, true, null);

        assertEquals(0, retreatBuffers(), "the retreat MDL was freed");
        assertSame(embedded, nb.mdlChain());
        assertTrue(embedded.isAllocated());
        assertSame(embedded, nb.currentMdl());
        assertEquals(256, nb.dataOffset());
        assertEquals(256, nb.currentMdlOffset(), "CurrentMdlOffset == ByteCount: denormal");
        assertEquals(0, nb.dataLength());
        nb.free();
    }

    @Test
    @DisplayName("§3.2 I6/§3.4: advancing by more than DataLength would wrap the ULONG: RuleViolation, NB unchanged")
    void advanceBeyondDataLength() {
        Mdl head = chain(ndis, 0, 32);
        NetBuffer nb = nb(head, 4, 10);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> nb.advance(11, false, null));
        assertEquals(BufferRule.NB_ADVANCE_BEYOND_DATA, violation.rule());
        assertEquals(4, nb.dataOffset());
        assertEquals(10, nb.dataLength());
        nb.advance(10, false, null); // exactly DataLength is fine
        assertEquals(0, nb.dataLength());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.2 I1: DataOffset + DataLength beyond the chain is detected by checkInvariants")
    void invariantI1() {
        Mdl head = chain(ndis, 0, 10);
        NetBuffer nb = nb(head, 2, 8);
        nb.checkInvariants();
        nb.setDataLength(9);
        assertEquals(
                BufferRule.NB_INVARIANT,
                assertThrows(RuleViolation.class, nb::checkInvariants).rule());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.2 I6: NDIS never guards ULONG overflow; nbl4j refuses a retreat that would overflow the length")
    void retreatOverflow() {
        Mdl head = chain(ndis, 0, 16);
        NetBuffer nb = nb(head, 8, 8);
        nb.setDataLength(Integer.MAX_VALUE - 4); // hand-edited, far beyond the chain
        assertEquals(
                BufferRule.NB_LENGTH_OVERFLOW,
                assertThrows(RuleViolation.class, () -> nb.retreat(8, 0, null)).rule());
        assertEquals(8, nb.dataOffset());
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.6 NdisAdjustNetBufferCurrentMdl recomputes the cursor after a hand edit of DataOffset")
    void adjustCurrentMdl() {
        Mdl head = chain(ndis, 0, 10, 10);
        NetBuffer nb = nb(head, 0, 20);
        nb.setDataOffset(13);
        nb.setDataLength(7);
        assertSame(head, nb.currentMdl(), "setters are plain field writes");
        assertEquals(
                BufferRule.NB_INVARIANT,
                assertThrows(RuleViolation.class, nb::checkInvariants).rule(),
                "I2 broken");
        nb.adjustCurrentMdl();
        assertSame(head.next(), nb.currentMdl());
        assertEquals(3, nb.currentMdlOffset());
        nb.checkInvariants();
        freeNb(ndis, nb, head);
    }

    // ---- §3.5 list variants ----

    private NetBufferList threeNbNbl() {
        NetBufferListPool nblPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("RtNl"), 0));
        assertNotNull(nblPool);
        return Packets.nblOf(nblPool, nbPool, chain(ndis, 0, 8), chain(ndis, 0x20, 8), chain(ndis, 0x40, 8));
    }

    @Test
    @DisplayName(
            "§3.5: allocator and freer must be both NULL or both set, else NDIS_STATUS_INVALID_PARAMETER (0xC000000D)")
    void listRetreatHandlerPairing() {
        NetBufferList nbl = threeNbNbl();
        assertEquals(0xC000000D, nbl.retreat(4, 0, driver, null));
        assertEquals(NtStatus.NDIS_STATUS_INVALID_PARAMETER, nbl.retreat(4, 0, null, driver));
        for (NetBuffer nb : Packets.netBuffers(nbl)) {
            assertEquals(0, nb.dataOffset());
            assertEquals(8, nb.dataLength());
            assertEquals(1, Packets.mdls(nb.mdlChain()).size());
        }
        assertTrue(driver.requestedSizes.isEmpty());
        Packets.freeNblAndChains(ndis, nbl);
    }

    @Test
    @DisplayName("§3.5: list retreat applies §3.3 to every NB")
    void listRetreatAllNbs() {
        NetBufferList nbl = threeNbNbl();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.retreat(4, 8, driver, driver));
        assertEquals(List.of(12, 12, 12), driver.requestedSizes);
        for (NetBuffer nb : Packets.netBuffers(nbl)) {
            assertEquals(8, nb.dataOffset());
            assertEquals(12, nb.dataLength());
        }
        nbl.advance(4, true, driver);
        assertEquals(3, driver.freed.size());
        assertEquals(0, diff(ndis, Packets.DriverMdls.TAG));
        Packets.freeNblAndChains(ndis, nbl);
    }

    @Test
    @DisplayName("§3.5: if NB k fails, NBs 0..k-1 are rolled back with advance(FreeMdl=TRUE) and RESOURCES returned")
    void listRetreatRollsBack() {
        NetBufferList nbl = threeNbNbl();
        List<NetBuffer> nbs = Packets.netBuffers(nbl);
        List<Mdl> originalHeads = nbs.stream().map(NetBuffer::mdlChain).toList();
        driver.failOnCall = 2; // the third NB's allocation fails

        int status = nbl.retreat(4, 0, driver, driver);

        assertEquals(NtStatus.NDIS_STATUS_RESOURCES, status);
        assertEquals(3, driver.requestedSizes.size());
        assertEquals(2, driver.freed.size(), "the MDLs given to NBs 0 and 1 were freed by the rollback");
        for (int i = 0; i < 3; i++) {
            NetBuffer nb = nbs.get(i);
            assertSame(originalHeads.get(i), nb.mdlChain(), "NB " + i);
            assertEquals(0, nb.dataOffset(), "NB " + i);
            assertEquals(8, nb.dataLength(), "NB " + i);
            assertSame(originalHeads.get(i), nb.currentMdl(), "NB " + i);
            assertEquals(0, nb.currentMdlOffset(), "NB " + i);
        }
        assertEquals(0, diff(ndis, Packets.DriverMdls.TAG), "nothing leaked");
        Packets.freeNblAndChains(ndis, nbl);
    }

    @Test
    @DisplayName("§3.5 hazard: the rollback's FreeMdl=TRUE also frees a caller MDL that lay wholly in the headroom")
    void listRetreatRollbackHazard() {
        NetBufferListPool nblPool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("RtNl"), 0));
        assertNotNull(nblPool);
        // NB 0: headroom of 4 bytes in its own MDL, data in the next one
        Mdl headroom = chain(ndis, 0, 4, 8);
        Mdl data = headroom.next();
        NetBufferList nbl = nblPool.allocateNetBufferAndNetBufferList(0, 0, headroom, 4, 8);
        assertNotNull(nbl);
        Mdl secondChain = chain(ndis, 0, 8);
        NetBuffer second = nbPool.allocateNetBuffer(secondChain, 0, 8);
        assertNotNull(second);
        NetBuffer first = nbl.firstNetBuffer();
        assertNotNull(first);
        first.setNext(second);
        driver.failOnCall = 0; // NB 0 takes the fast path (no call); NB 1's allocation is call 0 and fails

        assertEquals(NtStatus.NDIS_STATUS_RESOURCES, nbl.retreat(4, 0, driver, driver));

        assertEquals(List.of(headroom), driver.freed, "rollback freed the caller's headroom MDL");
        assertFalse(headroom.isAllocated());
        assertEquals(0, first.dataOffset());
        assertEquals(8, first.dataLength());
        first.setNext(null);
        freeNb(ndis, second, secondChain);
        nbl.free();
        Packets.freeChain(ndis, data);
    }
}
