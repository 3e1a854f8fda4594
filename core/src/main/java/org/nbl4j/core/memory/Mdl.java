package org.nbl4j.core.memory;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A memory descriptor list entry: a run of bytes in off-heap memory, linked to the next entry of a chain.
 *
 * <p>Corresponds to the parts of the Windows {@code MDL} that networking uses (ndis-buffers §2): {@code Next},
 * {@code ByteCount}, {@code ByteOffset}, {@code MdlFlags} and the mapped address. The described bytes are
 * {@code buffer()[bufferOffset(), bufferOffset() + byteCount())}; the MDL never owns the memory it describes, except
 * the buffer an NDIS default retreat allocated with it, which {@link MdlPool#freeWithMemory} releases together.
 */
public final class Mdl {
    /** MDL_MAPPED_TO_SYSTEM_VA: the system address is valid. */
    public static final int MDL_MAPPED_TO_SYSTEM_VA = 0x0001;
    /** MDL_SOURCE_IS_NONPAGED_POOL: built over nonpaged memory, so always mapped. */
    public static final int MDL_SOURCE_IS_NONPAGED_POOL = 0x0004;
    /** MDL_PARTIAL: describes part of another MDL's memory (IoBuildPartialMdl). */
    public static final int MDL_PARTIAL = 0x0010;
    /** MDL_NETWORK_HEADER: marks header MDLs of the network stack. */
    public static final int MDL_NETWORK_HEADER = 0x1000;
    /** The page size used by MDL arithmetic ({@code PAGE_SIZE}). */
    public static final int PAGE_SIZE = 4096;

    final MdlPool pool;

    @Nullable
    Mdl next;

    MemorySegment buffer = MemorySegment.NULL;
    long start;
    int byteCount;
    int allocatedByteCount;
    int flags;
    MdlOrigin origin = MdlOrigin.CALLER;

    @Nullable
    MemoryBlock ownedMemory;

    boolean allocated;

    Mdl(MdlPool pool) {
        this.pool = pool;
    }

    /** {@code Next} ({@code NDIS_MDL_LINKAGE}, {@code NdisGetNextMdl}). */
    public @Nullable Mdl next() {
        return next;
    }

    /** Sets {@code Next}; only the MDL chain's owner may relink. */
    public void setNext(@Nullable Mdl next) {
        this.next = next;
    }

    /** {@code ByteCount} ({@code MmGetMdlByteCount}): may be 0. */
    public int byteCount() {
        return byteCount;
    }

    /** {@code ByteOffset} ({@code MmGetMdlByteOffset}): offset of the first byte inside its 4 KiB page. */
    public int byteOffset() {
        return (int) (virtualAddress() & (PAGE_SIZE - 1));
    }

    /** The address of the first described byte ({@code MmGetMdlVirtualAddress}). */
    public long virtualAddress() {
        return buffer.address() + start;
    }

    /** {@code MdlFlags}. */
    public int flags() {
        return flags;
    }

    /** The allocator that made this descriptor and must free it ({@code NdisFreeMdl} takes no handle). */
    public MdlPool pool() {
        return pool;
    }

    /** Who made this MDL. */
    public MdlOrigin origin() {
        return origin;
    }

    /** Whether this MDL is allocated (not yet freed). */
    public boolean isAllocated() {
        return allocated;
    }

    /** The segment the described bytes lie in; they start at {@link #bufferOffset()}. Never sliced: no allocation. */
    public MemorySegment buffer() {
        return buffer;
    }

    /** Where the described bytes start inside {@link #buffer()}. */
    public long bufferOffset() {
        return start;
    }

    /** The described bytes as a segment of their own ({@code NdisQueryMdl}); allocates a view. */
    public MemorySegment memory() {
        return buffer.asSlice(start, byteCount);
    }

    /**
     * Checks the documented rule of a DDI that reads this MDL, {@code IRQL <= DISPATCH_LEVEL} ({@code NdisQueryMdl},
     * {@code NdisQueryMdlOffset}: {@code Irql_NetBuffer_Function}), against the caller's IRQL. The plain getters
     * ({@code MmGetMdlByteCount} and the like) may be called at any IRQL and check nothing.
     *
     * @param header the header whose page documents the rule: {@code ndis}
     * @return whether the call may go on; if not, a violation was reported and the DDI must refuse
     */
    public boolean mayQuery(String ddi, String header) {
        return pool.memory().watch().irqlAtMostDispatch(ddi, header);
    }

    /**
     * {@code MmGetSystemAddressForMdlSafe}: the described bytes, after the DDI's documented rule,
     * {@code IRQL <= DISPATCH_LEVEL}. Every nbl4j MDL describes nonpaged memory that is always mapped, so the only way
     * to get {@code NULL} is to break that rule under a policy that does not throw.
     *
     * @return {@link #memory()}, or {@code null} (what Windows returns when it cannot map) if the call was refused
     */
    public @Nullable MemorySegment systemAddress() {
        return mayQuery("MmGetSystemAddressForMdlSafe", "wdm") ? memory() : null;
    }

    /** Pages spanned by the described bytes ({@code NDIS_MDL_TO_SPAN_PAGES}): 1 for an empty MDL. */
    public int spanPages() {
        if (byteCount == 0) {
            return 1;
        }
        long first = virtualAddress();
        long last = first + byteCount - 1;
        return (int) ((last / PAGE_SIZE) - (first / PAGE_SIZE) + 1);
    }

    /**
     * {@code NdisAdjustMdlLength}: rewrites {@code ByteCount} of an MDL the caller allocated. The new length must not
     * exceed the length the MDL was allocated with, and that length must be restored before the MDL is freed.
     */
    public void adjustLength(int length) {
        if (length < 0 || length > allocatedByteCount) {
            throw pool.memory()
                    .watch()
                    .rejected(
                            MemoryMisuse.MDL_ADJUST_TOO_LONG,
                            "length " + length + ", allocated with " + allocatedByteCount);
        }
        byteCount = length;
    }

    @Override
    public String toString() {
        return "MDL[" + origin + ", " + byteCount + " bytes at 0x" + Long.toHexString(virtualAddress()) + "]";
    }
}
