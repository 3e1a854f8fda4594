package org.nbl4j.core.buffer;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;

/** The algorithms behind clones, fragments and reassemblies and their free functions (ndis-buffers §5.2 - §5.4). */
final class Derivations {
    private Derivations() {}

    static @Nullable NetBufferList clone(
            NetBufferList original,
            @Nullable NetBufferListPool requestedNblPool,
            @Nullable NetBufferPool requestedNbPool,
            int cloneFlags) {
        if (!original.mayTouch("NdisAllocateCloneNetBufferList")) {
            return null;
        }
        if ((cloneFlags & CloneFlags.NDIS_CLONE_FLAGS_RESERVED) != 0) {
            throw original.pool.verifier().rejected(BufferRule.CLONE_RESERVED_FLAG, reservedFlags(cloneFlags));
        }
        NetBufferListPool nblPool = requestedNblPool != null
                ? requestedNblPool
                : original.pool.ndis().defaultNetBufferListPool();
        if (nblPool.isDataPool()) {
            throw original.pool.verifier().rejected(BufferRule.CLONE_FROM_DATA_POOL, nblPool.toString());
        }
        NetBufferList clone = nblPool.allocate(0, 0, NetBufferListKind.CLONE);
        if (clone == null) {
            return null;
        }
        clone.derivationArgument = cloneFlags;
        if (!cloneNetBuffers(original, clone, requestedNbPool, cloneFlags)) {
            freeClone(clone, cloneFlags);
            return null;
        }
        if (clone.pool.verifier().enabled() && (cloneFlags & CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) == 0) {
            // Only a clone over partial MDLs of its own is recorded: one that shares the original's MDLs describes the
            // original's chain, which the original's owner may change, and its free releases none of those MDLs.
            // Clones are few, but with the verifier off the free does not check the structure: nothing records it.
            CloneStructure structure = clone.cloneStructure;
            if (structure == null) {
                structure = new CloneStructure();
                clone.cloneStructure = structure;
            }
            structure.record(clone);
        }
        // The clone was just allocated, so these are clear: store only what there is to copy.
        Object sourceHandle = original.sourceHandle;
        if (sourceHandle != null) {
            clone.setSourceHandle(sourceHandle);
        }
        copyIntoClearSlot(clone, original, NetBufferListInfo.NblOriginalInterfaceIfIndex);
        copyIntoClearSlot(clone, original, NetBufferListInfo.NetBufferListCorrelationId);
        return clone;
    }

    /**
     * Gives the clone one NB per NB of the original, over the same MDLs or over partial MDLs of the used data (kept
     * apart from {@link #clone} so that the common path stays small enough to inline).
     *
     * @return whether it worked; if not, the NBs made so far hang off the clone for its free to release
     */
    private static boolean cloneNetBuffers(
            NetBufferList original, NetBufferList clone, @Nullable NetBufferPool requestedNbPool, int cloneFlags) {
        boolean shareMdls = (cloneFlags & CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) != 0;
        NetBuffer last = null;
        for (NetBuffer source = original.firstNetBuffer; source != null; source = source.next) {
            NetBuffer target = nextNetBuffer(clone, last, requestedNbPool);
            if (target == null) {
                return false;
            }
            if (shareMdls) {
                // A recycled clone NB often still describes the same MDLs: store the references only if they differ
                // (each reference store costs a garbage-collector write barrier).
                if (target.mdlChain != source.mdlChain || target.currentMdl != source.currentMdl) {
                    target.mdlChain = source.mdlChain;
                    target.currentMdl = source.currentMdl;
                }
                target.currentMdlOffset = source.currentMdlOffset;
                target.dataOffset = source.dataOffset;
            } else {
                Mdl chain = partialChain(
                        original.pool.ndis().mdls(), source, 0, source.dataLength, MdlOrigin.CLONE_PARTIAL);
                target.mdlChain = chain;
                target.currentMdl = chain;
                target.currentMdlOffset = 0;
                target.dataOffset = 0;
            }
            target.dataLength = source.dataLength;
            last = target;
        }
        return true;
    }

    private static void reportCloneFlagsMismatch(NetBufferList clone, int freeCloneFlags) {
        clone.pool
                .verifier()
                .report(
                        BufferRule.CLONE_FLAGS_MISMATCH,
                        "allocated with 0x" + Integer.toHexString(clone.derivationArgument) + ", freed with 0x"
                                + Integer.toHexString(freeCloneFlags),
                        clone.track,
                        0);
    }

    /**
     * Whether the clone has the structure it was made with (ndis-buffers §5.2: the free releases only what the clone
     * made, so an MDL the driver appended would leak and one it replaced would be freed as NDIS's). If not, the change
     * is reported naming the NB and MDL, and the free must be refused. The check is the one WFP's clone free makes.
     */
    private static boolean structureRestored(NetBufferList clone, CloneStructure structure) {
        String change = structure.change(clone);
        if (change == null) {
            structure.clear();
            return true;
        }
        clone.pool
                .verifier()
                .report(
                        BufferRule.CLONE_STRUCTURE_NOT_RESTORED,
                        clone + " is not as it was cloned: " + change
                                + "; undo the change before NdisFreeCloneNetBufferList",
                        clone.track,
                        0);
        return false;
    }

    private static String reservedFlags(int cloneFlags) {
        return "AllocateCloneFlags 0x" + Integer.toHexString(cloneFlags);
    }

    static void freeClone(NetBufferList clone, int freeCloneFlags) {
        if (!clone.mayFree(NetBufferListKind.CLONE, "NdisFreeCloneNetBufferList")) {
            return;
        }
        if (freeCloneFlags != clone.derivationArgument) {
            reportCloneFlagsMismatch(clone, freeCloneFlags);
            return;
        }
        CloneStructure structure = clone.cloneStructure;
        if (structure != null && !structureRestored(clone, structure)) {
            return;
        }
        boolean sharedMdls = (freeCloneFlags & CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) != 0;
        NetBuffer nb = clone.firstNetBuffer;
        while (nb != null) {
            NetBuffer following = nb.next;
            if (!sharedMdls) {
                freeEveryMdl(clone.pool.ndis().mdls(), nb);
            }
            freeUnlessEmbedded(nb);
            nb = following;
        }
        clone.release();
    }

    static @Nullable NetBufferList fragment(
            NetBufferList original,
            @Nullable NetBufferListPool requestedNblPool,
            @Nullable NetBufferPool requestedNbPool,
            int startOffset,
            int maximumLength,
            int dataOffsetDelta,
            int dataBackFill,
            int flags) {
        if (!original.mayTouch("NdisAllocateFragmentNetBufferList")) {
            return null;
        }
        requireZeroFlags(original, flags);
        if (maximumLength <= 0 || startOffset < 0) {
            return null;
        }
        boolean contributes = false;
        for (NetBuffer source = original.firstNetBuffer; source != null; source = source.next) {
            contributes |= source.dataLength > startOffset;
        }
        if (!contributes) {
            return null;
        }
        Ndis ndis = original.pool.ndis();
        NetBufferListPool nblPool = requestedNblPool != null ? requestedNblPool : ndis.defaultNetBufferListPool();
        NetBufferPool nbPool = requestedNbPool != null ? requestedNbPool : ndis.defaultNetBufferPool();
        NetBufferList fragments = nblPool.allocate(0, 0, NetBufferListKind.FRAGMENT);
        if (fragments == null) {
            return null;
        }
        fragments.derivationArgument = 0;
        NetBuffer last = null;
        for (NetBuffer source = original.firstNetBuffer; source != null; source = source.next) {
            for (int at = startOffset; at < source.dataLength; at += maximumLength) {
                int length = Math.min(maximumLength, source.dataLength - at);
                NetBuffer target = nextNetBuffer(fragments, last, nbPool);
                if (target == null) {
                    freeDerived(fragments, NetBufferListKind.FRAGMENT, 0, 0);
                    return null;
                }
                Mdl chain = partialChain(ndis.mdls(), source, at, length, MdlOrigin.FRAGMENT_PARTIAL);
                target.mdlChain = chain;
                target.currentMdl = chain;
                target.currentMdlOffset = 0;
                target.dataOffset = 0;
                target.dataLength = length;
                last = target;
            }
        }
        copySlot(fragments, original, NetBufferListInfo.NetBufferListCorrelationId);
        if (fragments.retreat(dataOffsetDelta, dataBackFill, null, null) != NtStatus.NDIS_STATUS_SUCCESS) {
            freeDerived(fragments, NetBufferListKind.FRAGMENT, 0, 0);
            return null;
        }
        fragments.derivationArgument = dataOffsetDelta;
        return fragments;
    }

    static @Nullable NetBufferList reassemble(
            NetBufferList original,
            @Nullable NetBufferListPool requestedPool,
            int startOffset,
            int dataOffsetDelta,
            int dataBackFill,
            int flags) {
        if (!original.mayTouch("NdisAllocateReassembledNetBufferList")) {
            return null;
        }
        requireZeroFlags(original, flags);
        Ndis ndis = original.pool.ndis();
        NetBufferListPool pool = requestedPool != null ? requestedPool : ndis.defaultNetBufferListPool();
        if (!pool.parameters().allocateNetBuffer() || pool.isDataPool() || startOffset < 0) {
            return null;
        }
        long total = 0;
        for (NetBuffer source = original.firstNetBuffer; source != null; source = source.next) {
            total += Math.max(0, source.dataLength - startOffset);
        }
        if (total == 0 || total > Integer.MAX_VALUE) {
            return null;
        }
        NetBufferList whole = pool.allocate(0, 0, NetBufferListKind.REASSEMBLED);
        if (whole == null) {
            return null;
        }
        whole.derivationArgument = 0;
        NetBuffer target = whole.embeddedNetBuffer;
        if (target == null) {
            throw new IllegalStateException("pool with NBs returned an NBL without one");
        }
        Mdl head = null;
        Mdl tail = null;
        for (NetBuffer source = original.firstNetBuffer; source != null; source = source.next) {
            if (source.dataLength <= startOffset) {
                continue;
            }
            Mdl part = partialChain(
                    ndis.mdls(), source, startOffset, source.dataLength - startOffset, MdlOrigin.REASSEMBLY_PARTIAL);
            if (head == null) {
                head = part;
            } else if (tail != null) {
                tail.setNext(part);
            }
            tail = part;
            while (tail != null && tail.next() != null) {
                tail = tail.next();
            }
        }
        target.mdlChain = head;
        target.currentMdl = head;
        target.currentMdlOffset = 0;
        target.dataOffset = 0;
        target.dataLength = (int) total;
        if (whole.retreat(dataOffsetDelta, dataBackFill, null, null) != NtStatus.NDIS_STATUS_SUCCESS) {
            freeDerived(whole, NetBufferListKind.REASSEMBLED, 0, 0);
            return null;
        }
        whole.derivationArgument = dataOffsetDelta;
        return whole;
    }

    /**
     * The free functions of fragments and reassemblies: advance by the allocation's delta with {@code FreeMdl}
     * (releasing the header buffers NDIS made), free every remaining MDL descriptor, then the NBs and the NBL.
     */
    static void freeDerived(NetBufferList derived, NetBufferListKind kind, int dataOffsetDelta, int flags) {
        String ddi = kind == NetBufferListKind.FRAGMENT
                ? "NdisFreeFragmentNetBufferList"
                : "NdisFreeReassembledNetBufferList";
        if (!derived.mayFree(kind, ddi)) {
            return;
        }
        requireZeroFlags(derived, flags);
        if (dataOffsetDelta != derived.derivationArgument) {
            derived.pool
                    .verifier()
                    .report(
                            BufferRule.FRAGMENT_DELTA_MISMATCH,
                            "allocated with " + derived.derivationArgument + ", freed with " + dataOffsetDelta,
                            derived.track,
                            0);
            return;
        }
        MdlPool mdls = derived.pool.ndis().mdls();
        derived.next = null;
        NetBuffer nb = derived.firstNetBuffer;
        while (nb != null) {
            NetBuffer following = nb.next;
            nb.advance(dataOffsetDelta, true, null);
            freeEveryMdl(mdls, nb);
            freeUnlessEmbedded(nb);
            nb = following;
        }
        derived.release();
    }

    /**
     * Partial MDLs covering {@code length} bytes of {@code source}'s data from {@code skip} bytes past its data start,
     * one per source MDL touched, empty MDLs skipped; {@code null} for no bytes.
     */
    private static @Nullable Mdl partialChain(MdlPool mdls, NetBuffer source, int skip, int length, MdlOrigin origin) {
        Mdl current = source.currentMdl;
        long at = (long) source.currentMdlOffset + skip;
        if (length > 0 && current != null && MdlCursor.inOneMdl(current, at, length)) {
            // The bytes lie in one MDL (every single-MDL packet): one partial MDL, no walk.
            return mdls.partial(current, (int) at, length, origin);
        }
        MdlCursor runs = new MdlCursor();
        Mdl head = null;
        Mdl tail = null;
        for (boolean more = runs.seek(current, at, length); more; more = runs.next()) {
            Mdl part = runs.partial(mdls, origin);
            if (tail == null) {
                head = part;
            } else {
                tail.setNext(part);
            }
            tail = part;
        }
        return head;
    }

    /**
     * The NB for the next position of a derived NBL: its embedded NB first (which allocation already made the first
     * NB), then one from the NB pool ({@code null} for NDIS's default).
     */
    private static @Nullable NetBuffer nextNetBuffer(
            NetBufferList derived, @Nullable NetBuffer last, @Nullable NetBufferPool requestedNbPool) {
        if (last == null && derived.embeddedNetBuffer != null) {
            return derived.embeddedNetBuffer;
        }
        NetBufferPool nbPool =
                requestedNbPool != null ? requestedNbPool : derived.pool.ndis().defaultNetBufferPool();
        NetBuffer nb = nbPool.allocateNetBuffer(null, 0, 0);
        if (nb == null) {
            return null;
        }
        if (last == null) {
            derived.firstNetBuffer = nb;
        } else {
            last.next = nb;
        }
        return nb;
    }

    private static void freeEveryMdl(MdlPool mdls, NetBuffer nb) {
        Mdl mdl = nb.mdlChain;
        while (mdl != null) {
            Mdl following = mdl.next();
            mdls.free(mdl);
            mdl = following;
        }
        nb.mdlChain = null;
        nb.currentMdl = null;
    }

    private static void freeUnlessEmbedded(NetBuffer nb) {
        if (nb.embeddedIn == null) {
            nb.free();
        }
    }

    private static void requireZeroFlags(NetBufferList nbl, int flags) {
        if (flags != 0) {
            throw nbl.pool
                    .verifier()
                    .rejected(BufferRule.FRAGMENT_FLAGS_NOT_ZERO, "flags 0x" + Integer.toHexString(flags));
        }
    }

    /** Copies one information slot of {@code source} into a slot of {@code target} known to be clear. */
    private static void copyIntoClearSlot(NetBufferList target, NetBufferList source, NetBufferListInfo slot) {
        int index = slot.index();
        long value = source.infoValues[index];
        Object reference = source.infoReferences[index];
        if (value != 0 || reference != null) {
            target.markInfoWritten(index);
            target.infoValues[index] = value;
            target.infoReferences[index] = reference;
        }
    }

    /** Copies one information slot; stores (and marks the slot written) only if the target's differs. */
    static void copySlot(NetBufferList target, NetBufferList source, NetBufferListInfo slot) {
        int index = slot.index();
        long value = source.infoValues[index];
        Object reference = source.infoReferences[index];
        if (value != target.infoValues[index] || reference != target.infoReferences[index]) {
            target.markInfoWritten(index);
            target.infoValues[index] = value;
            target.infoReferences[index] = reference;
        }
    }
}
