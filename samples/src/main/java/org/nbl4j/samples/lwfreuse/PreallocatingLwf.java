package org.nbl4j.samples.lwfreuse;

import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePop;
import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePush;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.stack.ddk.CLiteral;
import org.nbl4j.stack.ddk.NET_BUFFER_LIST_POOL_PARAMETERS;
import org.nbl4j.stack.ddk.Ref;

/**
 * The filter module context of the seed-001 driver (its {@code pFilter}): {@link LwfReuseDriver}'s
 * {@code FilterAttach} allocates one per adapter and gives it to NDIS with {@code NdisFSetAttributes}; NDIS hands it
 * back to every handler. At attach {@link #AllocateSendResources} allocates the send pool with tag {@code 'ooPF'} and
 * preallocates the send NBLs, each over 1530 bytes of its own tagged memory and an MDL, into a circular queue;
 * {@link #SendPacket} pops one, copies a header and a lookahead buffer into it and sends it down with the module's
 * filter handle as {@code SourceHandle}. What it does with its NBLs when their send completes is the one difference
 * between the two variants: {@link RecyclingLwf} pushes them back as posted, {@link CorrectedLwf} frees and
 * reallocates them.
 *
 * <p>The code follows the thread line by line through the ddk facade; where the thread elides something (the pool
 * revision, the empty-queue case, the NB's length) the addition is commented.
 */
public abstract sealed class PreallocatingLwf permits RecyclingLwf, CorrectedLwf {
    /** The driver's {@code NBL_DATA_TAG}; the thread does not show its value. */
    public static final int NBL_DATA_TAG = CLiteral.tag("tadF");
    /** The pool tag as posted: {@code 'ooPF'}, which poolmon shows as {@code FPoo}. */
    public static final int SEND_POOL_TAG = CLiteral.tag("ooPF");
    /** The bytes of each preallocated send buffer. */
    public static final int NBL_DATA_LENGTH = 1530;
    /** {@code sizeof(NBL_MYFILTER_CONTEXT)}: the thread does not show the structure; any size will do. */
    static final int SIZEOF_NBL_MYFILTER_CONTEXT = 20;

    /** How a driver allocates its variant's module context in {@code FilterAttach}. */
    @FunctionalInterface
    interface Allocator {
        /** A context for the module whose handle is {@code FilterHandle}, with room for {@code preallocated} NBLs. */
        PreallocatingLwf allocate(Object FilterHandle, int preallocated);
    }

    /** {@code pFilter->FilterHandle}: the module's NdisFilterHandle. */
    protected final Object FilterHandle;
    /** {@code pFilter->SendNetBufferListPool}; {@code NULL} until {@link #AllocateSendResources}. */
    protected @Nullable NetBufferListPool SendNetBufferListPool;
    /** {@code pFilter->sendPrealocatedNBLqueue} (sic). */
    protected final CircularQueue sendPrealocatedNBLqueue;
    /**
     * The module's own NBLs sent and not yet back in {@code FilterSendNetBufferListsComplete}: not in the thread, but
     * a filter that originates sends must know when its pause may complete.
     */
    final AtomicLong OutstandingSendNBLs = new AtomicLong();
    /** Set by {@code FilterPause} when it returned PENDING, cleared by whoever completes the pause. */
    final AtomicBoolean PausePending = new AtomicBoolean();

    /** The data buffers and MDLs of the preallocated NBLs, which the module frees at detach. */
    private final @Nullable MemoryBlock[] dataBuffers;

    private final @Nullable Mdl[] mdls;

    protected PreallocatingLwf(Object FilterHandle, int preallocated) {
        this.FilterHandle = FilterHandle;
        sendPrealocatedNBLqueue = new CircularQueue(preallocated);
        dataBuffers = new MemoryBlock[preallocated];
        mdls = new Mdl[preallocated];
    }

    /**
     * The pool and the preallocated NBLs, from {@code FilterAttach}. Runs where NDIS attaches the module, on a thread
     * bound to the stack's {@link org.nbl4j.stack.ddk.SystemNdis} (NdisAllocateMemoryWithTag takes no handle).
     *
     * @return NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when NDIS refuses the pool or an allocation (what was
     *     allocated stays for {@link #FreeSendResources})
     */
    int AllocateSendResources() {
        NET_BUFFER_LIST_POOL_PARAMETERS PoolParameters = new NET_BUFFER_LIST_POOL_PARAMETERS();

        NdisZeroMemory(PoolParameters, PoolParameters.sizeof());

        PoolParameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        // Not in the thread: without a revision NDIS refuses the pool (ndis-buffers §4.6).
        PoolParameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        PoolParameters.Header.Size = PoolParameters.sizeof();
        PoolParameters.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
        PoolParameters.ContextSize = CONTEXT_BUFFER_SIZE(SIZEOF_NBL_MYFILTER_CONTEXT);
        PoolParameters.fAllocateNetBuffer = TRUE;
        PoolParameters.PoolTag = SEND_POOL_TAG;

        SendNetBufferListPool = NdisAllocateNetBufferListPool(FilterHandle, PoolParameters);
        if (SendNetBufferListPool == null) {
            return NDIS_STATUS_RESOURCES;
        }
        for (int i = 0; i < mdls.length; i++) {
            int Status = AllocateSendNetBufferList(SendNetBufferListPool, i);
            if (Status != NDIS_STATUS_SUCCESS) {
                return Status;
            }
        }
        return NDIS_STATUS_SUCCESS;
    }

    /** The per-NBL allocation as posted, for slot {@code i}. */
    private int AllocateSendNetBufferList(NetBufferListPool SendNetBufferListPool, int i) {
        int DataLength = NBL_DATA_LENGTH;
        Ref<MemoryBlock> pDataBuffer = new Ref<>();

        NdisAllocateMemoryWithTag(pDataBuffer, 1530, NBL_DATA_TAG);

        MemoryBlock dataBuffer = pDataBuffer.value();
        if (dataBuffer == null) {
            return NDIS_STATUS_RESOURCES;
        }
        dataBuffers[i] = dataBuffer;
        Mdl pMdl = NdisAllocateMdl(FilterHandle, dataBuffer, DataLength);
        if (pMdl == null) {
            return NDIS_STATUS_RESOURCES;
        }
        mdls[i] = pMdl;

        NetBufferList pNetBufList = NdisAllocateNetBufferAndNetBufferList(
                SendNetBufferListPool,
                0, // ContextSize
                0, // ContextBackfill
                pMdl, // MdlChain
                0, // DataOffset
                1530); // DataLength
        if (pNetBufList == null) {
            return NDIS_STATUS_RESOURCES;
        }
        CircularQueuePush(sendPrealocatedNBLqueue, pNetBufList);
        return NDIS_STATUS_SUCCESS;
    }

    /**
     * The send path as posted: pops a preallocated NBL, fills it with {@code pHeaderBuffer} and
     * {@code pLookaheadBuffer}, and sends it down.
     *
     * @return NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES when every preallocated NBL is still in flight, or
     *     NDIS_STATUS_INVALID_LENGTH when the packet does not fit in a buffer (neither case is in the thread)
     */
    public int SendPacket(
            MemorySegment pHeaderBuffer,
            int uHeaderBufferSize,
            MemorySegment pLookaheadBuffer,
            int uLookaheadBufferSize) {
        NetBufferList pNetBufList = CircularQueuePop(sendPrealocatedNBLqueue);
        if (pNetBufList == null) {
            return NDIS_STATUS_RESOURCES;
        }
        NetBuffer pNetBuffer = NET_BUFFER_LIST_FIRST_NB(pNetBufList);
        Mdl pMdl = pNetBuffer == null ? null : NET_BUFFER_FIRST_MDL(pNetBuffer);
        if (pNetBuffer == null || pMdl == null) {
            throw new IllegalStateException("a preallocated NBL lost its NET_BUFFER or MDL: " + pNetBufList);
        }
        Ref<MemorySegment> pCopyBuf = new Ref<>();
        Ref<Integer> CurrLength = new Ref<>();

        NdisQueryMdl(pMdl, pCopyBuf, CurrLength, NormalPagePriority);

        MemorySegment copyBuf = pCopyBuf.value();
        Integer length = CurrLength.value();
        if (copyBuf == null || length == null || uHeaderBufferSize + uLookaheadBufferSize > length) {
            CircularQueuePush(sendPrealocatedNBLqueue, pNetBufList);
            return NDIS_STATUS_INVALID_LENGTH;
        }

        pNetBufList.setSourceHandle(FilterHandle);

        NdisMoveMemory(copyBuf, pHeaderBuffer, uHeaderBufferSize);
        NdisMoveMemory(copyBuf.asSlice(uHeaderBufferSize), pLookaheadBuffer, uLookaheadBufferSize);
        // Not in the thread: on nbl4j's IP-medium miniports the NB must describe exactly the packet, not all 1530
        // bytes of the buffer (a longer NB would exceed the MTU).
        NET_BUFFER_DATA_LENGTH(pNetBuffer, uHeaderBufferSize + uLookaheadBufferSize);

        NET_BUFFER_LIST_NEXT_NBL(pNetBufList, null); // last element of the list
        // Not in the thread: counted so that FilterPause knows when the module's own sends are all back.
        OutstandingSendNBLs.incrementAndGet();

        int uSendFlags;
        if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
            uSendFlags = NDIS_SEND_FLAGS_DISPATCH_LEVEL;
        } else {
            uSendFlags = 0;
        }

        NdisFSendNetBufferLists(FilterHandle, pNetBufList, NDIS_DEFAULT_PORT_NUMBER, uSendFlags);
        return NDIS_STATUS_SUCCESS;
    }

    /** What the variant does with one of its own NBLs whose send completed (unchained, Status set). */
    protected abstract void SendCompleteOwnNetBufferList(NetBufferList nbl);

    /**
     * From {@code FilterDetach}: frees the preallocated NBLs, their MDLs and buffers, and the pool; also what a failed
     * {@code FilterAttach} allocated.
     */
    void FreeSendResources() {
        for (NetBufferList nbl = CircularQueuePop(sendPrealocatedNBLqueue);
                nbl != null;
                nbl = CircularQueuePop(sendPrealocatedNBLqueue)) {
            NdisFreeNetBufferList(nbl);
        }
        for (int i = 0; i < mdls.length; i++) {
            Mdl pMdl = mdls[i];
            if (pMdl != null) {
                NdisFreeMdl(pMdl);
                mdls[i] = null;
            }
            MemoryBlock dataBuffer = dataBuffers[i];
            if (dataBuffer != null) {
                NdisFreeMemory(dataBuffer, NBL_DATA_LENGTH, 0);
                dataBuffers[i] = null;
            }
        }
        NetBufferListPool pool = SendNetBufferListPool;
        if (pool != null) {
            NdisFreeNetBufferListPool(pool);
            SendNetBufferListPool = null;
        }
    }

    /** The preallocated NBL the next send will use, if one is waiting (for diagnostics such as an NBL dump). */
    public @Nullable NetBufferList nextSendNetBufferList() {
        return sendPrealocatedNBLqueue.oldest();
    }

    /** How many preallocated NBLs wait in the queue. */
    public int queuedNetBufferLists() {
        return sendPrealocatedNBLqueue.size();
    }
}
