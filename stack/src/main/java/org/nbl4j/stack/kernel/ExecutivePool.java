package org.nbl4j.stack.kernel;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.Irql;

/**
 * The executive's pool ({@code ExAllocatePool2}, {@code ExFreePoolWithTag}) over the same tagged memory as NDIS's
 * allocations, so that a driver's own tags show in the one poolmon view next to nbl4j's. Paged and nonpaged pool are
 * the same memory here; only their IRQL rules differ.
 */
public final class ExecutivePool {
    /** {@code POOL_FLAG_UNINITIALIZED}: the one flag that changes what nbl4j does (the memory is not zeroed). */
    public static final long POOL_FLAG_UNINITIALIZED = 0x2L;
    /** {@code POOL_FLAG_PAGED}: allowed at IRQL &lt;= APC_LEVEL only. */
    public static final long POOL_FLAG_PAGED = 0x100L;

    private ExecutivePool() {}

    /**
     * {@code ExAllocatePool2(Flags, NumberOfBytes, Tag)}: zeroed memory unless {@link #POOL_FLAG_UNINITIALIZED}.
     *
     * @return the block, or {@code null} for a size that is not positive or a call the IRQL forbids
     */
    public static @Nullable MemoryBlock allocate(Ndis ndis, long flags, long numberOfBytes, int tag) {
        Irql highest = (flags & POOL_FLAG_PAGED) != 0 ? Irql.APC_LEVEL : Irql.DISPATCH_LEVEL;
        if (!ndis.verifier().irqlAtMost(highest, "ExAllocatePool2", "wdm")) {
            return null;
        }
        MemoryBlock block = ndis.memory().allocate(new PoolTag(tag), numberOfBytes);
        if (block != null && (flags & POOL_FLAG_UNINITIALIZED) == 0) {
            block.segment().asSlice(0, numberOfBytes).fill((byte) 0);
        }
        return block;
    }

    /** {@code ExFreePoolWithTag(P, Tag)}. */
    public static void free(Ndis ndis, MemoryBlock block) {
        if (ndis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "ExFreePoolWithTag", "wdm")) {
            block.owner().free(block);
        }
    }
}
