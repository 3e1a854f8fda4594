package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.TaggedMemory;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;

/**
 * The {@code wdm.h} (and {@code ntdef.h}) names network drivers use besides NDIS's own: IRQL, MDL accessors, memory
 * copies, pool and page priorities, {@code TRUE}/{@code FALSE}.
 *
 * <p>{@code KIRQL} is an {@code int} here (0, 1, 2), not a {@code byte}: comparisons such as
 * {@code KeGetCurrentIrql() == DISPATCH_LEVEL} port unchanged, and an out-parameter is a {@code Ref<Integer>} whose
 * values are cached boxes. The level itself is the calling thread's emulated IRQL of {@link Irql}.
 */
public final class Wdm {
    private Wdm() {}

    // ---- ntdef.h ----

    /** {@code TRUE} (a BOOLEAN). */
    public static final boolean TRUE = true;
    /** {@code FALSE}. */
    public static final boolean FALSE = false;

    /** {@code NT_SUCCESS(Status)}: success and informational codes are non-negative. */
    public static boolean NT_SUCCESS(int status) {
        return NtStatus.isSuccess(status);
    }

    // ---- IRQL ----

    /** {@code PASSIVE_LEVEL}. */
    public static final int PASSIVE_LEVEL = 0;
    /** {@code APC_LEVEL}. */
    public static final int APC_LEVEL = 1;
    /** {@code DISPATCH_LEVEL} (also {@code DPC_LEVEL}): where receive and completion paths run. */
    public static final int DISPATCH_LEVEL = 2;
    /** {@code HIGH_LEVEL} on x64: the one level above DISPATCH_LEVEL nbl4j emulates (see {@link Irql}). */
    public static final int HIGH_LEVEL = 15;

    /** {@code KeGetCurrentIrql}: the calling thread's level. */
    public static int KeGetCurrentIrql() {
        return Irql.current().level();
    }

    /**
     * {@code KeRaiseIrql(NewIrql, &OldIrql)}.
     *
     * @throws org.nbl4j.core.verify.RuleViolation if {@code newIrql} is below the current level
     * @throws IllegalArgumentException if {@code newIrql} is not one of the four levels nbl4j emulates
     */
    public static void KeRaiseIrql(int newIrql, Ref<Integer> oldIrql) {
        oldIrql.set(Irql.raise(irql(newIrql)).level());
    }

    /** {@code KeRaiseIrqlToDpcLevel}: raises to DISPATCH_LEVEL and returns the previous level. */
    public static int KeRaiseIrqlToDpcLevel() {
        return Irql.raise(Irql.DISPATCH_LEVEL).level();
    }

    /**
     * {@code KeLowerIrql(NewIrql)}: restores a level saved by a raise.
     *
     * @throws org.nbl4j.core.verify.RuleViolation if {@code newIrql} is above the current level
     */
    public static void KeLowerIrql(int newIrql) {
        Irql.lower(irql(newIrql));
    }

    static Irql irql(int level) {
        return switch (level) {
            case PASSIVE_LEVEL -> Irql.PASSIVE_LEVEL;
            case APC_LEVEL -> Irql.APC_LEVEL;
            case DISPATCH_LEVEL -> Irql.DISPATCH_LEVEL;
            case HIGH_LEVEL -> Irql.HIGH_LEVEL;
            default -> throw new IllegalArgumentException("nbl4j emulates IRQL 0, 1, 2 and 15, not " + level);
        };
    }

    // ---- memory ----

    /** {@code MEMORY_ALLOCATION_ALIGNMENT} on x64: the alignment of pool allocations. */
    public static final int MEMORY_ALLOCATION_ALIGNMENT = (int) TaggedMemory.ALIGNMENT;

    /** {@code MM_PAGE_PRIORITY} {@code LowPagePriority}. */
    public static final int LowPagePriority = 0;
    /** {@code NormalPagePriority}. */
    public static final int NormalPagePriority = 16;
    /** {@code HighPagePriority}. */
    public static final int HighPagePriority = 32;
    /** Modifier OR-ed into a page priority: guard PTEs around the mapping. */
    public static final int MdlMappingWithGuardPtes = 0x20000000;
    /** Modifier: the mapping is not executable. */
    public static final int MdlMappingNoExecute = 0x40000000;
    /** Modifier: the mapping is read-only. */
    public static final int MdlMappingNoWrite = 0x80000000;

    /** {@code EX_POOL_PRIORITY} {@code LowPoolPriority}. */
    public static final int LowPoolPriority = 0;

    public static final int LowPoolPrioritySpecialPoolOverrun = 8;
    public static final int LowPoolPrioritySpecialPoolUnderrun = 9;
    /** {@code NormalPoolPriority}. */
    public static final int NormalPoolPriority = 16;

    public static final int NormalPoolPrioritySpecialPoolOverrun = 24;
    public static final int NormalPoolPrioritySpecialPoolUnderrun = 25;
    /** {@code HighPoolPriority}. */
    public static final int HighPoolPriority = 32;

    public static final int HighPoolPrioritySpecialPoolOverrun = 40;
    public static final int HighPoolPrioritySpecialPoolUnderrun = 41;

    /**
     * {@code RtlCopyMemory(Destination, Source, Length)}. C leaves overlapping ranges undefined; here they are copied
     * as by {@code RtlMoveMemory}.
     */
    public static void RtlCopyMemory(MemorySegment destination, MemorySegment source, long length) {
        MemorySegment.copy(source, 0, destination, 0, length);
    }

    private static final VarHandle UINT32 =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle().withInvokeExactBehavior();

    /**
     * {@code ReadUInt32Acquire(Source)}: a 32-bit read that no later read or write moves before, for memory another
     * processor (or a user-mode application, through a mapped MDL) writes with {@link #WriteUInt32Release}. C passes
     * the address; here it is {@code Source} plus {@code Offset}, which must be 4-byte aligned, as the intrinsic
     * expects. Little-endian, as on every Windows processor.
     */
    public static int ReadUInt32Acquire(MemorySegment Source, long Offset) {
        return (int) UINT32.getAcquire(Source, Offset);
    }

    /**
     * {@code WriteUInt32Release(Destination, Value)}: a 32-bit write that no earlier read or write moves after, so a
     * reader that sees {@code Value} with {@link #ReadUInt32Acquire} sees everything written before it. The address is
     * {@code Destination} plus {@code Offset}, 4-byte aligned.
     */
    public static void WriteUInt32Release(MemorySegment Destination, long Offset, int Value) {
        UINT32.setRelease(Destination, Offset, Value);
    }

    /** {@code RtlZeroMemory(Destination, Length)}. */
    public static void RtlZeroMemory(MemorySegment destination, long length) {
        destination.asSlice(0, length).fill((byte) 0);
    }

    /**
     * {@code RtlZeroMemory(&Struct, sizeof(Struct))} over a structure of the facade or of the driver.
     *
     * @throws IllegalArgumentException if {@code length} is not the structure's {@code sizeof}: a partial zeroing
     *     has no meaning for Java fields
     */
    public static void RtlZeroMemory(NdisStruct destination, long length) {
        if (length != destination.sizeof()) {
            throw new IllegalArgumentException(
                    "RtlZeroMemory of " + length + " bytes over a structure of " + destination.sizeof());
        }
        destination.zero();
    }

    // ---- MDL ----

    /** {@code MdlFlags} bit {@code MDL_MAPPED_TO_SYSTEM_VA}. */
    public static final int MDL_MAPPED_TO_SYSTEM_VA = Mdl.MDL_MAPPED_TO_SYSTEM_VA;
    /** {@code MDL_SOURCE_IS_NONPAGED_POOL}. */
    public static final int MDL_SOURCE_IS_NONPAGED_POOL = Mdl.MDL_SOURCE_IS_NONPAGED_POOL;
    /** {@code MDL_PARTIAL}. */
    public static final int MDL_PARTIAL = Mdl.MDL_PARTIAL;
    /** {@code MDL_NETWORK_HEADER}. */
    public static final int MDL_NETWORK_HEADER = Mdl.MDL_NETWORK_HEADER;
    /** {@code PAGE_SIZE}. */
    public static final int PAGE_SIZE = Mdl.PAGE_SIZE;

    /**
     * {@code MmGetSystemAddressForMdlSafe(Mdl, Priority)}: the described bytes. Every nbl4j MDL describes nonpaged
     * memory and is always mapped, so this returns {@code NULL} only for a call refused for its IRQL; the priority is
     * accepted and has no effect.
     */
    public static @Nullable MemorySegment MmGetSystemAddressForMdlSafe(Mdl mdl, int priority) {
        return mdl.systemAddress();
    }

    /** {@code MmGetMdlVirtualAddress(Mdl)}: the described bytes (a Java segment stands for the C pointer). */
    public static MemorySegment MmGetMdlVirtualAddress(Mdl mdl) {
        return mdl.memory();
    }

    /** {@code MmGetMdlByteCount(Mdl)}. */
    public static int MmGetMdlByteCount(Mdl mdl) {
        return mdl.byteCount();
    }

    /** {@code MmGetMdlByteOffset(Mdl)}: offset of the first byte inside its page. */
    public static int MmGetMdlByteOffset(Mdl mdl) {
        return mdl.byteOffset();
    }
}
