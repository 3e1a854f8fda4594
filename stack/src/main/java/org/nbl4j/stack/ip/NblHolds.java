package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NblFlags;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * The IP layer's bookkeeping of the NBLs it holds, kept in the fields the protocol owns while it holds an NBL: the
 * {@link NblRole} and its target in {@code ProtocolReserved[0..1]}, the saved SourceHandle of a sent NBL in
 * {@code ProtocolReserved[2]}, the link padding cut off a received packet in {@code ProtocolReserved[3]}
 * ({@link #trimPadding}), and a hold count in the protocol bits of {@code Flags}
 * ({@link NblFlags#NBL_FLAGS_PROTOCOL_RESERVED}).
 *
 * <p>A hold is a reason to keep the NBL: the receive-queue thread working on it, a send not yet completed, a
 * {@code FwpsReferenceNetBufferList0} pin. The NBL is finished (returned, freed or completed, by role) exactly once:
 * when the last hold is released and {@code ChildRefCount} is 0, or when the last child goes while no hold is left
 * (wfp-callouts-and-injection §8.2, ndis-buffers §5.1). Both decisions are made under the NBL's monitor so that a
 * clone freed on a worker thread and the receive thread finishing cannot both, or neither, finish it.
 *
 * <p>Verifier owner states: NDIS (the {@code Adapter}) marks the hand-offs at its edges, so an indicated or completed
 * NBL is already {@code OWNED} when the layer sees it. An NBL that arrives {@code INJECTED} is taken ({@code OWNED},
 * held by the layer) so the layer and the callouts it shows the NBL to may touch it, and handed back to
 * {@code INJECTED} just before its completion runs.
 */
final class NblHolds {
    static final int SLOT_ROLE = 0;
    static final int SLOT_TARGET = 1;
    static final int SLOT_SOURCE_HANDLE = 2;
    static final int SLOT_PADDING = 3;

    /** The owner state was taken from INDICATED or INJECTED and must be given back. */
    private static final int TAKEN = 0x1;

    private static final int HOLD = 1 << 20;
    private static final int HOLD_MASK = 0xFFF00000;
    private static final int OURS = NblFlags.NBL_FLAGS_PROTOCOL_RESERVED;

    /** The verifier's holder of the NBLs the layer takes: the {@link IpStack}. */
    private final Object holder;

    private final PathInspection inspection;
    private final GeneratedPackets generatedPackets;

    NblHolds(Object holder, PathInspection inspection, GeneratedPackets generatedPackets) {
        this.holder = holder;
        this.inspection = inspection;
        this.generatedPackets = generatedPackets;
    }

    /** Starts holding an NBL in a role, with one hold for the caller's work on it. */
    void adopt(NetBufferList nbl, NblRole role, @Nullable Object target) {
        Object[] reserved = nbl.protocolReserved();
        reserved[SLOT_ROLE] = role;
        reserved[SLOT_TARGET] = target;
        reserved[SLOT_SOURCE_HANDLE] = null;
        reserved[SLOT_PADDING] = null;
        int taken = 0;
        OwnerState state = nbl.ownerState();
        if (state == OwnerState.INJECTED) {
            nbl.handOff(OwnerState.OWNED, holder);
            taken = TAKEN;
        }
        nbl.setFlags((nbl.flags() & ~OURS) | HOLD | taken);
    }

    /**
     * Undoes {@link #adopt} for an NBL the layer turned down (a failed injection): clears the bookkeeping and gives
     * the owner state back, without finishing it, so the caller still owns it (§3.4).
     */
    void undoAdopt(NetBufferList nbl) {
        Object[] reserved = nbl.protocolReserved();
        Object target = reserved[SLOT_TARGET];
        NblRole role = (NblRole) reserved[SLOT_ROLE];
        boolean taken = (nbl.flags() & TAKEN) != 0;
        nbl.setFlags(nbl.flags() & ~OURS);
        reserved[SLOT_ROLE] = null;
        reserved[SLOT_TARGET] = null;
        if (taken) {
            nbl.handOff(OwnerState.INJECTED, target);
        }
    }

    /**
     * Makes {@code fragment} a child of {@code parent} (ndis-buffers §5.1) and holds it for its send; it is freed with
     * the {@code DataOffsetDelta} it was allocated with, its header space (a small boxed value: no allocation).
     */
    void adoptChild(NetBufferList fragment, NetBufferList parent, int dataOffsetDelta) {
        adopt(fragment, NblRole.FRAGMENT, dataOffsetDelta);
        fragment.setParent(parent);
        parent.incrementChildRefCount();
    }

    /** The role of an NBL the layer holds, or null if it does not hold it. */
    static @Nullable NblRole role(NetBufferList nbl) {
        return nbl.protocolReserved()[SLOT_ROLE] instanceof NblRole role ? role : null;
    }

    /** Adds a hold ({@code FwpsReferenceNetBufferList0}, a send). */
    void hold(NetBufferList nbl) {
        synchronized (nbl) {
            int flags = nbl.flags();
            if ((flags & HOLD_MASK) == HOLD_MASK) {
                throw new IllegalStateException("too many holds on " + nbl);
            }
            nbl.setFlags(flags + HOLD);
        }
    }

    /** Releases a hold; finishes the NBL if it was the last and no child is left. */
    void release(NetBufferList nbl, boolean atDispatch) {
        boolean finish;
        synchronized (nbl) {
            int flags = nbl.flags();
            if ((flags & HOLD_MASK) == 0) {
                throw new IllegalStateException("released more holds than taken on " + nbl);
            }
            flags -= HOLD;
            nbl.setFlags(flags);
            finish = (flags & HOLD_MASK) == 0 && nbl.childRefCount() == 0;
        }
        if (finish) {
            finish(nbl, atDispatch);
        }
    }

    /**
     * A child of {@code parent} was freed: decrements {@code ChildRefCount} and finishes the parent if it was the last
     * child and no hold is left. For a parent the layer does not hold only the count changes.
     */
    void childFreed(NetBufferList parent, boolean atDispatch) {
        boolean finish;
        synchronized (parent) {
            int children = parent.decrementChildRefCount();
            if (children < 0) {
                throw new IllegalStateException("ChildRefCount of " + parent + " went below 0");
            }
            finish = children == 0 && (parent.flags() & HOLD_MASK) == 0 && role(parent) != null;
        }
        if (finish) {
            finish(parent, atDispatch);
        }
    }

    /**
     * Cuts the link padding off a held packet whose NB is longer than its IP header says (RFC 1812 §5.2.2 lets a
     * router forward only the datagram; Ethernet pads short frames to 60 bytes): its DataLength becomes
     * {@code packetLength}, and the cut is put back just before the NBL goes back to its producer, who gets it as it
     * gave it.
     */
    static void trimPadding(NetBufferList nbl, NetBuffer nb, int packetLength) {
        int padding = nb.dataLength() - packetLength;
        if (padding > 0) {
            // Below 128 (every link's minimum-frame padding: Ethernet's is at most 46) valueOf boxes from its cache.
            nbl.protocolReserved()[SLOT_PADDING] = Integer.valueOf(padding);
            nb.setDataLength(packetLength);
        }
    }

    /** Sets {@code SourceHandle} for a send (ndis-buffers §6.5), keeping the originator's to restore. */
    static void saveSourceHandle(NetBufferList nbl, Object binding) {
        nbl.protocolReserved()[SLOT_SOURCE_HANDLE] = nbl.sourceHandle();
        nbl.setSourceHandle(binding);
    }

    /** Puts back the SourceHandle an NBL had before the layer sent it. */
    static void restoreSourceHandle(NetBufferList nbl) {
        Object[] reserved = nbl.protocolReserved();
        nbl.setSourceHandle(reserved[SLOT_SOURCE_HANDLE]);
        reserved[SLOT_SOURCE_HANDLE] = null;
    }

    private void finish(NetBufferList nbl, boolean atDispatch) {
        Object[] reserved = nbl.protocolReserved();
        NblRole role = (NblRole) reserved[SLOT_ROLE];
        Object target = reserved[SLOT_TARGET];
        boolean taken = (nbl.flags() & TAKEN) != 0;
        nbl.setFlags(nbl.flags() & ~OURS);
        reserved[SLOT_ROLE] = null;
        if (reserved[SLOT_PADDING] instanceof Integer padding) {
            reserved[SLOT_PADDING] = null;
            NetBuffer nb = nbl.firstNetBuffer();
            nb.setDataLength(nb.dataLength() + padding);
        }
        switch (role) {
            case INDICATED -> {
                reserved[SLOT_TARGET] = null;
                ProtocolBinding binding = (ProtocolBinding) target;
                inspection.hook().releasing(nbl);
                binding.returnNetBufferLists(nbl, atDispatch ? NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
            }
            case GENERATED -> generatedPackets.free(nbl);
            case FRAGMENT -> {
                reserved[SLOT_TARGET] = null;
                NetBufferList parent = nbl.parent();
                nbl.setParent(null);
                nbl.freeFragment((Integer) target, 0);
                if (parent != null) {
                    childFreed(parent, atDispatch);
                }
            }
            case INJECTED -> {
                reserved[SLOT_TARGET] = null;
                if (taken) {
                    nbl.handOff(OwnerState.INJECTED, target);
                }
                ((PacketCompletion) target).complete(nbl, atDispatch);
            }
        }
    }

    /**
     * The DataOffsetDelta the fragment was allocated with: its fragments' IPv4 header length, read back from the
     * header written into that space (every fragment header of one NBL has the same length).
     */
}
