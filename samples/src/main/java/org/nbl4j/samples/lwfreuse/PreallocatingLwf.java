package org.nbl4j.samples.lwfreuse;

import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePop;
import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePush;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.stack.ddk.CLiteral;
import org.nbl4j.stack.ddk.NET_BUFFER_LIST_POOL_PARAMETERS;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;

/**
 * The filter module of the seed-001 driver (its {@code pFilter}): at attach it allocates the send pool with tag
 * {@code 'ooPF'} and preallocates its send NBLs, each over 1530 bytes of its own tagged memory and an MDL, into a
 * circular queue; {@link #SendPacket} pops one, copies a header and a lookahead buffer into it and sends it down with
 * itself as {@code SourceHandle}. What it does with its NBLs when their send completes is the one difference between
 * the two variants: {@link RecyclingLwf} pushes them back as posted, {@link CorrectedLwf} frees and reallocates them.
 *
 * <p>The code follows the thread line by line through the ddk facade; where the thread elides something (the pool
 * revision, the empty-queue case, the NB's length) the addition is commented. Everything else of the module passes
 * through (the defaults of {@link LwfHandlers}). NBLs that do not carry this module's handle in their
 * {@code SourceHandle} are not its own and pass on up when their sends complete.
 */
public abstract sealed class PreallocatingLwf implements LwfHandlers permits RecyclingLwf, CorrectedLwf {
    /** The driver's {@code NBL_DATA_TAG}; the thread does not show its value. */
    public static final int NBL_DATA_TAG = CLiteral.tag("tadF");
    /** The pool tag as posted: {@code 'ooPF'}, which poolmon shows as {@code FPoo}. */
    public static final int SEND_POOL_TAG = CLiteral.tag("ooPF");
    /** The bytes of each preallocated send buffer. */
    public static final int NBL_DATA_LENGTH = 1530;
    /** {@code sizeof(NBL_MYFILTER_CONTEXT)}: the thread does not show the structure; any size will do. */
    static final int SIZEOF_NBL_MYFILTER_CONTEXT = 20;

    /** {@code pFilter->FilterHandle}: the module's NdisFilterHandle. */
    protected final LwfHandle FilterHandle;
    /** {@code pFilter->SendNetBufferListPool}. */
    protected final NetBufferListPool SendNetBufferListPool;
    /** {@code pFilter->sendPrealocatedNBLqueue} (sic). */
    protected final CircularQueue sendPrealocatedNBLqueue;

    /** The data buffers and MDLs of the preallocated NBLs, which the module frees at detach. */
    private final MemoryBlock[] dataBuffers;

    private final Mdl[] mdls;
    private final AtomicBoolean pausing = new AtomicBoolean();

    /**
     * {@code FilterAttach}: the pool and {@code preallocated} NBLs. Runs where NDIS attaches the module, on a thread
     * bound to the stack's {@link org.nbl4j.stack.ddk.SystemNdis} (NdisAllocateMemoryWithTag takes no handle).
     *
     * @throws IllegalStateException if NDIS refuses the pool or an allocation (the attach fails)
     */
    protected PreallocatingLwf(LwfHandle handle, int preallocated) {
        FilterHandle = handle;
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

        NetBufferListPool pool = NdisAllocateNetBufferListPool(FilterHandle, PoolParameters);
        if (pool == null) {
            throw new IllegalStateException("NdisAllocateNetBufferListPool refused the send pool");
        }
        SendNetBufferListPool = pool;
        sendPrealocatedNBLqueue = new CircularQueue(preallocated);
        dataBuffers = new MemoryBlock[preallocated];
        mdls = new Mdl[preallocated];
        for (int i = 0; i < preallocated; i++) {
            AllocateSendNetBufferList(i);
        }
    }

    /** The per-NBL allocation as posted, for slot {@code i}. */
    private void AllocateSendNetBufferList(int i) {
        int DataLength = NBL_DATA_LENGTH;
        Ref<MemoryBlock> pDataBuffer = new Ref<>();

        NdisAllocateMemoryWithTag(pDataBuffer, 1530, NBL_DATA_TAG);

        MemoryBlock dataBuffer = pDataBuffer.value();
        if (dataBuffer == null) {
            throw new IllegalStateException("NdisAllocateMemoryWithTag failed");
        }
        Mdl pMdl = NdisAllocateMdl(FilterHandle, dataBuffer, DataLength);

        NetBufferList pNetBufList = NdisAllocateNetBufferAndNetBufferList(
                SendNetBufferListPool,
                0, // ContextSize
                0, // ContextBackfill
                pMdl, // MdlChain
                0, // DataOffset
                1530); // DataLength
        if (pNetBufList == null) {
            throw new IllegalStateException("NdisAllocateNetBufferAndNetBufferList failed");
        }
        dataBuffers[i] = dataBuffer;
        mdls[i] = pMdl;
        CircularQueuePush(sendPrealocatedNBLqueue, pNetBufList);
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

        int uSendFlags;
        if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
            uSendFlags = NDIS_SEND_FLAGS_DISPATCH_LEVEL;
        } else {
            uSendFlags = 0;
        }

        NdisFSendNetBufferLists(FilterHandle, pNetBufList, NDIS_DEFAULT_PORT_NUMBER, uSendFlags);
        return NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code FilterSendNetBufferListsComplete}: the loop of the thread, which unchains each NBL; the module's own
     * NBLs go to {@link #SendCompleteOwnNetBufferList}, the others on up.
     */
    @Override
    public final void sendNetBufferListsComplete(
            LwfHandle handle, NetBufferList NetBufferLists, int SendCompleteFlags) {
        NetBufferList CurrNbl = NetBufferLists;
        NetBufferList othersHead = null;
        NetBufferList othersTail = null;
        while (CurrNbl != null) {
            NetBufferList tempNbl = CurrNbl;
            CurrNbl = NET_BUFFER_LIST_NEXT_NBL(CurrNbl);

            // unchain this nbl
            NET_BUFFER_LIST_NEXT_NBL(tempNbl, null);

            if (tempNbl.sourceHandle() == FilterHandle) {
                SendCompleteOwnNetBufferList(tempNbl);
            } else if (othersTail == null) {
                othersHead = tempNbl;
                othersTail = tempNbl;
            } else {
                NET_BUFFER_LIST_NEXT_NBL(othersTail, tempNbl);
                othersTail = tempNbl;
            }
        }
        if (othersHead != null) {
            NdisFSendNetBufferListsComplete(FilterHandle, othersHead, SendCompleteFlags);
        }
        if (FilterHandle.outstandingSends() == 0 && pausing.compareAndSet(true, false)) {
            NdisFPauseComplete(FilterHandle);
        }
    }

    /** What the variant does with one of its own NBLs whose send completed (unchained, Status set). */
    protected abstract void SendCompleteOwnNetBufferList(NetBufferList nbl);

    /** {@code FilterPause}: PENDING until the module's own sends are back, then {@code NdisFPauseComplete}. */
    @Override
    public int pause(LwfHandle handle) {
        pausing.set(true);
        if (FilterHandle.outstandingSends() == 0 && pausing.compareAndSet(true, false)) {
            return NDIS_STATUS_SUCCESS;
        }
        return NDIS_STATUS_PENDING;
    }

    /** {@code FilterDetach}: frees the preallocated NBLs, their MDLs and buffers, and the pool. */
    @Override
    public void detach(LwfHandle handle) {
        for (NetBufferList nbl = CircularQueuePop(sendPrealocatedNBLqueue);
                nbl != null;
                nbl = CircularQueuePop(sendPrealocatedNBLqueue)) {
            NdisFreeNetBufferList(nbl);
        }
        for (int i = 0; i < mdls.length; i++) {
            if (mdls[i] != null) {
                NdisFreeMdl(mdls[i]);
                NdisFreeMemory(dataBuffers[i], NBL_DATA_LENGTH, 0);
            }
        }
        NdisFreeNetBufferListPool(SendNetBufferListPool);
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
