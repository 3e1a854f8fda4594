package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.RuleViolation;

/**
 * A pool of NET_BUFFER_LISTs, each optionally with an embedded NB, preallocated context and a data buffer: the
 * handle {@code NdisAllocateNetBufferListPool} returns (ndis-buffers §4.6, §4.7).
 *
 * <p>Elements are recycled through per-thread caches (the counterpart of NDIS's per-processor lookasides), so
 * allocation and free touch no shared state and allocate nothing in steady state. Each allocation is counted under
 * the pool tag with the element's x64 size: NBL 384 bytes, embedded NB 176, context block 16 + ContextSize, MDL 64 +
 * DataSize.
 */
public final class NetBufferListPool extends ElementPool<NetBufferList> implements BufferPool, AutoCloseable {
    static final int NBL_BYTES = 384;
    static final int NB_BYTES = 176;
    /** The bits a USHORT context size that is a multiple of 8 may have set. */
    private static final int CONTEXT_SIZE_MASK = 0xFFF8;

    private final NetBufferListPoolParameters parameters;
    /** The verifier is on (it never changes): the one test the allocation's common path makes for it. */
    private final boolean verifying;
    /** {@code parameters.dataSize()}, kept at hand for the allocation path. */
    private final int dataSize;

    NetBufferListPool(Ndis ndis, NetBufferListPoolParameters parameters) {
        super(ndis, "NBL", parameters.poolTag(), elementBytes(parameters), parameters.verify());
        this.parameters = parameters;
        this.verifying = verifier.enabled();
        this.dataSize = parameters.dataSize();
    }

    /** The accounted size of one element: the NBL and what comes with it. */
    private static long elementBytes(NetBufferListPoolParameters parameters) {
        long bytes = NBL_BYTES;
        if (parameters.allocateNetBuffer()) {
            bytes += NB_BYTES;
        }
        if (parameters.contextSize() > 0) {
            bytes += NetBufferListContext.HEADER_BYTES + parameters.contextSize();
        }
        if (parameters.dataSize() > 0) {
            bytes += 64 + parameters.dataSize();
        }
        return bytes;
    }

    /** The parameters the pool was made with. */
    public NetBufferListPoolParameters parameters() {
        return parameters;
    }

    /** Whether elements carry a data buffer (a data pool). */
    public boolean isDataPool() {
        return dataSize > 0;
    }

    /**
     * {@code NdisAllocateNetBufferList} (§4.7): a zeroed NBL with the pool's protocol id, its preallocated context
     * (from which {@code contextSize} bytes are taken if they fit, else a new block is pushed), and its embedded NB:
     * for a data pool the whole buffer is headroom ({@code DataOffset = DataSize}, {@code DataLength = 0}).
     *
     * @return the NBL, or {@code null} if a size is not a multiple of 8 or context allocation failed
     */
    public @Nullable NetBufferList allocateNetBufferList(int contextSize, int contextBackFill) {
        if (verifying && !verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateNetBufferList", NetBufferList.NBLAPI)) {
            return null;
        }
        return allocate(contextSize, contextBackFill, NetBufferListKind.ALLOCATED);
    }

    /** {@link #allocateNetBufferList}'s work, for an NBL of the given kind (which its free function must match). */
    @Nullable
    NetBufferList allocate(int contextSize, int contextBackFill, NetBufferListKind kind) {
        if (((contextSize | contextBackFill) & ~CONTEXT_SIZE_MASK) != 0) {
            requireOpen();
            return null;
        }
        NetBufferList nbl = take();
        nbl.initialize(kind);
        NetBuffer nb = nbl.embeddedNetBuffer;
        if (nb != null) {
            nb.initializeEmbedded(dataSize);
            nbl.firstNetBuffer = nb;
        }
        if (verifying) {
            return setUpVerified(nbl, contextSize, contextBackFill, kind);
        }
        if ((nbl.embeddedContext != null || contextSize > 0) && !setUpContext(nbl, contextSize, contextBackFill)) {
            return null;
        }
        return nbl;
    }

    /**
     * The rest of {@link #allocate} with the verifier on: the NBL becomes the caller's before its context is set up
     * (context functions check the owner), and is tracked once it has all it needs.
     */
    private @Nullable NetBufferList setUpVerified(
            NetBufferList nbl, int contextSize, int contextBackFill, NetBufferListKind kind) {
        nbl.owner = OwnerState.OWNED;
        nbl.track = null; // the previous life's track, which a failed context set-up must not free again
        if ((nbl.embeddedContext != null || contextSize > 0) && !setUpContext(nbl, contextSize, contextBackFill)) {
            return null;
        }
        nbl.track = verifier.track(nbl, parameters.poolTag(), kind == NetBufferListKind.CLONE);
        return nbl;
    }

    /**
     * The context part of §4.7, kept out of the allocation's common path (no context): the pool's preallocated block,
     * from which {@code contextSize} bytes are taken if they fit, else a block pushed for the allocation.
     *
     * @return whether it worked; if not, the NBL has been released
     */
    private boolean setUpContext(NetBufferList nbl, int contextSize, int contextBackFill) {
        NetBufferListContext preallocated = nbl.embeddedContext;
        if (preallocated != null) {
            preallocated.next = null;
            preallocated.offset = preallocated.size;
            nbl.context = preallocated;
            if (parameters.contextSize() >= contextSize) {
                preallocated.offset -= contextSize;
                return true;
            }
        }
        if (contextSize > 0) {
            if (nbl.allocateContext(contextSize, contextBackFill, parameters.poolTag())
                    != NtStatus.NDIS_STATUS_SUCCESS) {
                nbl.release();
                return false;
            }
            nbl.flags |= NblFlags.NBL_ALLOCATION_CONTEXT;
            nbl.allocationContext = nbl.context;
        }
        return true;
    }

    /**
     * {@code NdisAllocateNetBufferAndNetBufferList} (§4.7): an NBL whose embedded NB describes the given MDL chain.
     *
     * @return the NBL, or {@code null} if the pool has no NBs or is a data pool ("wrong pool type"), or a context
     *     size is invalid
     * @throws RuleViolation if the offsets do not fit the MDL chain (I1)
     */
    public @Nullable NetBufferList allocateNetBufferAndNetBufferList(
            int contextSize, int contextBackFill, @Nullable Mdl mdlChain, int dataOffset, int dataLength) {
        if (!parameters.allocateNetBuffer() || isDataPool()) {
            return null;
        }
        if (verifying
                && !verifier.irqlAtMost(
                        Irql.DISPATCH_LEVEL, "NdisAllocateNetBufferAndNetBufferList", NetBufferList.NBLAPI)) {
            return null;
        }
        NetBufferPool.requireFits(verifier, mdlChain, dataOffset, dataLength);
        NetBufferList nbl = allocateNetBufferList(contextSize, contextBackFill);
        if (nbl != null && nbl.embeddedNetBuffer != null) {
            nbl.embeddedNetBuffer.initialize(mdlChain, dataOffset, dataLength);
        }
        return nbl;
    }

    /**
     * {@code NdisFreeNetBufferListPool}: releases the pool and its memory.
     *
     * @throws RuleViolation {@link BufferRule#NBL_LEAKED} if NBLs of the pool are still allocated: Windows' NBL tracker
     *     bugchecks 0x7C with parameters 0x27, 1 when a driver deregisters holding NBLs (nbl-reuse §1.6); the pool
     *     stays open and the report names the tracked NBLs' allocation sites
     */
    @Override
    public void close() {
        close(BufferRule.NBL_LEAKED, 1, "NdisFreeNetBufferListPool");
    }

    @Override
    @Nullable
    Arena arenaOf(NetBufferList nbl) {
        return nbl.elementArena;
    }

    @Override
    NetBufferList newElement(Arena arena) {
        NetBufferList nbl = new NetBufferList(this, parameters.allocateNetBuffer());
        nbl.elementArena = arena;
        if (parameters.contextSize() > 0) {
            NetBufferListContext context = new NetBufferListContext(true);
            context.size = parameters.contextSize();
            context.memory = allocate(arena, NetBufferListContext.HEADER_BYTES + context.size);
            nbl.embeddedContext = context;
        }
        NetBuffer nb = nbl.embeddedNetBuffer;
        if (nb != null && parameters.dataSize() > 0) {
            nb.embeddedMdl = ndis.mdls().embedded(allocate(arena, parameters.dataSize()), parameters.dataSize());
        }
        return nbl;
    }

    @Override
    public String toString() {
        return "NBL pool " + tag();
    }
}
