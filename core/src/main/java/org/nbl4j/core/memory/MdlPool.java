package org.nbl4j.core.memory;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.internal.Recycler;

/**
 * Makes and frees MDL descriptors, accounted under the tag {@code "Mdl "} as {@code IoAllocateMdl} is on Windows.
 *
 * <p>Corresponds to {@code NdisAllocateMdl}/{@code NdisFreeMdl}, {@code IoBuildPartialMdl} and the MDL half of
 * NDIS's default {@code NetAllocateMdl}/{@code NetFreeMdl}. Descriptors are recycled, so making one allocates nothing
 * on the Java heap in steady state.
 */
public final class MdlPool {
    /** The tag of MDL descriptors. */
    public static final PoolTag MDL_TAG = PoolTag.of("Mdl ");
    /** Accounted size of one descriptor: an x64 MDL with a two-entry PFN array. */
    public static final int DESCRIPTOR_BYTES = 64;

    private final TaggedMemory memory;
    private final Recycler<Mdl> free;

    public MdlPool(TaggedMemory memory) {
        this.memory = memory;
        this.free = new Recycler<>(memory.account(MDL_TAG).elementCounter(DESCRIPTOR_BYTES));
    }

    /** The memory the descriptors are accounted in. */
    public TaggedMemory memory() {
        return memory;
    }

    /**
     * {@code NdisAllocateMdl}: a descriptor for the first {@code length} bytes of {@code memory}, which must be
     * off-heap (nonpaged) memory of at least that size.
     */
    public Mdl allocate(MemorySegment memory, int length) {
        if (!memory.isNative()) {
            throw this.memory.watch().rejected(MemoryMisuse.MEMORY_NOT_NONPAGED, "a heap segment cannot back an MDL");
        }
        if (length < 0 || length > memory.byteSize()) {
            throw new IllegalArgumentException("length " + length + " outside a segment of " + memory.byteSize());
        }
        return describe(memory, 0, length, MdlOrigin.CALLER, null);
    }

    /**
     * A descriptor for {@code byteCount} bytes of {@code buffer} from {@code start}, made by {@code origin}; if
     * {@code ownedMemory} is given, {@link #freeWithMemory} releases it with the descriptor.
     */
    public Mdl describe(
            MemorySegment buffer, long start, int byteCount, MdlOrigin origin, @Nullable MemoryBlock ownedMemory) {
        Mdl mdl = free.take();
        if (mdl == null) {
            mdl = new Mdl(this);
        }
        // A recycled descriptor often describes the same buffer for the same maker as before: the references are
        // stored only when they change, as each reference store costs a garbage-collector write barrier.
        if (mdl.next != null) {
            mdl.next = null;
        }
        if (mdl.buffer != buffer) {
            mdl.buffer = buffer;
        }
        if (mdl.origin != origin) {
            mdl.origin = origin;
        }
        if (mdl.ownedMemory != ownedMemory) {
            mdl.ownedMemory = ownedMemory;
        }
        mdl.start = start;
        mdl.byteCount = byteCount;
        mdl.allocatedByteCount = byteCount;
        mdl.flags = Mdl.MDL_SOURCE_IS_NONPAGED_POOL | Mdl.MDL_MAPPED_TO_SYSTEM_VA;
        mdl.allocated = true;
        return mdl;
    }

    /** {@code IoBuildPartialMdl}: a descriptor for {@code length} bytes of {@code source} from {@code offset}. */
    public Mdl partial(Mdl source, int offset, int length, MdlOrigin origin) {
        Mdl mdl = describe(source.buffer, source.start + offset, length, origin, null);
        mdl.flags |= Mdl.MDL_PARTIAL;
        return mdl;
    }

    /**
     * Records who an MDL now serves: a retreat marks the MDL its handler returned as a retreat MDL, so that a later
     * free by the wrong party can be named.
     */
    public void recordOrigin(Mdl mdl, MdlOrigin origin) {
        mdl.origin = origin;
    }

    /** The MDL that is part of a pool element: permanent, not accounted, never freed on its own. */
    public Mdl embedded(MemorySegment buffer, int byteCount) {
        Mdl mdl = new Mdl(this);
        mdl.buffer = buffer;
        mdl.byteCount = byteCount;
        mdl.allocatedByteCount = byteCount;
        mdl.flags = Mdl.MDL_SOURCE_IS_NONPAGED_POOL | Mdl.MDL_MAPPED_TO_SYSTEM_VA;
        mdl.origin = MdlOrigin.POOL_EMBEDDED;
        mdl.allocated = true;
        return mdl;
    }

    /**
     * {@code NdisFreeMdl}/{@code IoFreeMdl}: frees the descriptor only, never the memory it describes and never
     * {@code Next}. A buffer the MDL owned (an NDIS retreat buffer) is leaked, as on Windows.
     */
    public void free(Mdl mdl) {
        release(mdl);
    }

    /**
     * A driver's {@code NdisFreeMdl}: the DDI's documented rule, {@code IRQL <= DISPATCH_LEVEL}
     * ({@code Irql_NetBuffer_Function}), is checked first, then the descriptor is freed as by {@link #free(Mdl)}, which
     * nbl4j's own frees call inside DDIs whose rule was checked already.
     */
    public void free(Mdl mdl, String ddi) {
        if (memory.watch().irqlAtMostDispatch(ddi, "ndis")) {
            release(mdl);
        }
    }

    /** NDIS's default {@code NetFreeMdl}: frees the descriptor and the buffer allocated with it. */
    public void freeWithMemory(Mdl mdl) {
        MemoryBlock owned = mdl.ownedMemory;
        if (release(mdl) && owned != null) {
            memory.free(owned);
        }
    }

    /** Frees the descriptor, unless the free is misuse that the watch lets pass: then it refuses and says so. */
    private boolean release(Mdl mdl) {
        MemoryWatch watch = memory.watch();
        if (mdl.pool != this) {
            throw watch.rejected(MemoryMisuse.MEMORY_FOREIGN_FREE, mdl + " belongs to another MDL pool");
        }
        if (!mdl.allocated) {
            watch.misused(MemoryMisuse.MDL_DOUBLE_FREE, mdl.toString(), null);
            return false;
        }
        if (mdl.origin == MdlOrigin.POOL_EMBEDDED) {
            watch.misused(
                    MemoryMisuse.EMBEDDED_MDL_FREED, "the MDL of a data-pool element is freed with the element", null);
            return false;
        }
        if (mdl.byteCount != mdl.allocatedByteCount) {
            watch.misused(
                    MemoryMisuse.MDL_LENGTH_NOT_RESTORED,
                    mdl + " was allocated with " + mdl.allocatedByteCount + " bytes",
                    null);
            return false;
        }
        mdl.allocated = false;
        mdl.next = null;
        mdl.ownedMemory = null;
        free.give(mdl);
        return true;
    }
}
