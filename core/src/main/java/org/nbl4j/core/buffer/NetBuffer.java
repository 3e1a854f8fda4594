package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;

/**
 * One packet's worth of data in an MDL chain, with the cursor that says where the current layer's data starts.
 *
 * <p>Corresponds to {@code NET_BUFFER} (ndis-buffers §3). The logical view: bytes {@code [0, DataOffset)} of the MDL
 * chain are unused space (headroom, which may still hold lower-layer headers), {@code [DataOffset, DataOffset +
 * DataLength)} are the used data, and anything after is tail slack. {@code CurrentMdl}/{@code CurrentMdlOffset} are
 * the MDL and offset in which the data starts. Lengths are ULONGs in NDIS; here they must stay below 2^31.
 *
 * <p>Getters and setters are plain field accesses, as the {@code NET_BUFFER_*} macros are; after editing
 * {@code DataOffset} or the chain by hand, call {@link #adjustCurrentMdl()}.
 */
public final class NetBuffer {
    final BufferPool pool;
    final @Nullable NetBufferList embeddedIn;

    @Nullable
    Mdl embeddedMdl;

    @Nullable
    NetBuffer next;

    @Nullable
    Mdl currentMdl;

    int currentMdlOffset;
    /**
     * The walk {@link #locate} reuses. The NB owns it, as it owns {@code CurrentMdl}, so that moving the cursor past
     * the first MDL never allocates: C2 did not always scalar-replace a cursor made per call (the replay loop then
     * allocated 32 bytes for every packet its miniport advanced to the end of its one MDL).
     */
    private final MdlCursor position = new MdlCursor();

    int dataLength;

    @Nullable
    Mdl mdlChain;

    int dataOffset;
    short checksumBias;
    long dataPhysicalAddress;

    @Nullable
    Object sharedMemoryInfo;

    final @Nullable Object[] protocolReserved = new Object[6];
    final @Nullable Object[] miniportReserved = new Object[4];
    /**
     * Whether {@code SharedMemoryInfo} was set or the miniport reserved area handed out since the NB was last freed:
     * only then does the free have more references to clear than {@code Next}.
     */
    boolean referencesWritten;

    boolean allocated;
    /**
     * The verifier is on or NDIS runs checked (neither changes): the one test {@link #mayTouch} makes in the common
     * case, the same as the NBL's.
     */
    private final boolean guarded;
    /** The verifier's record of this NB, if sampled (NBs from NB pools only). */
    @Nullable
    BufferTrack track;
    /** Verifying pools: the arena of this element's memory, closed when the NB is freed. */
    @Nullable
    Arena elementArena;

    NetBuffer(BufferPool pool, @Nullable NetBufferList embeddedIn) {
        this.pool = pool;
        this.embeddedIn = embeddedIn;
        this.guarded = pool.ndis().verifier().enabled() || pool.ndis().checked();
    }

    /**
     * {@code NdisAllocateNetBuffer}'s initialisation (ndis-buffers §3.10); reserved areas it leaves stale stay so. The
     * references it resets were reset when the NB was freed ({@link #clearReferences()}).
     */
    void initialize(@Nullable Mdl chain, int offset, int length) {
        if (chain == null && (offset != 0 || length != 0)) {
            throw new IllegalArgumentException("an NB without MDLs must have DataOffset and DataLength 0 (I4)");
        }
        requireLength(offset, "DataOffset");
        requireLength(length, "DataLength");
        mdlChain = chain;
        dataOffset = offset;
        dataLength = length;
        locate(chain, offset);
        checksumBias = 0;
        allocated = true;
    }

    /**
     * The initial state of an NB over its own MDL, if it has one: the NB that comes with its NBL, or a data-pool NB.
     * There is no data; a data buffer is all headroom ({@code DataOffset = CurrentMdlOffset = DataSize}, ndis-buffers
     * §3.10, §4.7). Nothing to check, so this is the allocation path's short form of {@link #initialize}.
     */
    void initializeEmbedded(int dataSize) {
        Mdl data = embeddedMdl;
        int offset = data == null ? 0 : dataSize;
        if (mdlChain != data || currentMdl != data) {
            mdlChain = data;
            currentMdl = data;
        }
        dataOffset = offset;
        currentMdlOffset = offset;
        dataLength = 0;
        checksumBias = 0;
        allocated = true;
    }

    /**
     * The references allocation must hand out null ({@code Next}, {@code SharedMemoryInfo}, the first two miniport
     * slots; the rest of the reserved areas stay stale, §3.10), reset when the NB is freed rather than when it is
     * allocated again, which keeps the compiled allocation path small enough to inline.
     */
    void clearReferences() {
        if (next != null) {
            next = null;
        }
        if (referencesWritten) {
            miniportReserved[0] = null;
            miniportReserved[1] = null;
            sharedMemoryInfo = null;
            referencesWritten = false;
        }
    }

    // ---- fields (NET_BUFFER_* accessors) ----

    /** {@code NET_BUFFER_NEXT_NB}. */
    public @Nullable NetBuffer next() {
        return next;
    }

    /** Sets {@code Next}; only the NB's creator may relink (ndis-buffers §3.1). */
    public void setNext(@Nullable NetBuffer next) {
        this.next = next;
    }

    /** {@code NET_BUFFER_FIRST_MDL}: the head of the MDL chain. */
    public @Nullable Mdl mdlChain() {
        return mdlChain;
    }

    /** Sets {@code MdlChain}; keep the data fields consistent and call {@link #adjustCurrentMdl()}. */
    public void setMdlChain(@Nullable Mdl mdlChain) {
        this.mdlChain = mdlChain;
    }

    /** {@code NET_BUFFER_CURRENT_MDL}. */
    public @Nullable Mdl currentMdl() {
        return currentMdl;
    }

    /** Sets {@code CurrentMdl}. */
    public void setCurrentMdl(@Nullable Mdl currentMdl) {
        this.currentMdl = currentMdl;
    }

    /** {@code NET_BUFFER_CURRENT_MDL_OFFSET}. */
    public int currentMdlOffset() {
        return currentMdlOffset;
    }

    /** Sets {@code CurrentMdlOffset}. */
    public void setCurrentMdlOffset(int currentMdlOffset) {
        this.currentMdlOffset = requireLength(currentMdlOffset, "CurrentMdlOffset");
    }

    /** {@code NET_BUFFER_DATA_OFFSET}: the size of the unused space in front of the data. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Sets {@code DataOffset}. */
    public void setDataOffset(int dataOffset) {
        this.dataOffset = requireLength(dataOffset, "DataOffset");
    }

    /** {@code NET_BUFFER_DATA_LENGTH}: the size of the used data. */
    public int dataLength() {
        return dataLength;
    }

    /** Sets {@code DataLength}. */
    public void setDataLength(int dataLength) {
        this.dataLength = requireLength(dataLength, "DataLength");
    }

    /** {@code NET_BUFFER_CHECKSUM_BIAS}: bytes TCP/IP skips from the data start when computing a checksum. */
    public int checksumBias() {
        return Short.toUnsignedInt(checksumBias);
    }

    /** Sets {@code ChecksumBias} (a USHORT). */
    public void setChecksumBias(int checksumBias) {
        this.checksumBias = (short) checksumBias;
    }

    /** {@code NET_BUFFER_DATA_PHYSICAL_ADDRESS}; not cleared by allocation. */
    public long dataPhysicalAddress() {
        return dataPhysicalAddress;
    }

    /** Sets {@code DataPhysicalAddress}. */
    public void setDataPhysicalAddress(long dataPhysicalAddress) {
        this.dataPhysicalAddress = dataPhysicalAddress;
    }

    /** {@code NET_BUFFER_FIRST_SHARED_MEM_INFO}. */
    public @Nullable Object sharedMemoryInfo() {
        return sharedMemoryInfo;
    }

    /** Sets {@code SharedMemoryInfo}. */
    public void setSharedMemoryInfo(@Nullable Object sharedMemoryInfo) {
        referencesWritten = true;
        this.sharedMemoryInfo = sharedMemoryInfo;
    }

    /** {@code NET_BUFFER_PROTOCOL_RESERVED}: six slots, not cleared by allocation. */
    public @Nullable Object[] protocolReserved() {
        return protocolReserved;
    }

    /**
     * {@code NET_BUFFER_MINIPORT_RESERVED}: four slots; allocation clears only the first two. The NB notes that the area
     * was handed out, as it cannot see what the caller writes into it, so that only then its free clears them.
     */
    public @Nullable Object[] miniportReserved() {
        referencesWritten = true;
        return miniportReserved;
    }

    /**
     * The pool this NB came from: for an NB that came with an NBL, the NBL pool. nbl4j's own code reads it at any
     * IRQL; a driver's {@code NdisGetPoolFromNetBuffer} is {@link #poolHandle()}.
     */
    public BufferPool pool() {
        return pool;
    }

    /**
     * {@code NdisGetPoolFromNetBuffer}: {@link #pool()} after the DDI's documented rule, {@code IRQL <=
     * DISPATCH_LEVEL} ({@code Irql_NetBuffer_Function}).
     *
     * @return the pool, or {@code null} if the caller's IRQL breaks the rule and the verifier's policy did not throw
     */
    public @Nullable BufferPool poolHandle() {
        return pool.ndis().verifier().irqlAtMost(Irql.DISPATCH_LEVEL, "NdisGetPoolFromNetBuffer", NetBufferList.NBLAPI)
                ? pool
                : null;
    }

    /** The NBL this NB is embedded in, if it came pre-attached to one. */
    public @Nullable NetBufferList embeddedIn() {
        return embeddedIn;
    }

    /** Whether the NB is allocated (not yet freed). */
    public boolean isAllocated() {
        return allocated;
    }

    /**
     * {@code NdisFreeNetBuffer}: returns the NB to its pool. A data-pool NB's MDL and data go with it; any other MDL
     * chain is the caller's to free.
     *
     * @throws RuleViolation for an NB that came with an NBL, or one already freed
     */
    public void free() {
        if (embeddedIn != null) {
            pool.ndis()
                    .verifier()
                    .report(BufferRule.NB_FREE_EMBEDDED, "the NB goes with its NBL: " + embeddedIn, null, 0);
            return;
        }
        ((NetBufferPool) pool).release(this);
    }

    // ---- data-space operations (ndis-buffers §3.3 - §3.9) ----

    /**
     * {@code NdisRetreatNetBufferDataStart} (ndis-buffers §3.3): grows the used data by {@code delta} bytes at the
     * front. With enough headroom this is bookkeeping only; otherwise an MDL of {@code backFill + delta - DataOffset}
     * bytes (not {@code delta + backFill}) is prepended and the old headroom becomes the tail of the new data start.
     *
     * @param allocator the driver's {@code NetAllocateMdl}, or {@code null} for NDIS's default allocator
     * @return {@code NDIS_STATUS_SUCCESS}, or {@code NDIS_STATUS_RESOURCES} with the NB untouched
     */
    public int retreat(int delta, int backFill, @Nullable NetBufferMdlAllocator allocator) {
        if (!mayTouch("NdisRetreatNetBufferDataStart")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        requireLength(delta, "DataOffsetDelta");
        requireLength(backFill, "DataBackFill");
        requireLength((long) dataLength + delta, "DataLength after the retreat");
        if (dataOffset >= delta) {
            dataLength += delta;
            dataOffset -= delta;
            if (delta > 0 && currentMdlOffset >= delta) {
                // The new start lies in the current MDL (I2): no walk from the chain's head.
                currentMdlOffset -= delta;
            } else {
                locate(mdlChain, dataOffset);
            }
            return NtStatus.NDIS_STATUS_SUCCESS;
        }
        long size = (long) backFill + delta - dataOffset;
        requireLength(size, "retreat allocation");
        Mdl mdl;
        if (allocator == null) {
            mdl = pool.ndis().allocateRetreatMdl((int) size);
        } else {
            mdl = allocator.allocateMdl((int) size);
            if (mdl != null) {
                if (mdl.byteCount() < size) {
                    throw new IllegalStateException(
                            "NetAllocateMdl returned " + mdl.byteCount() + " bytes, " + size + " were needed");
                }
                pool.ndis().mdls().recordOrigin(mdl, MdlOrigin.CALLER_RETREAT_HANDLER);
            }
        }
        if (mdl == null) {
            return NtStatus.NDIS_STATUS_RESOURCES;
        }
        int granted = mdl.byteCount();
        mdl.setNext(mdlChain);
        mdlChain = mdl;
        dataOffset += granted - delta;
        dataLength += delta;
        currentMdl = mdl;
        currentMdlOffset = dataOffset;
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisAdvanceNetBufferDataStart} (ndis-buffers §3.4): shrinks the used data by {@code delta} bytes at the
     * front. With {@code freeMdl} every leading MDL that now lies wholly in the unused space is unlinked and freed,
     * whoever made it, except a data-pool NB's own MDL; this is NDIS's real behaviour, broader than its documentation.
     *
     * @param freer the driver's {@code NetFreeMdl}, or {@code null} for NDIS's default free
     * @throws RuleViolation if {@code delta} exceeds {@code DataLength} (NDIS would wrap the ULONG)
     */
    public void advance(int delta, boolean freeMdl, @Nullable NetBufferMdlFreer freer) {
        if (!mayTouch("NdisAdvanceNetBufferDataStart")) {
            return;
        }
        requireLength(delta, "DataOffsetDelta");
        if (delta > dataLength) {
            throw pool.ndis()
                    .verifier()
                    .rejected(BufferRule.NB_ADVANCE_BEYOND_DATA, "delta " + delta + " > DataLength " + dataLength);
        }
        dataOffset += delta;
        dataLength -= delta;
        if (freeMdl) {
            while (mdlChain != null) {
                Mdl head = mdlChain;
                if (head.byteCount() > dataOffset || head.origin() == MdlOrigin.POOL_EMBEDDED) {
                    break;
                }
                mdlChain = head.next();
                dataOffset -= head.byteCount();
                head.setNext(null);
                if (freer == null) {
                    pool.ndis().freeRetreatMdl(head);
                } else {
                    freer.freeMdl(head);
                }
            }
            currentMdl = mdlChain;
            currentMdlOffset = dataOffset;
        } else {
            locate(currentMdl, (long) currentMdlOffset + delta);
        }
    }

    /** {@code NdisAdjustNetBufferCurrentMdl} (ndis-buffers §3.6): recomputes the cursor from {@code DataOffset}. */
    public void adjustCurrentMdl() {
        locate(mdlChain, dataOffset);
    }

    /**
     * {@code NdisGetDataBuffer} (ndis-buffers §3.7): the first {@code bytesNeeded} bytes of the data, contiguous.
     *
     * <p>If they lie in the current MDL at the requested alignment the result is a view of the packet itself (writes
     * reach the packet); otherwise they are copied into {@code storage} and {@code storage} itself is returned (so
     * {@code result == storage} tells which happened). {@code null} when {@code bytesNeeded} is 0, the NB holds
     * fewer bytes, there is no current MDL, or a copy is needed and no storage was given. Never changes the NB and
     * never allocates packet memory.
     *
     * @param alignMultiple a power of two from 1 to 8192; with 1 the fast path needs {@code alignOffset} 0
     */
    public @Nullable MemorySegment getDataBuffer(
            int bytesNeeded, @Nullable MemorySegment storage, int alignMultiple, int alignOffset) {
        if (!mayTouch("NdisGetDataBuffer")) {
            return null;
        }
        if (alignMultiple < 1 || alignMultiple > 8192 || Integer.bitCount(alignMultiple) != 1) {
            throw new IllegalArgumentException("AlignMultiple must be a power of two up to 8192: " + alignMultiple);
        }
        if (alignOffset < 0 || alignOffset >= alignMultiple) {
            throw new IllegalArgumentException("AlignOffset must be below AlignMultiple: " + alignOffset);
        }
        Mdl mdl = currentMdl;
        if (bytesNeeded <= 0 || mdl == null || dataLength < bytesNeeded) {
            return null;
        }
        long offset = currentMdlOffset;
        if (offset + bytesNeeded <= mdl.byteCount()
                && ((mdl.virtualAddress() + offset) & (alignMultiple - 1)) == alignOffset) {
            return mdl.buffer().asSlice(mdl.bufferOffset() + offset, bytesNeeded);
        }
        if (storage == null) {
            return null;
        }
        if (storage.byteSize() < bytesNeeded) {
            throw new IllegalArgumentException(
                    "storage of " + storage.byteSize() + " bytes, " + bytesNeeded + " needed");
        }
        long copied = transfer(mdl, offset, storage, 0, bytesNeeded, true);
        return copied == bytesNeeded ? storage : null;
    }

    /**
     * {@code NdisCopyFromNetBufferToNetBuffer} (ndis-buffers §3.8): copies bytes from {@code source}'s data start plus
     * {@code sourceOffset} to {@code destination}'s data start plus {@code destinationOffset}. The count is
     * {@code bytesToCopy} bounded by the ends of both MDL chains, not by either NB's {@code DataLength}, so a copy may
     * fill the destination's tail slack. Neither NB's fields change. As in NDIS, overlap is safe only within each
     * contiguous run (memmove per MDL segment): an overlapping copy that spans MDL boundaries may read bytes it has
     * already overwritten.
     *
     * @return the number of bytes copied ({@code *BytesCopied}; the status is always SUCCESS here)
     */
    public static int copy(
            NetBuffer destination, int destinationOffset, int bytesToCopy, NetBuffer source, int sourceOffset) {
        if (!destination.mayTouch("NdisCopyFromNetBufferToNetBuffer")
                || !source.mayTouch("NdisCopyFromNetBufferToNetBuffer")) {
            return 0;
        }
        destination.requireLength(destinationOffset, "DestinationOffset");
        destination.requireLength(sourceOffset, "SourceOffset");
        destination.requireLength(bytesToCopy, "BytesToCopy");
        Mdl sourceMdl = source.currentMdl;
        long sourceAt = (long) source.currentMdlOffset + sourceOffset;
        Mdl destinationMdl = destination.currentMdl;
        long destinationAt = (long) destination.currentMdlOffset + destinationOffset;
        if (MdlCursor.inOneMdl(sourceMdl, sourceAt, bytesToCopy)
                && MdlCursor.inOneMdl(destinationMdl, destinationAt, bytesToCopy)) {
            // Both ranges lie in the current MDL of each (every single-MDL packet): one copy, no walking.
            MemorySegment.copy(
                    sourceMdl.buffer(),
                    sourceMdl.bufferOffset() + sourceAt,
                    destinationMdl.buffer(),
                    destinationMdl.bufferOffset() + destinationAt,
                    bytesToCopy);
            return bytesToCopy;
        }
        return copyRuns(destinationMdl, destinationAt, bytesToCopy, sourceMdl, sourceAt);
    }

    /** {@link #copy} across MDL boundaries: two cursors in step, one copy per stretch both runs share. */
    private static int copyRuns(
            @Nullable Mdl destinationMdl, long destinationAt, int bytesToCopy, @Nullable Mdl sourceMdl, long sourceAt) {
        MdlCursor from = new MdlCursor();
        MdlCursor to = new MdlCursor();
        int copied = 0;
        boolean more =
                from.seek(sourceMdl, sourceAt, bytesToCopy) && to.seek(destinationMdl, destinationAt, bytesToCopy);
        while (more) {
            int run = Math.min(from.length(), to.length());
            MemorySegment.copy(from.segment(), from.segmentOffset(), to.segment(), to.segmentOffset(), run);
            copied += run;
            more = from.advance(run) && to.advance(run);
        }
        return copied;
    }

    /**
     * {@code NdisQueryNetBufferPhysicalCount} (ndis-buffers §3.9): the pages (4 KiB) the used data spans, summed over
     * the MDLs it lies in: an upper bound on the number of physical fragments.
     */
    public int physicalCount() {
        if (!mayTouch("NdisQueryNetBufferPhysicalCount")) {
            return 0;
        }
        int pages = 0;
        MdlCursor runs = new MdlCursor();
        for (boolean more = runs.seek(currentMdl, currentMdlOffset, dataLength); more; more = runs.next()) {
            long first = runs.segment().address() + runs.segmentOffset();
            pages += (int) ((first + runs.length() - 1) / Mdl.PAGE_SIZE - first / Mdl.PAGE_SIZE + 1);
        }
        return pages;
    }

    /** Copies the used data out to a byte array (a convenience; {@link #getDataBuffer} is the NDIS way). */
    public byte[] toByteArray() {
        if (!mayTouch("toByteArray")) {
            return new byte[0];
        }
        byte[] bytes = new byte[dataLength];
        transfer(currentMdl, currentMdlOffset, MemorySegment.ofArray(bytes), 0, dataLength, true);
        return bytes;
    }

    /**
     * Copies the whole used data to the start of {@code target}, however the MDLs split it, without making a view of
     * the packet: for the copies nbl4j itself makes on the data path (a deep clone's), where a view from
     * {@link #getDataBuffer} would cost an object per packet wherever the JIT does not inline the copy.
     *
     * @return the bytes the MDL chain held from the data start (fewer than DataLength only in a broken NB, which the
     *     caller refuses), or 0 if the verifier refused to let the caller touch the NB
     * @throws IndexOutOfBoundsException if {@code target} is shorter than the data
     */
    public int copyDataTo(MemorySegment target) {
        if (!mayTouch("copyDataTo")) {
            return 0;
        }
        Objects.checkFromIndexSize(0, dataLength, target.byteSize());
        return (int) transfer(currentMdl, currentMdlOffset, target, 0, dataLength, true);
    }

    /**
     * Copies {@code length} bytes of the used data, from {@code offset} bytes past the data start, to {@code target}
     * at {@code targetOffset}: the byte-range counterpart of {@link #copy} for plain memory (a header scratch, a
     * reassembly piece, a capture buffer). The NB does not change.
     *
     * @return {@code length}, or 0 if the verifier refused to let the caller touch the NB
     * @throws IndexOutOfBoundsException if {@code [offset, offset + length)} is not inside the used data or
     *     {@code [targetOffset, targetOffset + length)} not inside {@code target}; nothing is copied then
     * @throws IllegalArgumentException if {@code target} is read-only; nothing is copied then
     */
    public int copyTo(int offset, MemorySegment target, long targetOffset, int length) {
        if (!mayTouch("copyTo")) {
            return 0;
        }
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("copyTo a read-only segment: " + target);
        }
        checkRanges(offset, targetOffset, length, target);
        return requireWhole(
                transfer(currentMdl, (long) currentMdlOffset + offset, target, targetOffset, length, true), length);
    }

    /**
     * Copies {@code length} bytes from {@code source} at {@code sourceOffset} over the used data, from {@code offset}
     * bytes past the data start: the byte-range counterpart of {@link #copy} for plain memory (a header written back).
     * {@code DataLength} does not change.
     *
     * @return {@code length}, or 0 if the verifier refused to let the caller touch the NB
     * @throws IndexOutOfBoundsException if {@code [offset, offset + length)} is not inside the used data or
     *     {@code [sourceOffset, sourceOffset + length)} not inside {@code source}; nothing is copied then
     */
    public int copyFrom(int offset, MemorySegment source, long sourceOffset, int length) {
        if (!mayTouch("copyFrom")) {
            return 0;
        }
        checkRanges(offset, sourceOffset, length, source);
        return requireWhole(
                transfer(currentMdl, (long) currentMdlOffset + offset, source, sourceOffset, length, false), length);
    }

    /**
     * Writes {@code bytes} over the used data from {@code offset}, bounded by the MDL chain's end like
     * {@link #copy}; returns how many were written. {@code DataLength} does not change.
     */
    public int write(int offset, byte[] bytes) {
        if (!mayTouch("write")) {
            return 0;
        }
        requireLength(offset, "offset");
        return (int) transfer(
                currentMdl, (long) currentMdlOffset + offset, MemorySegment.ofArray(bytes), 0, bytes.length, false);
    }

    /**
     * Checks invariants I1 and I2 of ndis-buffers §3.2: the data ends inside the MDL chain, and the cursor
     * ({@code CurrentMdl}, {@code CurrentMdlOffset}) points at {@code DataOffset}.
     *
     * @throws RuleViolation naming the broken invariant
     */
    public void checkInvariants() {
        long chainBytes = 0;
        long beforeCurrent = -1;
        for (Mdl mdl = mdlChain; mdl != null; mdl = mdl.next()) {
            if (mdl == currentMdl) {
                beforeCurrent = chainBytes;
            }
            chainBytes += mdl.byteCount();
        }
        if ((long) dataOffset + dataLength > chainBytes) {
            throw pool.ndis()
                    .verifier()
                    .rejected(
                            BufferRule.NB_INVARIANT,
                            "I1: DataOffset " + dataOffset + " + DataLength " + dataLength + " > chain of "
                                    + chainBytes);
        }
        if (currentMdl == null) {
            beforeCurrent = chainBytes;
        } else if (beforeCurrent < 0) {
            throw pool.ndis().verifier().rejected(BufferRule.NB_INVARIANT, "I2: CurrentMdl is not in the MDL chain");
        }
        if (beforeCurrent + currentMdlOffset != dataOffset) {
            throw pool.ndis()
                    .verifier()
                    .rejected(
                            BufferRule.NB_INVARIANT,
                            "I2: bytes before CurrentMdl " + beforeCurrent + " + CurrentMdlOffset " + currentMdlOffset
                                    + " != DataOffset " + dataOffset);
        }
    }

    @Override
    public String toString() {
        return "NET_BUFFER[DataOffset=" + dataOffset + ", DataLength=" + dataLength + "]";
    }

    // ---- internals ----

    /** Sets the cursor to the MDL holding logical offset {@code offset} from {@code from} (ndis-buffers §3.2). */
    private void locate(@Nullable Mdl from, long offset) {
        if (from != null && MdlCursor.inOneMdl(from, offset, 1)) {
            // The offset lies inside the first MDL: no walk.
            currentMdl = from;
            currentMdlOffset = (int) offset;
            return;
        }
        position.seek(from, offset, 0);
        currentMdl = position.mdl();
        currentMdlOffset = (int) position.mdlOffset();
    }

    /**
     * Copies up to {@code count} bytes between the chain from {@code offset} bytes past the start of {@code from} and
     * {@code memory} at {@code memoryOffset}: out of the chain or into it. Returns how many the chain held.
     */
    private static long transfer(
            @Nullable Mdl from, long offset, MemorySegment memory, long memoryOffset, long count, boolean out) {
        if (MdlCursor.inOneMdl(from, offset, count)) {
            // The range lies in one MDL (every single-MDL packet): one copy, no walking.
            copyRun(from.buffer(), from.bufferOffset() + offset, memory, memoryOffset, count, out);
            return count;
        }
        MdlCursor runs = new MdlCursor();
        long done = 0;
        for (boolean more = runs.seek(from, offset, count); more; more = runs.next()) {
            copyRun(runs.segment(), runs.segmentOffset(), memory, memoryOffset + done, runs.length(), out);
            done += runs.length();
        }
        return done;
    }

    private static void copyRun(
            MemorySegment chain, long chainOffset, MemorySegment memory, long memoryOffset, long count, boolean out) {
        if (out) {
            MemorySegment.copy(chain, chainOffset, memory, memoryOffset, count);
        } else {
            MemorySegment.copy(memory, memoryOffset, chain, chainOffset, count);
        }
    }

    /** The bounds {@link #copyTo} and {@link #copyFrom} check before they copy anything. */
    private void checkRanges(int offset, long memoryOffset, int length, MemorySegment memory) {
        Objects.checkFromIndexSize(offset, length, dataLength);
        Objects.checkFromIndexSize(memoryOffset, length, memory.byteSize());
    }

    /** A copy inside the used data that the chain cut short means the NB breaks I1 (ndis-buffers §3.2). */
    private int requireWhole(long copied, int length) {
        if (copied < length) {
            throw pool.ndis()
                    .verifier()
                    .rejected(
                            BufferRule.NB_INVARIANT,
                            "I1: the MDL chain ends " + (length - copied) + " bytes before the used data");
        }
        return length;
    }

    /**
     * Whether the caller may touch this NB now: an NB that came with an NBL follows its NBL's ownership; any other NB
     * must not be freed. A violation is reported and the operation refused otherwise.
     */
    boolean mayTouch(String ddi) {
        return !guarded || mayTouchChecked(ddi);
    }

    /** {@link #mayTouch} with the verifier on or in checked mode, kept apart so that the common case inlines. */
    private boolean mayTouchChecked(String ddi) {
        NetBufferList list = embeddedIn;
        if (list != null) {
            return list.mayTouch(ddi);
        }
        Verifier verifier = pool.ndis().verifier();
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, NetBufferList.NBLAPI)) {
            return false;
        }
        if (!allocated) {
            verifier.report(BufferRule.USE_AFTER_FREE, ddi + " on a freed " + this, track, 0);
            return false;
        }
        return true;
    }

    int requireLength(long value, String what) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw pool.ndis().verifier().rejected(BufferRule.NB_LENGTH_OVERFLOW, what + " = " + value);
        }
        return (int) value;
    }
}
