package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;

/**
 * A list of packets ({@link NetBuffer}s) that share out-of-band information, and the unit of every hand-off in the
 * data path.
 *
 * <p>Corresponds to {@code NET_BUFFER_LIST} (ndis-buffers §4). Getters and setters are the {@code NET_BUFFER_LIST_*}
 * accessors. The information slots ({@code NetBufferListInfo[]}) hold either a value packed into the pointer-sized
 * slot ({@link #infoValue}) or a reference ({@link #info}); setting one form clears the other. Derived NBLs (clones,
 * fragments, reassemblies) record their parent only if the caller sets it (§5.1).
 */
public final class NetBufferList {
    private static final VarHandle CHILD_REF_COUNT;
    private static final int WFP_INFO_SLOT = NetBufferListInfo.WfpNetBufferListInfo.index();
    private static final int FRAME_TYPE_SLOT = NetBufferListInfo.NetBufferListFrameType.index();
    /** {@link #written}'s bits for the information slots: one per slot index. */
    private static final int INFO_SLOTS_WRITTEN = (1 << NetBufferListInfo.MaxNetBufferListInfo) - 1;

    private static final int PARENT_WRITTEN = 1 << 27;
    private static final int SCRATCH_WRITTEN = 1 << 28;
    private static final int SOURCE_HANDLE_WRITTEN = 1 << 29;
    private static final int PROTOCOL_RESERVED_HANDED_OUT = 1 << 30;
    private static final int MINIPORT_RESERVED_HANDED_OUT = 1 << 31;

    static {
        try {
            CHILD_REF_COUNT = MethodHandles.lookup().findVarHandle(NetBufferList.class, "childRefCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NetBufferListPool pool;
    final @Nullable NetBuffer embeddedNetBuffer;
    /**
     * The pool's verifier is on: kept in the NBL itself (it never changes), so that with the verifier off every
     * check on the common path is one test of a field the NBL already has in cache.
     */
    /**
     * The header whose pages document the NB and NBL functions' rule {@code IRQL <= DISPATCH_LEVEL} (SDV's
     * {@code Irql_NetBuffer_Function}; ndis-buffers §6.11).
     */
    static final String NBLAPI = "nblapi";

    private final boolean verifying;
    /** The verifier is on or NDIS runs in checked mode: {@link #mayTouch} has more to do than say yes. */
    private final boolean guarded;

    @Nullable
    NetBufferListContext embeddedContext;

    @Nullable
    NetBufferList next;

    @Nullable
    NetBuffer firstNetBuffer;

    @Nullable
    NetBufferListContext context;

    @Nullable
    NetBufferList parent;

    final @Nullable Object[] protocolReserved = new Object[4];
    final @Nullable Object[] miniportReserved = new Object[2];

    @Nullable
    Object scratch;

    @Nullable
    Object sourceHandle;

    int nblFlags;
    volatile int childRefCount;
    int flags;
    int status;
    final long[] infoValues = new long[NetBufferListInfo.MaxNetBufferListInfo];
    final @Nullable Object[] infoReferences = new Object[NetBufferListInfo.MaxNetBufferListInfo];
    /**
     * What may hold something allocation must clear, one bit each, so that allocation clears only what was used: the
     * information slots (bits 0 to 26, the slot index; every writer of {@link #infoValues} or {@link #infoReferences}
     * must set the slot's bit, see {@link #markInfoWritten}), {@code ParentNetBufferList}, {@code Scratch} and
     * {@code SourceHandle} (set through their setters), and the reserved areas, marked when their accessors hand them
     * out, as what a caller then writes into them cannot be seen.
     */
    int written;

    /** NDIS-private slot 28: an emptied context block kept for the next push. */
    @Nullable
    NetBufferListContext spareContext;
    /** The block made for the allocation call's ContextSize (private flag 0x400): freed with the NBL. */
    @Nullable
    NetBufferListContext allocationContext;

    NetBufferListKind kind = NetBufferListKind.ALLOCATED;
    /** For clones: the AllocateCloneFlags; for fragments and reassemblies: the DataOffsetDelta. */
    int derivationArgument;
    /**
     * A clone's structure as {@code NdisAllocateCloneNetBufferList} made it, compared by its free; made the first time
     * this descriptor is a clone with the verifier on, then reused with it.
     */
    @Nullable
    CloneStructure cloneStructure;
    /** Who may touch the NBL (kept while the verifier is on). */
    OwnerState owner = OwnerState.FREE;
    /** The verifier's record of this NBL, if sampled; kept after the free to name the first free on a second one. */
    @Nullable
    BufferTrack track;
    /** Checked-mode chain marking (ndis-buffers §10.6). */
    long chainMark;
    /** Checked mode: the arena of this element's memory, closed when the NBL is freed. */
    @Nullable
    Arena elementArena;

    NetBufferList(NetBufferListPool pool, boolean withNetBuffer) {
        this.pool = pool;
        this.embeddedNetBuffer = withNetBuffer ? new NetBuffer(pool, this) : null;
        this.verifying = pool.verifier().enabled();
        this.guarded = verifying || pool.ndis().checked();
        infoValues[FRAME_TYPE_SLOT] = pool.parameters().protocolId();
    }

    // ---- fields ----

    /** {@code NET_BUFFER_LIST_NEXT_NBL}. */
    public @Nullable NetBufferList next() {
        return next;
    }

    /** Sets {@code Next}: the current owner may move NBLs between chains. */
    public void setNext(@Nullable NetBufferList next) {
        this.next = next;
    }

    /** {@code NET_BUFFER_LIST_FIRST_NB}. */
    public @Nullable NetBuffer firstNetBuffer() {
        return firstNetBuffer;
    }

    /** Sets {@code FirstNetBuffer}. */
    public void setFirstNetBuffer(@Nullable NetBuffer firstNetBuffer) {
        this.firstNetBuffer = firstNetBuffer;
    }

    /** {@code Context}: the top block of the context stack, or {@code null}. */
    public @Nullable NetBufferListContext context() {
        return context;
    }

    /** {@code ParentNetBufferList}: set by whoever derived this NBL, never by NDIS (§5.1). */
    public @Nullable NetBufferList parent() {
        return parent;
    }

    /** Sets {@code ParentNetBufferList}. */
    public void setParent(@Nullable NetBufferList parent) {
        written |= PARENT_WRITTEN;
        this.parent = parent;
    }

    /** {@code ChildRefCount}: live children, kept by the caller (§5.1). */
    public int childRefCount() {
        return childRefCount;
    }

    /** Adds one child ({@code InterlockedIncrement(&ChildRefCount)}); returns the new count. */
    public int incrementChildRefCount() {
        return (int) CHILD_REF_COUNT.getAndAdd(this, 1) + 1;
    }

    /** Removes one child ({@code InterlockedDecrement(&ChildRefCount)}); returns the new count. */
    public int decrementChildRefCount() {
        return (int) CHILD_REF_COUNT.getAndAdd(this, -1) - 1;
    }

    /** The pool this NBL came from; nbl4j's own code and diagnostics read it at any IRQL. */
    public NetBufferListPool pool() {
        return pool;
    }

    /**
     * {@code NdisGetPoolFromNetBufferList}: {@link #pool()} after the DDI's documented rule, {@code IRQL <=
     * DISPATCH_LEVEL} ({@code Irql_NetBuffer_Function}).
     *
     * @return the pool, or {@code null} if the caller's IRQL breaks the rule and the verifier's policy did not throw
     */
    public @Nullable NetBufferListPool poolHandle() {
        return pool.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "NdisGetPoolFromNetBufferList", NBLAPI) ? pool : null;
    }

    /** {@code Scratch}: free for the current owner; {@code null} at allocation. */
    public @Nullable Object scratch() {
        return scratch;
    }

    /** Sets {@code Scratch}. */
    public void setScratch(@Nullable Object scratch) {
        written |= SCRATCH_WRITTEN;
        this.scratch = scratch;
    }

    /** {@code SourceHandle}: the originator's handle, which routes completion and return (§6.5). */
    public @Nullable Object sourceHandle() {
        return sourceHandle;
    }

    /** Sets {@code SourceHandle}. */
    public void setSourceHandle(@Nullable Object sourceHandle) {
        written |= SOURCE_HANDLE_WRITTEN;
        this.sourceHandle = sourceHandle;
    }

    /** {@code NET_BUFFER_LIST_NBL_FLAGS}: the public {@code NDIS_NBL_FLAGS_*} attributes. */
    public int nblFlags() {
        return nblFlags;
    }

    /** Sets {@code NblFlags}. */
    public void setNblFlags(int nblFlags) {
        this.nblFlags = nblFlags;
    }

    /** {@code NdisTestNblFlag}: whether any of the bits is set. */
    public boolean testNblFlag(int flag) {
        return (nblFlags & flag) != 0;
    }

    /** {@code NdisTestNblFlags}: whether all of the bits are set. */
    public boolean testNblFlags(int flags) {
        return (nblFlags & flags) == flags;
    }

    /** {@code NdisSetNblFlag}. */
    public void setNblFlag(int flag) {
        nblFlags |= flag;
    }

    /** {@code NdisClearNblFlag}. */
    public void clearNblFlag(int flag) {
        nblFlags &= ~flag;
    }

    /** {@code NET_BUFFER_LIST_FLAGS}: the partitioned private word ({@code NBL_FLAGS_*}). */
    public int flags() {
        return flags;
    }

    /** Sets {@code Flags}; only the bits the caller's role owns should change. */
    public void setFlags(int flags) {
        this.flags = flags;
    }

    /** {@code NET_BUFFER_LIST_STATUS}: the completion status (§4.3). */
    public int status() {
        return status;
    }

    /** Sets {@code Status}. */
    public void setStatus(int status) {
        this.status = status;
    }

    /**
     * {@code NET_BUFFER_LIST_PROTOCOL_RESERVED}: four slots, null at allocation. The NBL notes that the area was handed
     * out, so that only then the next allocation clears it.
     */
    public @Nullable Object[] protocolReserved() {
        written |= PROTOCOL_RESERVED_HANDED_OUT;
        return protocolReserved;
    }

    /**
     * {@code NET_BUFFER_LIST_MINIPORT_RESERVED}: two slots, null at allocation; handing the area out is noted as for
     * {@link #protocolReserved()}.
     */
    public @Nullable Object[] miniportReserved() {
        written |= MINIPORT_RESERVED_HANDED_OUT;
        return miniportReserved;
    }

    /** How this NBL was made. */
    public NetBufferListKind kind() {
        return kind;
    }

    /** Whether the NBL is allocated (not yet freed). */
    public boolean isAllocated() {
        return (flags & NblFlags.NBL_ALLOCATED) != 0;
    }

    // ---- information slots (§4.4) ----

    /** {@code NET_BUFFER_LIST_INFO(nbl, slot)} when the slot holds a reference. */
    public @Nullable Object info(NetBufferListInfo slot) {
        return infoReferences[slot.index()];
    }

    /** {@code NET_BUFFER_LIST_INFO(nbl, slot)} when the slot holds a value packed into the pointer. */
    public long infoValue(NetBufferListInfo slot) {
        return infoValues[slot.index()];
    }

    /** Whether the slot is non-NULL, whichever form it holds. */
    public boolean isInfoSet(NetBufferListInfo slot) {
        return infoValues[slot.index()] != 0 || infoReferences[slot.index()] != null;
    }

    /**
     * Stores a reference in a slot. {@code WfpNetBufferListInfo} is WFP's alone (§4.4): see {@link #setWfpInfo}.
     */
    public void setInfo(NetBufferListInfo slot, @Nullable Object reference) {
        requireDriverSlot(slot);
        markInfoWritten(slot.index());
        infoReferences[slot.index()] = reference;
        infoValues[slot.index()] = 0;
    }

    /** Stores a value packed into the slot; {@code WfpNetBufferListInfo} is WFP's alone. */
    public void setInfoValue(NetBufferListInfo slot, long value) {
        requireDriverSlot(slot);
        markInfoWritten(slot.index());
        infoValues[slot.index()] = value;
        infoReferences[slot.index()] = null;
    }

    /** The WFP information container in {@code WfpNetBufferListInfo}, for the WFP layer that owns the slot. */
    public void setWfpInfo(@Nullable Object container) {
        markInfoWritten(WFP_INFO_SLOT);
        infoReferences[WFP_INFO_SLOT] = container;
        infoValues[WFP_INFO_SLOT] = 0;
    }

    /** {@code NdisGetNetBufferListProtocolId}: the low byte of {@code NetBufferListProtocolId}. */
    public int protocolId() {
        return (int) (infoValues[FRAME_TYPE_SLOT] & 0xFF);
    }

    /** {@code NdisSetNetBufferListProtocolId}: writes only the low byte of the slot. */
    public void setProtocolId(int protocolId) {
        markInfoWritten(FRAME_TYPE_SLOT);
        infoValues[FRAME_TYPE_SLOT] = (infoValues[FRAME_TYPE_SLOT] & ~0xFFL) | (protocolId & 0xFF);
        infoReferences[FRAME_TYPE_SLOT] = null;
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_VALUE}. */
    public int hashValue() {
        return (int) infoValues[NetBufferListInfo.NetBufferListHashValue.index()];
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_VALUE}. */
    public void setHashValue(int hash) {
        setInfoValue(NetBufferListInfo.NetBufferListHashValue, Integer.toUnsignedLong(hash));
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_FUNCTION}: {@code HashInfo & 0x000000FF}. */
    public int hashFunction() {
        return (int) (infoValues[NetBufferListInfo.NetBufferListHashInfo.index()] & 0x000000FF);
    }

    /** {@code NET_BUFFER_LIST_GET_HASH_TYPE}: {@code HashInfo & 0x00FFFF00}. */
    public int hashType() {
        return (int) (infoValues[NetBufferListInfo.NetBufferListHashInfo.index()] & 0x00FFFF00);
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_FUNCTION}: read-modify-write under the function mask. */
    public void setHashFunction(int function) {
        long info = infoValues[NetBufferListInfo.NetBufferListHashInfo.index()];
        setInfoValue(NetBufferListInfo.NetBufferListHashInfo, (info & ~0x000000FFL) | (function & 0x000000FF));
    }

    /** {@code NET_BUFFER_LIST_SET_HASH_TYPE}: read-modify-write under the type mask. */
    public void setHashType(int type) {
        long info = infoValues[NetBufferListInfo.NetBufferListHashInfo.index()];
        setInfoValue(NetBufferListInfo.NetBufferListHashInfo, (info & ~0x00FFFF00L) | (type & 0x00FFFF00));
    }

    /** {@code NDIS_GET_NET_BUFFER_LIST_CANCEL_ID}. */
    public long cancelId() {
        return infoValues[NetBufferListInfo.NetBufferListCancelId.index()];
    }

    /** {@code NDIS_SET_NET_BUFFER_LIST_CANCEL_ID}. */
    public void setCancelId(long cancelId) {
        setInfoValue(NetBufferListInfo.NetBufferListCancelId, cancelId);
    }

    /** Records that slot {@code index} was written, so that the next allocation clears it. */
    void markInfoWritten(int index) {
        written |= 1 << index;
    }

    private void requireDriverSlot(NetBufferListInfo slot) {
        if (slot == NetBufferListInfo.WfpNetBufferListInfo) {
            throw pool.verifier()
                    .rejected(BufferRule.INFO_SLOT_RESERVED, "no driver may store in WfpNetBufferListInfo");
        }
    }

    // ---- context stack (§4.5) ----

    /**
     * {@code NdisAllocateNetBufferListContext}: pushes {@code size} bytes of context. Room in the top block is used
     * first, then the spare block NDIS kept from an earlier pop, then a new block of {@code size + backFill} bytes
     * allocated under {@code tag}.
     *
     * @return SUCCESS (also for size 0), {@code NDIS_STATUS_INVALID_DATA} if a size is not a multiple of 8, or
     *     {@code NDIS_STATUS_RESOURCES}
     */
    public int allocateContext(int size, int backFill, PoolTag tag) {
        if (!mayTouch("NdisAllocateNetBufferListContext")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        if (size == 0) {
            return NtStatus.NDIS_STATUS_SUCCESS;
        }
        if (size < 0 || backFill < 0 || size > 0xFFFF || backFill > 0xFFFF || size % 8 != 0 || backFill % 8 != 0) {
            return NtStatus.NDIS_STATUS_INVALID_DATA;
        }
        NetBufferListContext top = context;
        if (top != null && top.offset >= size) {
            top.offset -= size;
            return NtStatus.NDIS_STATUS_SUCCESS;
        }
        NetBufferListContext spare = spareContext;
        if (spare != null && spare.size >= size) {
            spare.offset -= size;
            spare.next = top;
            context = spare;
            spareContext = null;
            return NtStatus.NDIS_STATUS_SUCCESS;
        }
        NetBufferListContext block = pool.ndis().allocateContextBlock(size + backFill, tag);
        if (block == null) {
            return NtStatus.NDIS_STATUS_RESOURCES;
        }
        block.offset = block.size - size;
        block.next = top;
        context = block;
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisFreeNetBufferListContext}: pops {@code size} bytes. A block emptied by the pop leaves the stack and
     * is kept as the spare (or freed if there already is one); a pop larger than the top block spills into the block
     * below. The pool's preallocated block is never popped.
     *
     * @throws RuleViolation if more is popped than was pushed (NDIS would silently corrupt {@code Offset > Size})
     */
    public void freeContext(int size) {
        if (!mayTouch("NdisFreeNetBufferListContext")) {
            return;
        }
        long pushed = 0;
        for (NetBufferListContext block = context; block != null; block = block.next) {
            pushed += block.size - block.offset;
        }
        if (size < 0 || size > pushed) {
            throw pool.verifier()
                    .rejected(BufferRule.CONTEXT_OVER_RELEASE, "popping " + size + " bytes, " + pushed + " in use");
        }
        int remaining = size;
        while (remaining > 0) {
            NetBufferListContext top = context;
            if (top == null) {
                return;
            }
            top.offset += remaining;
            if (top.poolPreallocated || top.offset < top.size) {
                return;
            }
            remaining = top.offset - top.size;
            context = top.next;
            top.offset = top.size;
            top.next = null;
            if (spareContext == null) {
                spareContext = top;
            } else {
                releaseContextBlock(top);
            }
        }
    }

    /** {@code NET_BUFFER_LIST_CONTEXT_DATA_START}: offset of the most recent push inside the top block. */
    public int contextDataStart() {
        NetBufferListContext top = context;
        return top == null ? 0 : top.offset;
    }

    /**
     * {@code NET_BUFFER_LIST_CONTEXT_DATA_SIZE}: the size of the whole top block, used and unused, as the header
     * defines it (the conceptual documentation says "used"; §4.5 and §12.6). See {@link #contextUsedSize()}.
     */
    public int contextDataSize() {
        NetBufferListContext top = context;
        return top == null ? 0 : top.size;
    }

    /** The used part of the top block: {@code Size - Offset}. */
    public int contextUsedSize() {
        NetBufferListContext top = context;
        return top == null ? 0 : top.size - top.offset;
    }

    void releaseContextBlock(NetBufferListContext block) {
        if (block == allocationContext) {
            allocationContext = null;
        }
        pool.ndis().freeContextBlock(block);
    }

    // ---- data-space operations on every NB (§3.5) ----

    /**
     * {@code NdisRetreatNetBufferListDataStart}: retreats every NB; if one fails, those before it are advanced back
     * with {@code FreeMdl = TRUE} (§3.5) and the failure is returned.
     *
     * @return SUCCESS, RESOURCES, or INVALID_PARAMETER when exactly one of the two handlers is given
     */
    public int retreat(
            int delta, int backFill, @Nullable NetBufferMdlAllocator allocator, @Nullable NetBufferMdlFreer freer) {
        if (!mayTouch("NdisRetreatNetBufferListDataStart")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        if ((allocator == null) != (freer == null)) {
            return NtStatus.NDIS_STATUS_INVALID_PARAMETER;
        }
        for (NetBuffer nb = firstNetBuffer; nb != null; nb = nb.next) {
            int result = nb.retreat(delta, backFill, allocator);
            if (result != NtStatus.NDIS_STATUS_SUCCESS) {
                for (NetBuffer done = firstNetBuffer; done != nb && done != null; done = done.next) {
                    done.advance(delta, true, freer);
                }
                return result;
            }
        }
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /** {@code NdisAdvanceNetBufferListDataStart}: advances every NB (§3.4). */
    public void advance(int delta, boolean freeMdl, @Nullable NetBufferMdlFreer freer) {
        if (!mayTouch("NdisAdvanceNetBufferListDataStart")) {
            return;
        }
        for (NetBuffer nb = firstNetBuffer; nb != null; nb = nb.next) {
            nb.advance(delta, freeMdl, freer);
        }
    }

    // ---- derived NBLs (§5) ----

    /**
     * {@code NdisAllocateCloneNetBufferList} (§5.2): a new NBL whose NBs share this NBL's data. With
     * {@link CloneFlags#NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS} the clone's NBs use the same MDLs, headroom included;
     * otherwise they get partial MDLs over exactly the used data and no headroom. Only {@code SourceHandle},
     * {@code NblOriginalInterfaceIfIndex} and the correlation id are copied; parent and child count are left to the
     * caller (§5.1).
     *
     * @param nblPool the clone's NBL pool, {@code null} for NDIS's default; must not be a data pool
     * @param nbPool the pool for NBs beyond the NBL's own, {@code null} for NDIS's default
     * @return the clone, or {@code null} if an allocation failed
     */
    public @Nullable NetBufferList allocateClone(
            @Nullable NetBufferListPool nblPool, @Nullable NetBufferPool nbPool, int cloneFlags) {
        return Derivations.clone(this, nblPool, nbPool, cloneFlags);
    }

    /**
     * {@code NdisFreeCloneNetBufferList} (§5.2): frees this clone. Without USE_ORIGINAL_MDLS every MDL of every NB is
     * freed (descriptor only), so MDLs a retreat added must be removed first or their buffers leak.
     *
     * @throws RuleViolation if this is not a clone, or the flags differ from the ones it was allocated with
     */
    public void freeClone(int freeCloneFlags) {
        Derivations.freeClone(this, freeCloneFlags);
    }

    /**
     * {@code NdisAllocateFragmentNetBufferList} (§5.3): cuts each NB's data after {@code startOffset} into fragments
     * of at most {@code maximumLength} bytes, one NB each, and gives each {@code dataOffsetDelta} bytes of fresh
     * header space.
     *
     * @return the fragment NBL, or {@code null} when {@code maximumLength} is 0, nothing lies after
     *     {@code startOffset}, or an allocation failed
     */
    public @Nullable NetBufferList allocateFragment(
            @Nullable NetBufferListPool nblPool,
            @Nullable NetBufferPool nbPool,
            int startOffset,
            int maximumLength,
            int dataOffsetDelta,
            int dataBackFill,
            int allocateFragmentFlags) {
        return Derivations.fragment(
                this,
                nblPool,
                nbPool,
                startOffset,
                maximumLength,
                dataOffsetDelta,
                dataBackFill,
                allocateFragmentFlags);
    }

    /** {@code NdisFreeFragmentNetBufferList} (§5.3); {@code dataOffsetDelta} must be the one given at allocation. */
    public void freeFragment(int dataOffsetDelta, int freeFragmentFlags) {
        Derivations.freeDerived(this, NetBufferListKind.FRAGMENT, dataOffsetDelta, freeFragmentFlags);
    }

    /**
     * {@code NdisAllocateReassembledNetBufferList} (§5.4): one NBL with one NB whose MDL chain concatenates, for every
     * NB of this NBL, the bytes after {@code startOffset}, then retreated by {@code dataOffsetDelta}.
     *
     * @param pool an NBL pool with an NB per NBL and no data, {@code null} for NDIS's default
     */
    public @Nullable NetBufferList allocateReassembled(
            @Nullable NetBufferListPool pool, int startOffset, int dataOffsetDelta, int dataBackFill, int flags) {
        return Derivations.reassemble(this, pool, startOffset, dataOffsetDelta, dataBackFill, flags);
    }

    /** {@code NdisFreeReassembledNetBufferList} (§5.4); {@code dataOffsetDelta} must be the one given at allocation. */
    public void freeReassembled(int dataOffsetDelta, int flags) {
        Derivations.freeDerived(this, NetBufferListKind.REASSEMBLED, dataOffsetDelta, flags);
    }

    /**
     * {@code NdisCopySendNetBufferListInfo} (§5.5): the send-path slots of {@code source} into this NBL, which the
     * caller must be allowed to touch, at {@code IRQL <= DISPATCH_LEVEL} ({@code Irql_NetBuffer_Function}).
     */
    public void copySendInfoFrom(NetBufferList source) {
        if (mayTouch("NdisCopySendNetBufferListInfo")) {
            InfoCopy.send(this, source);
        }
    }

    /**
     * {@code NdisCopyReceiveNetBufferListInfo} (§5.5): the receive-path slots of {@code source} into this NBL, under
     * the same rules as {@link #copySendInfoFrom}.
     */
    public void copyReceiveInfoFrom(NetBufferList source) {
        if (mayTouch("NdisCopyReceiveNetBufferListInfo")) {
            InfoCopy.receive(this, source);
        }
    }

    // ---- free (§4.8) ----

    /**
     * {@code NdisFreeNetBufferList} (§4.8): returns the NBL, its embedded NB (with a data pool's data), the context
     * made by the allocation call and NDIS's private state to the pool. It does not free NBs attached from an NB
     * pool, MDL chains the caller attached, MDLs its retreats added, or context blocks it pushed later: those leak.
     *
     * @throws RuleViolation if the NBL is already free or was made by clone, fragment or reassembly
     */
    public void free() {
        if (mayFree(NetBufferListKind.ALLOCATED, "NdisFreeNetBufferList")) {
            release();
        }
    }

    /**
     * Whether a free function for {@code expected} NBLs may free this one: it must be allocated, of that kind, held by
     * the caller and, with the verifier on, without children that still count on it ({@code ChildRefCount} 0, §5.1).
     * Otherwise the violation is reported (with the first free's site for a second free) and the
     * free is refused.
     */
    boolean mayFree(NetBufferListKind expected, String ddi) {
        if (!verifying && isAllocated() && kind == expected) {
            return true;
        }
        return mayFreeChecked(expected, ddi);
    }

    /** {@link #mayFree}'s reporting half, kept apart so that the common case stays small enough to inline. */
    private boolean mayFreeChecked(NetBufferListKind expected, String ddi) {
        Verifier verifier = pool.verifier();
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, NBLAPI)) {
            return false;
        }
        if (!isAllocated()) {
            verifier.report(BufferRule.NBL_DOUBLE_FREE, ddi + " on " + this + ", already freed", track, 0);
            return false;
        }
        if (kind != expected) {
            verifier.report(
                    BufferRule.NBL_WRONG_FREE_FUNCTION, ddi + " on a " + kind + " NBL; it has its own free", track, 0);
            return false;
        }
        if (verifying && owner != OwnerState.OWNED) {
            verifier.report(BufferRule.NBL_FREE_IN_FLIGHT, ddi + " on " + this + " while it is " + owner, track, 0);
            return false;
        }
        if (verifying && childRefCount > 0) {
            verifier.report(
                    BufferRule.NBL_FREE_WITH_CHILDREN,
                    ddi + " on " + this + " with ChildRefCount " + childRefCount,
                    track,
                    0);
            return false;
        }
        return true;
    }

    /**
     * Returns the NBL to its pool: the part common to every free function. A WFP info container in
     * {@code WfpNetBufferListInfo} is released first, as {@code NdisFreeNetBufferList} calls {@code WfpNblInfoCleanup}
     * (nbl-reuse-leak-and-diagnostics §1.3).
     */
    void release() {
        if ((written & (1 << WFP_INFO_SLOT)) != 0 && infoReferences[WFP_INFO_SLOT] instanceof WfpInfoCleanup wfp) {
            wfp.cleanup(this);
        }
        if (allocationContext != null || spareContext != null) {
            releaseContextBlocks();
        }
        // Context and Next are usually null already; a load is cheaper than a reference store with its GC barrier.
        if (context != null) {
            context = null;
        }
        if (next != null) {
            next = null;
        }
        firstNetBuffer = null;
        NetBuffer embedded = embeddedNetBuffer;
        if (embedded != null) {
            embedded.clearReferences();
            embedded.allocated = false;
        }
        flags = 0;
        if (verifying) {
            untrack();
        }
        pool.giveBack(this);
    }

    /** {@link #release}'s part for the context blocks NDIS made: the allocation's own and the spare. */
    private void releaseContextBlocks() {
        NetBufferListContext made = allocationContext;
        if (made != null) {
            releaseContextBlock(made);
        }
        NetBufferListContext spare = spareContext;
        if (spare != null) {
            spareContext = null;
            pool.ndis().freeContextBlock(spare);
        }
    }

    private void untrack() {
        owner = OwnerState.FREE;
        BufferTrack tracked = track;
        if (tracked != null) {
            pool.verifier().freed(tracked);
        }
    }

    /**
     * The state {@code NdisAllocateNetBufferList} gives an NBL (§4.7), before context and NB are set up. {@code Next},
     * {@code FirstNetBuffer} and {@code Context} are already null: {@link #release()} cleared them, and a new element
     * starts so. (The work is split between free and allocation so that each compiles small
     * enough for the JIT to inline it into its callers.) The other references are cleared only if {@link #written}
     * says they may hold something.
     */
    void initialize(NetBufferListKind newKind) {
        nblFlags = 0;
        CHILD_REF_COUNT.set(this, 0);
        flags = NblFlags.NBL_ALLOCATED;
        status = 0;
        if (written != 0) {
            clearWritten();
        }
        if (kind != newKind) {
            kind = newKind;
        }
        derivationArgument = 0;
    }

    /**
     * Clears what was written since the last allocation: the information slots, restoring the pool's protocol id (slot
     * 7's low byte), the parent, scratch and source handle, and the reserved areas that were handed out.
     */
    private void clearWritten() {
        int mask = written;
        for (int slots = mask & INFO_SLOTS_WRITTEN; slots != 0; slots &= slots - 1) {
            int index = Integer.numberOfTrailingZeros(slots);
            infoValues[index] = 0;
            infoReferences[index] = null;
        }
        infoValues[FRAME_TYPE_SLOT] = pool.parameters().protocolId();
        if ((mask & PARENT_WRITTEN) != 0) {
            parent = null;
        }
        if ((mask & SCRATCH_WRITTEN) != 0) {
            scratch = null;
        }
        if ((mask & SOURCE_HANDLE_WRITTEN) != 0) {
            sourceHandle = null;
        }
        if ((mask & PROTOCOL_RESERVED_HANDED_OUT) != 0) {
            Arrays.fill(protocolReserved, null);
        }
        if ((mask & MINIPORT_RESERVED_HANDED_OUT) != 0) {
            Arrays.fill(miniportReserved, null);
        }
        written = 0;
    }

    /**
     * Whether the caller may touch this NBL now: it must not be freed and, with the verifier on, must not be held by
     * another component (sent, indicated or injected). A violation is reported and the operation refused otherwise;
     * at {@link org.nbl4j.core.verify.VerifierLevel#FULL} the touch is recorded.
     */
    boolean mayTouch(String ddi) {
        return !guarded || mayTouchChecked(ddi);
    }

    /** {@link #mayTouch} with the verifier on or in checked mode, kept apart so that the common case inlines. */
    private boolean mayTouchChecked(String ddi) {
        Verifier verifier = pool.verifier();
        if (!verifying) {
            if (!isAllocated()) {
                verifier.report(BufferRule.USE_AFTER_FREE, ddi + " on " + this, track, 0);
                return false;
            }
            return true;
        }
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, NBLAPI)) {
            return false;
        }
        if (owner != OwnerState.OWNED) {
            verifier.report(
                    owner == OwnerState.FREE ? BufferRule.USE_AFTER_FREE : BufferRule.NBL_NOT_OWNED,
                    ddi + " on " + this + " while it is " + owner,
                    track,
                    0);
            return false;
        }
        BufferTrack tracked = track;
        if (tracked != null && verifier.full()) {
            verifier.touched(tracked, ddi);
        }
        return true;
    }

    // ---- ownership (ndis-buffers §4.9, §6.12) ----

    /** Who may touch the NBL now; {@link OwnerState#OWNED} at allocation. Kept only while the verifier is on. */
    public OwnerState ownerState() {
        return owner;
    }

    /** What the verifier tracks of this NBL (allocation site, touches, holder), if it was sampled. */
    public @Nullable BufferTrack track() {
        return track;
    }

    /**
     * Makes the verifier track this NBL as a clone, whether or not it was sampled at allocation: WFP's deep clone
     * ({@code FwpsAllocateDeepCloneNetBufferList0}, seed 000) takes an ordinary NBL from a pool and fills it with a
     * copy of its parent, and the held-clone watchdog must watch it as it watches every clone. With the verifier off
     * it does nothing.
     */
    public void trackAsClone() {
        if (!verifying) {
            return;
        }
        BufferTrack tracked = track;
        if (tracked != null) {
            pool.verifier().watchAsClone(tracked);
        } else {
            track = pool.verifier().track(this, pool.tag(), true);
        }
    }

    /**
     * Records that the NBL changes hands: sent down ({@link OwnerState#SENT}), indicated up
     * ({@link OwnerState#INDICATED}), given to injection ({@link OwnerState#INJECTED}), passed to another component
     * that now owns it, or come back to its owner ({@link OwnerState#OWNED}). The layers that move NBLs call this;
     * with the verifier off it does nothing.
     *
     * <p>An NBL the caller owns may go anywhere but to {@code FREE} (that is what free is for); one in flight may
     * only come back. Anything else is reported and refused.
     *
     * @param holder who holds it from now on (shown in pending-NBL reports), or {@code null} for its allocator
     */
    public void handOff(OwnerState to, @Nullable Object holder) {
        if (verifying) {
            handOffChecked(to, holder);
        }
    }

    /** {@link #handOff}'s work with the verifier on. */
    private void handOffChecked(OwnerState to, @Nullable Object holder) {
        Verifier verifier = pool.verifier();
        OwnerState from = owner;
        boolean legal = switch (from) {
            case OWNED -> to != OwnerState.FREE;
            case SENT, INDICATED, INJECTED -> to == OwnerState.OWNED;
            case FREE -> false;
        };
        if (!legal) {
            verifier.report(
                    from == OwnerState.FREE ? BufferRule.USE_AFTER_FREE : BufferRule.NBL_ILLEGAL_HAND_OFF,
                    this + " handed from " + from + " to " + to,
                    track,
                    0);
            return;
        }
        owner = to;
        BufferTrack tracked = track;
        if (tracked != null) {
            verifier.handedOff(tracked, to, holder);
        }
    }

    @Override
    public String toString() {
        return "NET_BUFFER_LIST[" + kind + ", pool " + pool.parameters().poolTag() + "]";
    }
}
