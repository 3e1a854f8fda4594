package org.nbl4j.samples.lwfreuse;

import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePush;
import static org.nbl4j.stack.ddk.NdisH.*;

import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;

/**
 * The seed-001 driver fixed as nbl-reuse-leak-and-diagnostics §1.5 recommends first: the send-complete handler frees
 * each NBL with {@code NdisFreeNetBufferList}, the only path that releases the WFP info container (§1.3), and
 * allocates a fresh one over the same MDL and buffer for the queue. NDIS's pool cache makes that about as cheap as
 * recycling, and {@code Wfpn} stays flat under both profiles.
 */
public final class CorrectedLwf extends PreallocatingLwf {

    /** The context {@code FilterAttach} allocates for the module of {@code FilterHandle}. */
    CorrectedLwf(Object FilterHandle, int preallocated) {
        super(FilterHandle, preallocated);
    }

    @Override
    protected void SendCompleteOwnNetBufferList(NetBufferList tempNbl) {
        NetBuffer pNetBuffer = NET_BUFFER_LIST_FIRST_NB(tempNbl);
        Mdl pMdl = pNetBuffer == null ? null : NET_BUFFER_FIRST_MDL(pNetBuffer);
        if (pMdl == null) {
            throw new IllegalStateException("a completed send lost its NET_BUFFER or MDL: " + tempNbl);
        }

        // Frees the NBL and, with it, whatever WFP attached to it; the MDL and the buffer stay the module's.
        NdisFreeNetBufferList(tempNbl);

        NetBufferListPool pool = SendNetBufferListPool; // allocated at attach, freed only at detach
        NetBufferList pNetBufList = pool == null
                ? null
                : NdisAllocateNetBufferAndNetBufferList(
                        pool,
                        0, // ContextSize
                        0, // ContextBackfill
                        pMdl, // MdlChain
                        0, // DataOffset
                        NBL_DATA_LENGTH); // DataLength
        if (pNetBufList == null) {
            // The slot's buffer and MDL stay with the module and are freed at detach; one NBL fewer to send with.
            return;
        }
        CircularQueuePush(sendPrealocatedNBLqueue, pNetBufList);
    }
}
