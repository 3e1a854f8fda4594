package org.nbl4j.core.buffer;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.memory.TagAccount;
import org.nbl4j.core.memory.TaggedMemory;
import org.nbl4j.core.memory.internal.Recycler;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.LeakReport;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;

/**
 * One instance of the NDIS library: its nonpaged memory, its MDL allocator, its internal default pools and the
 * factory for driver pools.
 *
 * <p>Corresponds to what {@code ndis.sys} keeps for all drivers: {@code NdisAllocateNetBufferListPool},
 * {@code NdisAllocateNetBufferPool}, {@code NdisAllocateMemoryWithTagPriority}, {@code NdisAllocateMdl}, the default
 * pools clones and fragments use when given {@code NULL} pool handles, and the default {@code NetAllocateMdl} of
 * retreats. Tests and applications make as many independent instances as they like.
 *
 * <p>The tags of NDIS's own allocations are nbl4j's choice (Windows does not document them): {@code NDnl} and
 * {@code NDnb} for the default pools, {@code NDrt} for retreat and fragment header buffers, {@code NDam} for
 * {@code NdisAllocateMemoryWithTagPriority} without a tag of the caller's, {@code Mdl } for MDL descriptors.
 */
public final class Ndis implements AutoCloseable {
    /** The default NBL pool's tag. */
    public static final PoolTag DEFAULT_NBL_POOL_TAG = PoolTag.of("NDnl");
    /** The default NB pool's tag. */
    public static final PoolTag DEFAULT_NB_POOL_TAG = PoolTag.of("NDnb");
    /** Buffers NDIS allocates for retreats and fragment headers. */
    public static final PoolTag RETREAT_TAG = PoolTag.of("NDrt");
    /** {@code NdisAllocateMemoryWithTagPriority}'s documented default tag {@code 'maDN'}. */
    public static final PoolTag DEFAULT_MEMORY_TAG = PoolTag.of("NDam");

    private final boolean checked;
    private boolean closed;
    private final Verifier verifier;
    private final TaggedMemory memory;
    private final MdlPool mdls;
    private final TagAccount retreatAccount;
    /** The account of the last context tag, read and written racily: TagAccount's fields are final, so any read sees one whole. */
    private @Nullable TagAccount lastContextAccount;

    private final Recycler<NetBufferListContext> contextDescriptors = new Recycler<>();
    private final NetBufferListPool defaultNetBufferListPool;
    private final NetBufferPool defaultNetBufferPool;
    private final AtomicInteger partialCancelIds = new AtomicInteger();

    private Ndis(boolean checked, VerifierSettings settings) {
        this.checked = checked;
        this.verifier = new Verifier(settings);
        this.memory = new TaggedMemory(checked, verifier.memoryWatch());
        this.mdls = new MdlPool(memory);
        this.retreatAccount = memory.account(RETREAT_TAG);
        this.defaultNetBufferListPool =
                new NetBufferListPool(this, NetBufferListPoolParameters.of(0, true, 0, DEFAULT_NBL_POOL_TAG, 0));
        this.defaultNetBufferPool = new NetBufferPool(this, NetBufferPoolParameters.of(DEFAULT_NB_POOL_TAG, 0));
    }

    /** An NDIS instance that recycles memory at once, with the standard verifier (sampled tracking, throw). */
    public static Ndis create() {
        return create(VerifierSettings.standard());
    }

    /** An NDIS instance that recycles memory at once, with the given verifier settings. */
    public static Ndis create(VerifierSettings settings) {
        return new Ndis(false, settings);
    }

    /**
     * An NDIS instance in checked mode: every memory block and pool element gets its own arena, closed when it is
     * freed, and freed NBLs and NBs refuse further use, so a use after free throws instead of reading stale bytes.
     */
    public static Ndis createChecked() {
        return createChecked(VerifierSettings.standard());
    }

    /** A checked-mode NDIS instance with the given verifier settings. */
    public static Ndis createChecked(VerifierSettings settings) {
        return new Ndis(true, settings);
    }

    /** The verifier: tracking, violations, leak and pending-NBL reports. */
    public Verifier verifier() {
        return verifier;
    }

    /** Whether use after free is caught. */
    public boolean checked() {
        return checked;
    }

    /** The tagged memory everything of this instance is accounted in. */
    public TaggedMemory memory() {
        return memory;
    }

    /** The MDL allocator. */
    public MdlPool mdls() {
        return mdls;
    }

    /** Every tag's totals now: the data behind a poolmon screen. */
    public PoolUsageSnapshot poolUsage() {
        return memory.snapshot();
    }

    /**
     * {@code NdisAllocateNetBufferListPool}.
     *
     * @return the pool, or {@code null} if the parameters are invalid (§4.6)
     */
    public @Nullable NetBufferListPool allocateNetBufferListPool(NetBufferListPoolParameters parameters) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateNetBufferListPool", NetBufferList.NBLAPI)) {
            return null;
        }
        return parameters.isValid() ? new NetBufferListPool(this, parameters) : null;
    }

    /**
     * {@code NdisAllocateNetBufferPool}.
     *
     * @return the pool, or {@code null} if the parameters are invalid (§3.10)
     */
    public @Nullable NetBufferPool allocateNetBufferPool(NetBufferPoolParameters parameters) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateNetBufferPool", NetBufferList.NBLAPI)) {
            return null;
        }
        return parameters.isValid() ? new NetBufferPool(this, parameters) : null;
    }

    /** NDIS's internal NBL pool (one NB per NBL, no context, no data), used for {@code NULL} pool handles. */
    public NetBufferListPool defaultNetBufferListPool() {
        return defaultNetBufferListPool;
    }

    /** NDIS's internal NB pool, used for {@code NULL} pool handles. */
    public NetBufferPool defaultNetBufferPool() {
        return defaultNetBufferPool;
    }

    /**
     * {@code NdisAllocateMemoryWithTagPriority}: {@code length} bytes of nonpaged memory under {@code tag}; treat the
     * contents as uninitialised.
     *
     * @return the memory, or {@code null} if {@code length} is 0
     */
    public @Nullable MemoryBlock allocateMemoryWithTag(int length, PoolTag tag) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateMemoryWithTagPriority", "ndis")) {
            return null;
        }
        return memory.allocate(tag, length);
    }

    /**
     * {@code NdisFreeMemoryWithTagPriority} (the handle's counterpart of {@code NdisFreeMemory}, and reported as it):
     * checked against its IRQL rule, then freed.
     */
    public void freeMemory(MemoryBlock block) {
        memory.free(block, "NdisFreeMemoryWithTagPriority");
    }

    /** {@code NdisAllocateMdl}: an MDL over the first {@code length} bytes of off-heap memory the caller owns. */
    public @Nullable Mdl allocateMdl(MemorySegment memory, int length) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateMdl", "ndis")) {
            return null;
        }
        return mdls.allocate(memory, length);
    }

    /** {@code NdisFreeMdl}: checked against its IRQL rule, then frees the descriptor only. */
    public void freeMdl(Mdl mdl) {
        mdls.free(mdl, "NdisFreeMdl");
    }

    /**
     * {@code NdisGeneratePartialCancelId}: the high byte for the cancel ids of one originator (ndis-buffers §6.7). Each
     * call returns the next value of a counter kept by this NDIS instance, wrapping after 0xFF, so the originators that
     * each call it once (at DriverEntry) get distinct values until 256 of them have asked.
     *
     * <p>Its documented rule is {@code IRQL <= DISPATCH_LEVEL} ({@code Irql_Miscellaneous_Function}). A refused call
     * (the verifier's policy did not throw) returns 0 without taking a value from the counter.
     *
     * @return a UCHAR, 0 to 0xFF
     */
    public int generatePartialCancelId() {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisGeneratePartialCancelId", "ndis")) {
            return 0;
        }
        return partialCancelIds.getAndIncrement() & 0xFF;
    }

    /** NDIS's default {@code NetAllocateMdl}: an MDL and a buffer of {@code size} bytes, or {@code null}. */
    @Nullable
    Mdl allocateRetreatMdl(int size) {
        MemoryBlock block = memory.allocate(retreatAccount, size);
        if (block == null) {
            return null;
        }
        return mdls.describe(block.segment(), 0, size, MdlOrigin.NDIS_RETREAT_DEFAULT, block);
    }

    /** NDIS's default {@code NetFreeMdl}: the MDL, and the buffer if the default allocator made it. */
    void freeRetreatMdl(Mdl mdl) {
        mdls.freeWithMemory(mdl);
    }

    @Nullable
    NetBufferListContext allocateContextBlock(int size, PoolTag tag) {
        TagAccount account = lastContextAccount;
        if (account == null || account.tag().value() != tag.value()) {
            // Drivers allocate their contexts under one or two tags: remembering the last one spares the tag map
            // lookup on the per-packet path (WFP's deep clone allocates a context for every packet).
            account = memory.account(tag);
            lastContextAccount = account;
        }
        MemoryBlock block = memory.allocate(account, NetBufferListContext.HEADER_BYTES + (long) size);
        if (block == null) {
            return null;
        }
        NetBufferListContext context = contextDescriptors.take();
        if (context == null) {
            context = new NetBufferListContext(false);
        }
        context.block = block;
        context.memory = block.segment();
        context.size = size;
        context.offset = size;
        context.next = null;
        return context;
    }

    void freeContextBlock(NetBufferListContext context) {
        MemoryBlock block = context.block;
        if (block == null) {
            return;
        }
        context.block = null;
        context.memory = MemorySegment.NULL;
        context.next = null;
        memory.free(block);
        contextDescriptors.give(context);
    }

    /**
     * Shuts this NDIS down: stops the held-clone watchdog's timer, frees the default pools and all memory, after which
     * anything still allocated is unusable.
     * Whatever is still allocated under any tag is first noted as {@link BufferRule#LEAKED_AT_SHUTDOWN}, with the
     * outstanding tags and the allocation sites of the tracked buffers among them: logged and kept in the verifier's
     * violations, never thrown, since a shutdown cannot be refused. Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        verifier.close();
        try {
            List<PoolUsage> outstanding = memory.snapshot().outstanding();
            if (outstanding.isEmpty()) {
                defaultNetBufferListPool.close();
                defaultNetBufferPool.close();
            } else {
                StringBuilder detail = new StringBuilder("still allocated at shutdown:\n");
                long count = 0;
                for (PoolUsage usage : outstanding) {
                    detail.append("  ")
                            .append(usage.tag())
                            .append(": ")
                            .append(usage.diff())
                            .append(" allocation(s), ")
                            .append(usage.bytes())
                            .append(" bytes\n");
                    count += usage.diff();
                }
                LeakReport tracked = verifier.leaks("NDIS shutdown");
                if (!tracked.isEmpty()) {
                    detail.append(tracked.describe());
                }
                verifier.report(BufferRule.LEAKED_AT_SHUTDOWN, detail.toString(), null, count);
            }
        } finally {
            memory.close();
        }
    }
}
