package org.nbl4j.core.buffer;

/**
 * Implemented by what the WFP layer stores in {@code WfpNetBufferListInfo}, so that freeing the NBL releases it.
 *
 * <p>Corresponds to NETIO's {@code WfpNblInfoCleanup}: {@code NdisFreeNetBufferList} and the clone, fragment and
 * reassembled free functions call it whenever the slot is set (nbl-reuse-leak-and-diagnostics §1.3). Freeing the NBL
 * is the only release path; an NBL that is recycled instead keeps its container.
 */
@FunctionalInterface
public interface WfpInfoCleanup {
    /**
     * Called by every NBL free function while the NBL is still allocated, before it returns to its pool; must clear
     * the slot with {@link NetBufferList#setWfpInfo}.
     */
    void cleanup(NetBufferList nbl);
}
