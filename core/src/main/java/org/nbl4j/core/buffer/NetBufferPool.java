package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;

/**
 * A pool of NET_BUFFERs, optionally each with an MDL and a data buffer: the handle {@code NdisAllocateNetBufferPool}
 * returns (ndis-buffers §3.10). Elements are counted under the pool tag as 176 bytes, plus 64 + DataSize for a data
 * pool.
 */
public final class NetBufferPool extends ElementPool<NetBuffer> implements BufferPool, AutoCloseable {
    private final NetBufferPoolParameters parameters;

    NetBufferPool(Ndis ndis, NetBufferPoolParameters parameters) {
        super(
                ndis,
                "NB",
                parameters.poolTag(),
                NetBufferListPool.NB_BYTES + (parameters.dataSize() > 0 ? 64L + parameters.dataSize() : 0),
                parameters.verify());
        this.parameters = parameters;
    }

    /** The parameters the pool was made with. */
    public NetBufferPoolParameters parameters() {
        return parameters;
    }

    /** Whether elements carry a data buffer (a data pool). */
    public boolean isDataPool() {
        return parameters.dataSize() > 0;
    }

    /**
     * {@code NdisAllocateNetBuffer}: an NB over a caller-owned MDL chain, cursor located at {@code dataOffset}.
     *
     * @return the NB, or {@code null} on a data pool
     * @throws RuleViolation if the offsets do not fit the MDL chain (I1), or a chain is absent but offsets are not 0
     */
    public @Nullable NetBuffer allocateNetBuffer(@Nullable Mdl mdlChain, int dataOffset, int dataLength) {
        requireOpen();
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateNetBuffer", NetBufferList.NBLAPI)) {
            return null;
        }
        if (isDataPool()) {
            return null;
        }
        requireFits(verifier, mdlChain, dataOffset, dataLength);
        NetBuffer nb = take();
        nb.initialize(mdlChain, dataOffset, dataLength);
        return tracked(nb);
    }

    /**
     * {@code NdisAllocateNetBufferMdlAndData}: an NB with its own MDL and {@code DataSize} bytes, all of them headroom
     * at first ({@code DataOffset = CurrentMdlOffset = DataSize}, {@code DataLength = 0}; §3.10).
     *
     * @return the NB, or {@code null} if this is not a data pool
     */
    public @Nullable NetBuffer allocateNetBufferMdlAndData() {
        requireOpen();
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisAllocateNetBufferMdlAndData", NetBufferList.NBLAPI)) {
            return null;
        }
        if (!isDataPool()) {
            return null;
        }
        NetBuffer nb = take();
        if (nb.embeddedMdl == null) {
            throw new IllegalStateException("data-pool NB without its MDL");
        }
        nb.initializeEmbedded(parameters.dataSize());
        return tracked(nb);
    }

    /**
     * {@code NdisFreeNetBufferPool}.
     *
     * @throws RuleViolation if NBs of the pool are still allocated
     */
    @Override
    public void close() {
        close(BufferRule.POOL_FREED_WITH_OUTSTANDING, 0, "NdisFreeNetBufferPool");
    }

    /** {@code NdisFreeNetBuffer}'s work: the MDL chain of a non-data NB is left to the caller. */
    void release(NetBuffer nb) {
        if (nb.pool != this) {
            throw verifier.rejected(BufferRule.POOL_WRONG_KIND, nb + " came from " + nb.pool);
        }
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFreeNetBuffer", NetBufferList.NBLAPI)) {
            return;
        }
        if (!nb.allocated) {
            verifier.report(BufferRule.NB_DOUBLE_FREE, "NdisFreeNetBuffer on " + nb + ", already freed", nb.track, 0);
            return;
        }
        nb.allocated = false;
        BufferTrack tracked = nb.track;
        if (tracked != null) {
            verifier.freed(tracked);
        }
        nb.clearReferences();
        giveBack(nb);
    }

    static void requireFits(Verifier verifier, @Nullable Mdl mdlChain, int dataOffset, int dataLength) {
        long chainBytes = 0;
        for (Mdl mdl = mdlChain; mdl != null; mdl = mdl.next()) {
            chainBytes += mdl.byteCount();
        }
        if (dataOffset < 0 || dataLength < 0 || (long) dataOffset + dataLength > chainBytes) {
            throw verifier.rejected(
                    BufferRule.NB_INVARIANT,
                    "I1: DataOffset " + dataOffset + " + DataLength " + dataLength + " > MDL chain of " + chainBytes);
        }
    }

    private NetBuffer tracked(NetBuffer nb) {
        nb.track = verifier.enabled() ? verifier.track(nb, parameters.poolTag(), false) : null;
        return nb;
    }

    @Override
    NetBuffer newElement(Arena arena) {
        NetBuffer nb = new NetBuffer(this, null);
        nb.elementArena = arena;
        if (parameters.dataSize() > 0) {
            nb.embeddedMdl = ndis.mdls().embedded(allocate(arena, parameters.dataSize()), parameters.dataSize());
        }
        return nb;
    }

    @Override
    @Nullable
    Arena arenaOf(NetBuffer nb) {
        return nb.elementArena;
    }

    @Override
    public String toString() {
        return "NB pool " + tag();
    }
}
