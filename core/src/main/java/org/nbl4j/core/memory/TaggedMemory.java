package org.nbl4j.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.internal.Recycler;

/**
 * nbl4j's nonpaged pool: off-heap memory handed out in tagged blocks and accounted per {@link PoolTag}.
 *
 * <p>Corresponds to {@code ExAllocatePoolWithTag}/{@code NdisAllocateMemoryWithTagPriority} and the pool-tag
 * accounting behind poolmon. Blocks up to 128 KiB come from power-of-two size classes carved out of slabs and recycled
 * through per-thread magazines, so steady-state allocation touches neither the Java heap nor the operating system.
 * Larger blocks, and every block in checked mode, get an arena of their own. (128, not 64: an IOCTL buffer that holds
 * one whole 64 KiB IP packet and a record header is just above 64 KiB, and a shared arena per such buffer costs a
 * thread handshake at every free.)
 */
public final class TaggedMemory implements AutoCloseable {
    private static final int SMALLEST_CLASS_SHIFT = 6;
    private static final int LARGEST_CLASS_SHIFT = 17;
    private static final long SLAB_BYTES = 256 * 1024;
    /** Blocks are aligned as MEMORY_ALLOCATION_ALIGNMENT is on x64. */
    public static final long ALIGNMENT = 16;

    private final boolean checked;
    private final MemoryWatch watch;
    /** The watch follows blocks: read once, so that with the verifier off an allocation tests this field only. */
    private final boolean following;

    private final Arena slabs = Arena.ofShared();
    private final ConcurrentHashMap<PoolTag, TagAccount> accounts = new ConcurrentHashMap<>();
    private final List<Recycler<MemoryBlock>> classes = new ArrayList<>();

    /**
     * @param checked give every block its own arena so that a use after free throws
     * @param watch follows sampled blocks and answers misuse: the verifier's {@code memoryWatch()}
     */
    public TaggedMemory(boolean checked, MemoryWatch watch) {
        this.checked = checked;
        this.watch = watch;
        this.following = watch.follows();
        for (int shift = SMALLEST_CLASS_SHIFT; shift <= LARGEST_CLASS_SHIFT; shift++) {
            classes.add(new Recycler<>());
        }
    }

    /** The watch that answers misuse of this memory and of the MDLs made from it. */
    MemoryWatch watch() {
        return watch;
    }

    /** Whether use after free is caught (each block has its own arena). */
    public boolean checked() {
        return checked;
    }

    /** The totals of a tag, created on first use; keep it to skip the lookup on later allocations. */
    public TagAccount account(PoolTag tag) {
        return accounts.computeIfAbsent(tag, TagAccount::new);
    }

    /** Allocates {@code size} bytes under {@code tag}; {@code null} if {@code size} is not positive. */
    public @Nullable MemoryBlock allocate(PoolTag tag, long size) {
        return allocate(account(tag), size);
    }

    /** Allocates {@code size} bytes under the account's tag; {@code null} if {@code size} is not positive. */
    public @Nullable MemoryBlock allocate(TagAccount account, long size) {
        if (size <= 0) {
            return null;
        }
        MemoryBlock block;
        int sizeClass = sizeClass(size);
        if (checked || sizeClass < 0) {
            Arena arena = Arena.ofShared();
            block = new MemoryBlock(this, -1, arena, arena.allocate(size, ALIGNMENT));
        } else {
            block = classes.get(sizeClass).take();
            if (block == null) {
                block = carve(sizeClass);
            }
        }
        block.account = account;
        block.size = size;
        block.allocated = true;
        block.record = following ? watch.allocated(block, account.tag()) : null;
        account.allocated(size);
        return block;
    }

    /**
     * Frees a block. A free to another {@code TaggedMemory} is rejected and a second free is reported to the
     * {@link MemoryWatch}: Windows would corrupt its pool.
     */
    public void free(MemoryBlock block) {
        if (block.owner != this) {
            throw watch.rejected(MemoryMisuse.MEMORY_FOREIGN_FREE, "block of " + block.size + " bytes");
        }
        if (!block.allocated) {
            watch.misused(MemoryMisuse.MEMORY_DOUBLE_FREE, "block of " + block.size + " bytes", block.record);
            return;
        }
        Object record = block.record;
        if (record != null) {
            watch.freed(record);
        }
        TagAccount account = block.account;
        block.allocated = false;
        if (account != null) {
            account.freed(block.size);
        }
        if (block.arena != null) {
            block.arena.close();
        } else {
            classes.get(block.sizeClass).give(block);
        }
    }

    /**
     * A driver's free through {@code ddi} ({@code NdisFreeMemory}, {@code NdisFreeMemoryWithTagPriority}): the DDI's
     * documented rule, {@code IRQL <= DISPATCH_LEVEL}, is checked first, then the block is freed as by
     * {@link #free(MemoryBlock)}. nbl4j's own frees run inside DDIs whose rule was checked already and call that one.
     */
    public void free(MemoryBlock block, String ddi) {
        if (watch.irqlAtMostDispatch(ddi, "ndis")) {
            free(block);
        }
    }

    /** Every tag's totals now, in tag order. */
    public PoolUsageSnapshot snapshot() {
        List<PoolUsage> usages = new ArrayList<>();
        for (TagAccount account : accounts.values()) {
            usages.add(account.usage());
        }
        usages.sort(Comparator.comparing(PoolUsage::tag));
        return new PoolUsageSnapshot(Instant.now(), usages);
    }

    /** Releases every slab. Blocks still allocated become unusable. */
    @Override
    public void close() {
        for (Recycler<MemoryBlock> recycler : classes) {
            recycler.close();
        }
        slabs.close();
    }

    private static int sizeClass(long size) {
        int shift = Math.max(SMALLEST_CLASS_SHIFT, 64 - Long.numberOfLeadingZeros(size - 1));
        return shift > LARGEST_CLASS_SHIFT ? -1 : shift - SMALLEST_CLASS_SHIFT;
    }

    private synchronized MemoryBlock carve(int sizeClass) {
        long blockBytes = 1L << (sizeClass + SMALLEST_CLASS_SHIFT);
        long count = Math.max(1, SLAB_BYTES / blockBytes);
        MemorySegment slab = slabs.allocate(blockBytes * count, ALIGNMENT);
        Recycler<MemoryBlock> recycler = classes.get(sizeClass);
        for (long i = 1; i < count; i++) {
            recycler.give(new MemoryBlock(this, sizeClass, null, slab.asSlice(i * blockBytes, blockBytes)));
        }
        return new MemoryBlock(this, sizeClass, null, slab.asSlice(0, blockBytes));
    }
}
