package org.nbl4j.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;

class MdlTest {
    private final TaggedMemory memory = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch());
    private final MdlPool mdls = new MdlPool(memory);
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
        memory.close();
    }

    /** A page-aligned buffer of two pages, so ByteOffset arithmetic is predictable. */
    private MemorySegment pages() {
        return arena.allocate(2 * Mdl.PAGE_SIZE, Mdl.PAGE_SIZE);
    }

    private long mdlDiff() {
        return memory.account(MdlPool.MDL_TAG).usage().diff();
    }

    @Test
    @DisplayName("§2.3 NdisAllocateMdl: Next NULL, ByteCount = Length, VA = buffer, SOURCE_IS_NONPAGED_POOL, caller's")
    void allocateBuildsTheMdl() {
        MemorySegment buffer = pages();
        Mdl mdl = mdls.allocate(buffer, 100);
        assertNull(mdl.next());
        assertEquals(100, mdl.byteCount());
        assertEquals(buffer.address(), mdl.virtualAddress());
        assertEquals(Mdl.MDL_SOURCE_IS_NONPAGED_POOL, mdl.flags() & Mdl.MDL_SOURCE_IS_NONPAGED_POOL);
        assertEquals(0x0004, Mdl.MDL_SOURCE_IS_NONPAGED_POOL);
        assertEquals(MdlOrigin.CALLER, mdl.origin());
        assertTrue(mdl.isAllocated());
        assertEquals(100, mdl.memory().byteSize());
        assertEquals(1, mdlDiff(), "one descriptor outstanding under tag 'Mdl '");
    }

    @Test
    @DisplayName("§2.3: an MDL must describe nonpaged memory; a Java heap segment is rejected")
    void heapSegmentRejected() {
        MemorySegment heap = MemorySegment.ofArray(new byte[64]);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> mdls.allocate(heap, 64));
        assertEquals(BufferRule.MEMORY_NOT_NONPAGED, violation.rule());
        assertEquals(0, mdlDiff());
    }

    @Test
    void lengthBeyondTheSegmentRejected() {
        MemorySegment buffer = arena.allocate(16);
        assertThrows(IllegalArgumentException.class, () -> mdls.allocate(buffer, 17));
        assertThrows(IllegalArgumentException.class, () -> mdls.allocate(buffer, -1));
    }

    @Test
    @DisplayName("§2.1: ByteOffset = VA & 0xFFF")
    void byteOffsetIsOffsetInPage() {
        MemorySegment buffer = pages();
        assertEquals(0, mdls.allocate(buffer, 10).byteOffset());
        assertEquals(100, mdls.allocate(buffer.asSlice(100), 10).byteOffset());
        assertEquals(5, mdls.allocate(buffer.asSlice(Mdl.PAGE_SIZE + 5), 10).byteOffset());
    }

    @Test
    @DisplayName("§2.3 NDIS_MDL_TO_SPAN_PAGES: 1 if ByteCount is 0, else pages spanned by [VA, VA+ByteCount)")
    void spanPages() {
        MemorySegment buffer = pages();
        assertEquals(1, mdls.allocate(buffer, 0).spanPages());
        assertEquals(1, mdls.allocate(buffer.asSlice(4095), 0).spanPages());
        assertEquals(1, mdls.allocate(buffer, 4096).spanPages());
        assertEquals(2, mdls.allocate(buffer, 4097).spanPages());
        assertEquals(2, mdls.allocate(buffer.asSlice(4000), 200).spanPages());
        assertEquals(1, mdls.allocate(buffer.asSlice(4095), 1).spanPages());
        assertEquals(2, mdls.allocate(buffer.asSlice(4095), 2).spanPages());
    }

    @Test
    @DisplayName("§2.3 NdisAdjustMdlLength: shorter is fine, longer than allocated is a RuleViolation")
    void adjustLength() {
        Mdl mdl = mdls.allocate(pages(), 100);
        mdl.adjustLength(40);
        assertEquals(40, mdl.byteCount());
        mdl.adjustLength(0);
        assertEquals(0, mdl.byteCount());
        mdl.adjustLength(100);
        assertEquals(100, mdl.byteCount());
        RuleViolation violation = assertThrows(RuleViolation.class, () -> mdl.adjustLength(101));
        assertEquals(BufferRule.MDL_ADJUST_TOO_LONG, violation.rule());
        assertEquals(100, mdl.byteCount(), "unchanged by the rejected call");
        assertEquals(
                BufferRule.MDL_ADJUST_TOO_LONG,
                assertThrows(RuleViolation.class, () -> mdl.adjustLength(-1)).rule());
    }

    @Test
    @DisplayName("§2.3: the original length must be restored before NdisFreeMdl")
    void lengthMustBeRestoredBeforeFree() {
        Mdl mdl = mdls.allocate(pages(), 100);
        mdl.adjustLength(60);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> mdls.free(mdl));
        assertEquals(BufferRule.MDL_LENGTH_NOT_RESTORED, violation.rule());
        assertTrue(mdl.isAllocated());
        mdl.adjustLength(100);
        mdls.free(mdl);
        assertFalse(mdl.isAllocated());
    }

    @Test
    @DisplayName("§2.3 NdisFreeMdl frees only the descriptor: not the memory, not Next")
    void freeDescriptorOnly() {
        MemorySegment first = pages();
        MemorySegment second = arena.allocate(32);
        Mdl a = mdls.allocate(first, 16);
        Mdl b = mdls.allocate(second, 32);
        a.setNext(b);
        first.set(ValueLayout.JAVA_BYTE, 3, (byte) 0x33);
        assertEquals(2, mdlDiff());

        mdls.free(a);

        assertFalse(a.isAllocated());
        assertTrue(b.isAllocated(), "Next is not followed");
        assertEquals(1, mdlDiff());
        assertEquals((byte) 0x33, first.get(ValueLayout.JAVA_BYTE, 3), "the described memory is untouched");
        first.set(ValueLayout.JAVA_BYTE, 3, (byte) 0x44); // and still the caller's to use
    }

    @Test
    @DisplayName("§2.5: double free of an MDL is a RuleViolation")
    void doubleFree() {
        Mdl mdl = mdls.allocate(pages(), 8);
        mdls.free(mdl);
        assertEquals(
                BufferRule.MDL_DOUBLE_FREE,
                assertThrows(RuleViolation.class, () -> mdls.free(mdl)).rule());
        assertEquals(0, mdlDiff());
    }

    @Test
    @DisplayName("§2.5: NdisFreeMdl on an MDL another allocator made is a RuleViolation")
    void foreignFree() {
        try (TaggedMemory otherMemory = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch())) {
            MdlPool other = new MdlPool(otherMemory);
            Mdl foreign = other.allocate(pages(), 8);
            assertEquals(
                    BufferRule.MEMORY_FOREIGN_FREE,
                    assertThrows(RuleViolation.class, () -> mdls.free(foreign)).rule());
            assertTrue(foreign.isAllocated());
            other.free(foreign);
        }
    }

    @Test
    @DisplayName("freeWithMemory (NDIS's default NetFreeMdl) releases the buffer the MDL owns; plain free leaks it")
    void freeWithMemoryReleasesOwnedBuffer() {
        PoolTag tag = PoolTag.of("Buf ");
        MemoryBlock owned = memory.allocate(tag, 48);
        MemoryBlock leaked = memory.allocate(tag, 48);
        assertTrue(owned != null && leaked != null);
        Mdl withMemory = mdls.describe(owned.segment(), 0, 48, MdlOrigin.NDIS_RETREAT_DEFAULT, owned);
        Mdl descriptorOnly = mdls.describe(leaked.segment(), 0, 48, MdlOrigin.NDIS_RETREAT_DEFAULT, leaked);

        mdls.freeWithMemory(withMemory);
        mdls.free(descriptorOnly);

        assertFalse(owned.isAllocated());
        assertTrue(leaked.isAllocated(), "IoFreeMdl never frees the buffer");
        assertEquals(1, memory.account(tag).usage().diff());
        assertEquals(0, mdlDiff());
    }

    @Test
    @DisplayName("IoBuildPartialMdl: same memory, sub-range, MDL_PARTIAL")
    void partialMdl() {
        MemorySegment buffer = pages();
        buffer.set(ValueLayout.JAVA_BYTE, 10, (byte) 0x10);
        Mdl source = mdls.allocate(buffer, 100);
        Mdl part = mdls.partial(source, 10, 20, MdlOrigin.CLONE_PARTIAL);
        assertEquals(20, part.byteCount());
        assertEquals(source.virtualAddress() + 10, part.virtualAddress());
        assertEquals(Mdl.MDL_PARTIAL, part.flags() & Mdl.MDL_PARTIAL);
        assertEquals(0x0010, Mdl.MDL_PARTIAL);
        assertEquals(MdlOrigin.CLONE_PARTIAL, part.origin());
        assertEquals((byte) 0x10, part.memory().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    @DisplayName("the MDL of a pool element is never freed on its own")
    void embeddedMdlCannotBeFreed() {
        Mdl embedded = mdls.embedded(pages(), 64);
        assertEquals(MdlOrigin.POOL_EMBEDDED, embedded.origin());
        assertEquals(
                BufferRule.NB_FREE_EMBEDDED,
                assertThrows(RuleViolation.class, () -> mdls.free(embedded)).rule());
        assertTrue(embedded.isAllocated());
        assertEquals(0, mdlDiff(), "embedded MDLs are part of the element, not accounted as descriptors");
    }
}
