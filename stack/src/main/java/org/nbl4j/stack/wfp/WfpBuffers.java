package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.CloneFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.TagAccount;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * The WFP buffer functions of fwpsk.h (§2): allocate, free, clone, deep clone, free clone, reference and dereference.
 * Every NBL they make carries a WFP info container that records how it was made, so that the matching free function
 * is enforced, clones inherit the injection history (§3.9) and tags (§2.7), and a clone's structure is checked when it
 * is freed (§2.5). Fragment-group reassembly is in {@link ForwardFragmentGroups}.
 *
 * <p>Functions that make an NBL throw {@link FwpStatusException} with the DDI's NTSTATUS when they fail; programming
 * errors are reported through the verifier of the {@link Ndis}.
 */
public final class WfpBuffers {
    /** {@code MEMORY_ALLOCATION_ALIGNMENT} on x64: context sizes must be multiples of it (§1). */
    public static final int MEMORY_ALLOCATION_ALIGNMENT = 16;
    /** The pool tag of a deep clone's data buffers (nbl4j's choice). */
    public static final PoolTag DEEP_CLONE_TAG = PoolTag.of("Wfpd");
    /**
     * The context a deep clone starts with: "an initial NET_BUFFER_LIST_CONTEXT" (seed 000), here one
     * MEMORY_ALLOCATION_ALIGNMENT of used context, as a callout reserves with {@code contextSize}.
     */
    static final int DEEP_CLONE_CONTEXT = MEMORY_ALLOCATION_ALIGNMENT;

    private final Ndis ndis;
    private final Verifier verifier;
    private final WfpInfoContainers containers;
    private final NblTags tags;
    private final InjectionFaults faults;
    /** {@link #DEEP_CLONE_TAG}'s totals, kept so that each deep clone skips the tag lookup. */
    private final TagAccount deepCloneData;

    private volatile IndicatedPacketHolds packetHolds = IndicatedPacketHolds.NONE;

    WfpBuffers(Ndis ndis, WfpInfoContainers containers, NblTags tags, InjectionFaults faults) {
        this.ndis = ndis;
        this.verifier = ndis.verifier();
        this.containers = containers;
        this.tags = tags;
        this.faults = faults;
        this.deepCloneData = ndis.memory().account(DEEP_CLONE_TAG);
    }

    void setPacketHolds(IndicatedPacketHolds holds) {
        this.packetHolds = holds;
    }

    /**
     * {@code FwpsAllocateNetBufferAndNetBufferList0} (§2.1): a new NBL with one NB over the caller's MDL chain. The
     * caller keeps the MDLs and data; it frees the NBL with {@link #freeNetBufferList} and then its own memory.
     *
     * @param pool an NBL pool with NBs and no data
     * @param contextSize used context bytes to reserve, a multiple of {@link #MEMORY_ALLOCATION_ALIGNMENT}
     * @param contextBackFill extra unused context bytes, a multiple of {@link #MEMORY_ALLOCATION_ALIGNMENT}
     * @throws FwpStatusException STATUS_INVALID_PARAMETER for a bad size or pool, STATUS_INSUFFICIENT_RESOURCES
     */
    public NetBufferList allocateNetBufferAndNetBufferList(
            NetBufferListPool pool,
            int contextSize,
            int contextBackFill,
            @Nullable Mdl mdlChain,
            int dataOffset,
            int dataLength) {
        requireIrql("FwpsAllocateNetBufferAndNetBufferList0");
        if (contextSize < 0
                || contextBackFill < 0
                || contextSize % MEMORY_ALLOCATION_ALIGNMENT != 0
                || contextBackFill % MEMORY_ALLOCATION_ALIGNMENT != 0) {
            throw new FwpStatusException(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    "context sizes must be multiples of 16: " + contextSize + ", " + contextBackFill);
        }
        if (!pool.parameters().allocateNetBuffer() || pool.isDataPool()) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, pool + " must have NBs and no data");
        }
        if (faults.lowResourcesOnAllocate()) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "fault switch: low resources");
        }
        NetBufferList nbl =
                pool.allocateNetBufferAndNetBufferList(contextSize, contextBackFill, mdlChain, dataOffset, dataLength);
        if (nbl == null) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "from " + pool);
        }
        containers.attach(nbl).kind = WfpNblKind.ALLOCATED;
        return nbl;
    }

    /**
     * {@code FwpsFreeNetBufferList0} (§2.2): frees an NBL made by {@link #allocateNetBufferAndNetBufferList} or by
     * fragment-group reassembly (whose references on the fragments it drops). Never the caller's MDLs or data.
     */
    public void freeNetBufferList(NetBufferList nbl) {
        if (!irqlAllows("FwpsFreeNetBufferList0")) {
            return;
        }
        WfpInfoContainer container = requireKind(nbl, "FwpsFreeNetBufferList0", WfpNblKind.ALLOCATED, null);
        if (container == null) {
            return;
        }
        if (container.kind == WfpNblKind.REASSEMBLED_GROUP) {
            ForwardFragmentGroups.free(this, nbl, container);
            return;
        }
        nbl.free();
    }

    /**
     * {@code FwpsAllocateCloneNetBufferList0} (§2.3): a clone whose NBs describe the original's bytes through the
     * original's own MDLs, with the original's current DataOffset and DataLength. The clone has no context, its
     * {@code ParentNetBufferList} is the original, whose {@code ChildRefCount} grows by one; it inherits the
     * original's checksum information, injection history and tags (the tags' owners are told
     * {@code CLONED_VIA_WFP_API}).
     *
     * @param nblPool the clone's NBL pool, {@code null} for NDIS's default
     * @param nbPool the pool for NBs beyond the first, {@code null} for NDIS's default
     * @param allocateCloneFlags must be 0
     * @throws FwpStatusException STATUS_INVALID_PARAMETER for non-zero flags, STATUS_INSUFFICIENT_RESOURCES
     */
    public NetBufferList allocateCloneNetBufferList(
            NetBufferList original,
            @Nullable NetBufferListPool nblPool,
            @Nullable NetBufferPool nbPool,
            int allocateCloneFlags) {
        requireIrql("FwpsAllocateCloneNetBufferList0");
        if (allocateCloneFlags != 0) {
            throw new FwpStatusException(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    "allocateCloneFlags 0x" + Integer.toHexString(allocateCloneFlags));
        }
        if (faults.lowResourcesOnClone()) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "fault switch: low resources");
        }
        NetBufferList clone = original.allocateClone(nblPool, nbPool, CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        if (clone == null) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "cloning " + original);
        }
        adopt(original, clone, WfpNblKind.CLONE);
        return clone;
    }

    /**
     * {@code FwpsAllocateDeepCloneNetBufferList0} (§2.4, seed 000): a clone whose bytes are copied into new data
     * buffers (tag {@link #DEEP_CLONE_TAG}), one MDL per NB holding exactly the original's used data (so DataOffset
     * is 0: a later retreat gets its header space from NDIS). It has an initial NET_BUFFER_LIST_CONTEXT, uses NDIS's
     * default pools when the handles are {@code null}, sets {@code ParentNetBufferList} to the original and increments
     * the original's {@code ChildRefCount}, and inherits checksum information, injection history and tags.
     *
     * @throws FwpStatusException STATUS_INVALID_PARAMETER for a pool without NBs or with data,
     *     STATUS_INSUFFICIENT_RESOURCES
     */
    public NetBufferList allocateDeepCloneNetBufferList(
            NetBufferList original, @Nullable NetBufferListPool nblPool, @Nullable NetBufferPool nbPool) {
        requireIrql("FwpsAllocateDeepCloneNetBufferList0");
        NetBufferListPool pool = nblPool != null ? nblPool : ndis.defaultNetBufferListPool();
        NetBufferPool extraPool = nbPool != null ? nbPool : ndis.defaultNetBufferPool();
        if (!pool.parameters().allocateNetBuffer() || pool.isDataPool() || extraPool.isDataPool()) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, pool + " must have NBs and no data");
        }
        if (faults.lowResourcesOnClone()) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "fault switch: low resources");
        }
        NetBufferList clone = null;
        NetBuffer last = null;
        for (NetBuffer source = original.firstNetBuffer(); source != null; source = source.next()) {
            Mdl copy = copyOf(source);
            NetBuffer target;
            if (clone == null) {
                clone = pool.allocateNetBufferAndNetBufferList(DEEP_CLONE_CONTEXT, 0, copy, 0, source.dataLength());
                target = clone == null ? null : clone.firstNetBuffer();
            } else {
                target = extraPool.allocateNetBuffer(copy, 0, source.dataLength());
                if (target != null && last != null) {
                    last.setNext(target);
                }
            }
            if (target == null) {
                ndis.mdls().freeWithMemory(copy);
                if (clone != null) {
                    freeDeepCopy(clone);
                }
                throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "deep-cloning " + original);
            }
            last = target;
        }
        if (clone == null) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, original + " has no NET_BUFFER");
        }
        clone.setSourceHandle(original.sourceHandle());
        clone.trackAsClone();
        adopt(original, clone, WfpNblKind.DEEP_CLONE);
        return clone;
    }

    /**
     * {@code FwpsFreeCloneNetBufferList0} (§2.5): frees a clone or deep clone whose NBs and MDLs are the ones the clone
     * function gave it, then tells the parent's owner, which decrements the parent's {@code ChildRefCount} and may now
     * return it.
     *
     * @param freeCloneFlags must be 0
     */
    public void freeCloneNetBufferList(NetBufferList clone, int freeCloneFlags) {
        if (!irqlAllows("FwpsFreeCloneNetBufferList0")) {
            return;
        }
        WfpInfoContainer container =
                requireKind(clone, "FwpsFreeCloneNetBufferList0", WfpNblKind.CLONE, WfpNblKind.DEEP_CLONE);
        if (container == null) {
            return;
        }
        if (freeCloneFlags != 0) {
            verifier.report(
                    BufferRule.CLONE_FLAGS_MISMATCH,
                    "FwpsFreeCloneNetBufferList0 flags must be 0, not 0x" + Integer.toHexString(freeCloneFlags),
                    clone.track(),
                    0);
            return;
        }
        if (verifier.enabled() && !structureRestored(clone, container)) {
            return;
        }
        NetBufferList parent = clone.parent();
        if (container.kind == WfpNblKind.CLONE) {
            clone.freeClone(CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        } else {
            freeDeepCopy(clone);
        }
        if (parent != null) {
            packetHolds.cloneFreed(parent, Irql.current() == Irql.DISPATCH_LEVEL);
        }
    }

    /**
     * {@code FwpsReferenceNetBufferList0} (§2.6): keeps an indicated NBL valid after classifyFn returns. A callout
     * that passes {@code intendToModify} must clear FWPS_RIGHT_ACTION_WRITE in its classify result.
     */
    public void referenceNetBufferList(NetBufferList nbl, boolean intendToModify) {
        if (!irqlAllows("FwpsReferenceNetBufferList0")) {
            return;
        }
        containers.attach(nbl).addReference();
        packetHolds.reference(nbl);
    }

    /**
     * {@code FwpsDereferenceNetBufferList0} (§2.6): drops a reference taken by {@link #referenceNetBufferList}; the
     * NBL's owner returns it when nothing holds it any more.
     *
     * @param dispatchLevel TRUE only when the caller runs at DISPATCH_LEVEL
     */
    public void dereferenceNetBufferList(NetBufferList nbl, boolean dispatchLevel) {
        if (!irqlAllows("FwpsDereferenceNetBufferList0")) {
            return;
        }
        if (!verifier.dispatchFlagHonest(dispatchLevel, "FwpsDereferenceNetBufferList0", "dispatchLevel = TRUE")) {
            return;
        }
        WfpInfoContainer container = containers.find(nbl);
        if (container == null || container.references() <= 0) {
            verifier.report(
                    WfpRule.WFP_REFERENCE_UNBALANCED,
                    WfpInfoContainers.name(nbl) + " has no FwpsReferenceNetBufferList0 reference to drop",
                    nbl.track(),
                    0);
            return;
        }
        container.dropReference();
        packetHolds.dereference(nbl, dispatchLevel);
    }

    /**
     * {@code FwpsReassembleForwardFragmentGroup0} (§2.9): one NBL for the fragment group indicated at IPFORWARD with
     * IS_FRAGMENT_GROUP, referencing the fragments' bytes; free it with {@link #freeNetBufferList}.
     *
     * @param pool an NBL pool with NBs and no data, {@code null} for NDIS's default
     * @param dataBackFill unused bytes in front of the new IP header
     * @param flags must be 0
     * @throws FwpStatusException STATUS_FWP_TCPIP_NOT_READY, STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES,
     *     or STATUS_INVALID_DEVICE_STATE above DISPATCH_LEVEL
     */
    public NetBufferList reassembleForwardFragmentGroup(
            AddressFamily family,
            NetBufferList fragmentGroup,
            @Nullable NetBufferListPool pool,
            int dataBackFill,
            int flags) {
        requireIrql("FwpsReassembleForwardFragmentGroup0");
        return ForwardFragmentGroups.reassemble(this, family, fragmentGroup, pool, dataBackFill, flags);
    }

    /** The FwpsReference count of an NBL. */
    public int referenceCount(NetBufferList nbl) {
        WfpInfoContainer container = containers.find(nbl);
        return container == null ? 0 : container.references();
    }

    /**
     * Whether WFP still holds an indicated NBL: a reference is outstanding or a clone still points at it. Its owner
     * must not return it until this is false (§2.6, §8.2).
     */
    public boolean isHeld(NetBufferList nbl) {
        return nbl.childRefCount() > 0 || referenceCount(nbl) > 0;
    }

    /** How WFP made an NBL, {@link WfpNblKind#FOREIGN} if not by one of its functions. */
    public WfpNblKind kindOf(NetBufferList nbl) {
        WfpInfoContainer container = containers.find(nbl);
        return container == null ? WfpNblKind.FOREIGN : container.kind;
    }

    Ndis ndis() {
        return ndis;
    }

    WfpInfoContainers containers() {
        return containers;
    }

    InjectionFaults faults() {
        return faults;
    }

    /**
     * Whether a clone about to be freed has the structure it was cloned with (§2.5); if not, the difference is reported
     * as {@link BufferRule#CLONE_STRUCTURE_NOT_RESTORED}, naming the NB and MDL, and the free must be refused: freeing would
     * leak what was added or free what the callout still owns.
     */
    private boolean structureRestored(NetBufferList clone, WfpInfoContainer container) {
        String change = container.structure.change(clone);
        if (change == null) {
            return true;
        }
        verifier.report(
                BufferRule.CLONE_STRUCTURE_NOT_RESTORED,
                WfpInfoContainers.name(clone) + " is not as it was cloned: " + change
                        + "; undo the change before FwpsFreeCloneNetBufferList0",
                clone.track(),
                0);
        return false;
    }

    /** Links a new clone to its original and gives it what it inherits. */
    private void adopt(NetBufferList original, NetBufferList clone, WfpNblKind kind) {
        clone.setParent(original);
        original.incrementChildRefCount();
        clone.setInfoValue(
                NetBufferListInfo.TcpIpChecksumNetBufferListInfo,
                original.infoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo));
        // A clone of a coalesced packet is one too: the path needs its segment count to send it (docs/offloads.md).
        clone.setInfoValue(
                NetBufferListInfo.TcpRecvSegCoalesceInfo, original.infoValue(NetBufferListInfo.TcpRecvSegCoalesceInfo));
        WfpInfoContainer container = containers.attach(clone);
        container.kind = kind;
        if (verifier.enabled()) {
            // Clones are few, but with the verifier off the free does not check the structure, so nothing records it.
            container.structure.record(clone);
        }
        WfpInfoContainer parent = containers.find(original);
        if (parent != null) {
            container.inheritHistory(parent);
            if (parent.tagCount > 0) {
                tags.cloned(original, parent, clone, container);
            }
        }
    }

    /** One MDL over a fresh buffer holding a copy of the NB's used data. */
    private Mdl copyOf(NetBuffer source) {
        int length = source.dataLength();
        MemoryBlock block = ndis.memory().allocate(deepCloneData, Math.max(1, length));
        if (block == null) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "deep-clone data");
        }
        if (length > 0 && source.copyDataTo(block.segment()) != length) {
            ndis.memory().free(block);
            throw new FwpStatusException(
                    NtStatus.STATUS_INVALID_PARAMETER, source + " has fewer bytes than its length");
        }
        return ndis.mdls().describe(block.segment(), 0, length, MdlOrigin.CALLER, block);
    }

    /** Frees a deep clone: its NBs beyond the first, its data buffers with their MDLs, then the NBL. */
    private void freeDeepCopy(NetBufferList clone) {
        NetBuffer nb = clone.firstNetBuffer();
        while (nb != null) {
            NetBuffer following = nb.next();
            Mdl mdl = nb.mdlChain();
            nb.setNext(null);
            if (nb.embeddedIn() == null) {
                nb.free();
            }
            if (mdl != null) {
                ndis.mdls().freeWithMemory(mdl);
            }
            nb = following;
        }
        clone.free();
    }

    /**
     * The NBL's container if it was made by one of {@code allowed} (or a reassembled group, which shares
     * FwpsFreeNetBufferList0 with ALLOCATED) and is not in the stack's hands; else the misuse is reported and
     * {@code null} returned.
     */
    private @Nullable WfpInfoContainer requireKind(
            NetBufferList nbl, String ddi, WfpNblKind allowed, @Nullable WfpNblKind alsoAllowed) {
        WfpInfoContainer container = containers.find(nbl);
        WfpNblKind kind = container == null ? WfpNblKind.FOREIGN : container.kind;
        boolean fits = kind == allowed
                || kind == alsoAllowed
                || (allowed == WfpNblKind.ALLOCATED && kind == WfpNblKind.REASSEMBLED_GROUP);
        if (container == null || !fits) {
            verifier.report(
                    WfpRule.WFP_WRONG_FREE_FUNCTION,
                    ddi + " on " + WfpInfoContainers.name(nbl) + ", made as " + kind,
                    nbl.track(),
                    0);
            return null;
        }
        if (container.injectingHandle != null) {
            verifier.report(
                    WfpRule.WFP_WRONG_FREE_FUNCTION,
                    ddi + " on " + WfpInfoContainers.name(nbl) + " while an injection of it is in flight",
                    nbl.track(),
                    0);
            return null;
        }
        return container;
    }

    /**
     * The IRQL rule every buffer function of {@code fwpsk.h} documents: {@code IRQL <= DISPATCH_LEVEL}
     * (wfp-callouts-and-injection §2).
     *
     * @return whether the call may go on
     */
    private boolean irqlAllows(String ddi) {
        return verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, "fwpsk");
    }

    /** {@link #irqlAllows} for the functions that return their refusal as an NTSTATUS. */
    private void requireIrql(String ddi) {
        if (!irqlAllows(ddi)) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_DEVICE_STATE, ddi + " above DISPATCH_LEVEL");
        }
    }
}
