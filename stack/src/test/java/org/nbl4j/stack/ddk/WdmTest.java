package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.RuleViolation;

/** The wdm.h part of the facade: IRQL over the thread's emulated level, MDL accessors, memory copies. */
class WdmTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current(), "every test restores the level");
    }

    @Test
    @DisplayName("IRQL constants are the C values, and KeGetCurrentIrql reads the core's thread level")
    void irqlValues() {
        assertEquals(0, PASSIVE_LEVEL);
        assertEquals(1, APC_LEVEL);
        assertEquals(2, DISPATCH_LEVEL);
        assertEquals(PASSIVE_LEVEL, KeGetCurrentIrql(), "a thread starts at PASSIVE_LEVEL");
        AtomicInteger seen = new AtomicInteger(-1);
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> seen.set(KeGetCurrentIrql()));
        assertEquals(DISPATCH_LEVEL, seen.get());
        Irql.runAt(Irql.APC_LEVEL, () -> seen.set(KeGetCurrentIrql()));
        assertEquals(APC_LEVEL, seen.get());
    }

    @Test
    @DisplayName("ReadUInt32Acquire and WriteUInt32Release are little-endian 32-bit accesses at an aligned offset")
    void acquireReleaseAccesses() {
        MemorySegment shared = arena.allocate(16, 8);
        WriteUInt32Release(shared, 4, 0x11223344);
        assertArrayEquals(
                new byte[] {0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0},
                shared.asSlice(0, 12).toArray(ValueLayout.JAVA_BYTE),
                "written at Offset, least significant byte first");
        shared.set(ValueLayout.JAVA_BYTE, 8, (byte) 0x80);
        assertEquals(0x80, ReadUInt32Acquire(shared, 8));
        assertEquals(0x11223344, ReadUInt32Acquire(shared, 4));
        assertThrows(
                IllegalArgumentException.class,
                () -> ReadUInt32Acquire(shared, 2),
                "the intrinsics need 4-byte alignment");
    }

    @Test
    @DisplayName("KeRaiseIrql stores the old level in its out-parameter; KeLowerIrql restores it")
    void raiseAndLower() {
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(APC_LEVEL, oldIrql);
        assertEquals(PASSIVE_LEVEL, oldIrql.value());
        assertEquals(Irql.APC_LEVEL, Irql.current());
        Ref<Integer> older = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, older);
        assertEquals(APC_LEVEL, older.value());
        KeLowerIrql(older.value());
        assertEquals(APC_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(oldIrql.value());
        assertEquals(PASSIVE_LEVEL, KeGetCurrentIrql());

        int previous = KeRaiseIrqlToDpcLevel();
        assertEquals(PASSIVE_LEVEL, previous);
        assertEquals(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(previous);
    }

    @Test
    @DisplayName("§6.11: raising below or lowering above the current level is a violation; unknown levels are refused")
    void illegalRaiseAndLower() {
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, oldIrql);
        try {
            RuleViolation down = assertThrows(RuleViolation.class, () -> KeRaiseIrql(APC_LEVEL, new Ref<>()));
            assertEquals(BufferRule.IRQL_BAD_RAISE_OR_LOWER, down.rule());
        } finally {
            KeLowerIrql(oldIrql.value());
        }
        RuleViolation up = assertThrows(RuleViolation.class, () -> KeLowerIrql(DISPATCH_LEVEL));
        assertEquals(BufferRule.IRQL_BAD_RAISE_OR_LOWER, up.rule());
        assertThrows(IllegalArgumentException.class, () -> KeRaiseIrql(3, new Ref<>()), "no DIRQL in nbl4j");
        assertThrows(IllegalArgumentException.class, () -> KeLowerIrql(-1));
    }

    @Test
    @DisplayName("MDL accessors and MmGetSystemAddressForMdlSafe describe the MDL's bytes")
    void mdlAccessors() {
        try (Ndis ndis = Ndis.create()) {
            MemorySegment memory = arena.allocate(64, 16);
            memory.set(ValueLayout.JAVA_BYTE, 8, (byte) 42);
            Mdl mdl = NdisH.NdisAllocateMdl(ndis, memory.asSlice(8), 32);
            assertEquals(32, MmGetMdlByteCount(mdl));
            assertEquals((int) ((memory.address() + 8) & (PAGE_SIZE - 1)), MmGetMdlByteOffset(mdl));
            MemorySegment mapped = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
            assertEquals(32, mapped.byteSize());
            assertEquals(42, mapped.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(memory.address() + 8, MmGetMdlVirtualAddress(mdl).address());
            assertTrue((mdl.flags() & MDL_SOURCE_IS_NONPAGED_POOL) != 0, "NdisAllocateMdl's MDL (§2.3)");
            NdisH.NdisFreeMdl(mdl);
        }
    }

    @Test
    @DisplayName("RtlCopyMemory and RtlZeroMemory touch exactly Length bytes")
    void copyAndZero() {
        MemorySegment source = MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5});
        byte[] target = {9, 9, 9, 9, 9, 9};
        RtlCopyMemory(MemorySegment.ofArray(target), source, 4);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 9, 9}, target);
        RtlZeroMemory(MemorySegment.ofArray(target).asSlice(1), 2);
        assertArrayEquals(new byte[] {1, 0, 0, 4, 9, 9}, target);
        assertThrows(IndexOutOfBoundsException.class, () -> RtlZeroMemory(MemorySegment.ofArray(target), 7));
    }

    @Test
    @DisplayName("NT_SUCCESS is status >= 0, including informational and PENDING")
    void ntSuccess() {
        assertTrue(NT_SUCCESS(NtStatus.STATUS_SUCCESS));
        assertTrue(NT_SUCCESS(NtStatus.STATUS_PENDING));
        assertTrue(NT_SUCCESS(NtStatus.STATUS_NDIS_INDICATION_REQUIRED));
        assertFalse(NT_SUCCESS(NtStatus.STATUS_BUFFER_OVERFLOW), "a warning is not success");
        assertFalse(NT_SUCCESS(NtStatus.STATUS_INSUFFICIENT_RESOURCES));
        assertTrue(TRUE);
        assertFalse(FALSE);
    }
}
