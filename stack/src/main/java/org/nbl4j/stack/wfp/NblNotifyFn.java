package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Told what happens to an NBL that carries a context tag: {@code FWPS_NET_BUFFER_LIST_NOTIFY_FN1} (§2.7). Called at
 * DISPATCH_LEVEL or below; one function may serve many tags.
 */
@FunctionalInterface
public interface NblNotifyFn {
    /**
     * @param newNetBufferList the NBL that replaces or derives from {@code netBufferList} for events that make one
     *     (a clone), else {@code null}
     * @return STATUS_SUCCESS to accept
     */
    int notify(
            NblEventType eventType,
            NetBufferList netBufferList,
            @Nullable NetBufferList newNetBufferList,
            int layerId,
            long context,
            long contextTag);
}
