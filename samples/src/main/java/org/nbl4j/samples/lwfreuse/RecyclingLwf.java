package org.nbl4j.samples.lwfreuse;

import static org.nbl4j.samples.lwfreuse.CircularQueue.CircularQueuePush;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * The seed-001 driver as posted: "in send-complete callback I simply return my NBL into the queue". On Windows 10 each
 * NBL comes back still carrying the {@code WfpNetBufferListInfo} container the WFP lightweight filter attached on the
 * way down, and the next send of it orphans that container: {@code Wfpn} grows by one per re-send
 * (nbl-reuse-leak-and-diagnostics §1.4), and nbl4j's verifier reports each re-send as {@code WFP_INFO_STALE_ON_SEND}.
 */
public final class RecyclingLwf extends PreallocatingLwf {

    /** The context {@code FilterAttach} allocates for the module of {@code FilterHandle}. */
    RecyclingLwf(Object FilterHandle, int preallocated) {
        super(FilterHandle, preallocated);
    }

    @Override
    protected void SendCompleteOwnNetBufferList(NetBufferList tempNbl) {
        boolean result = CircularQueuePush(sendPrealocatedNBLqueue, tempNbl);
        if (!result) {
            throw new IllegalStateException("the queue cannot be full: it holds only this module's NBLs");
        }
    }
}
