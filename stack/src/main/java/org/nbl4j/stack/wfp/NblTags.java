package org.nbl4j.stack.wfp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * Packet tagging (§2.7): {@code FwpsNetBufferListGetTagForContext0}, {@code FwpsNetBufferListAssociateContext1},
 * {@code FwpsNetBufferListRetrieveContext0} and {@code FwpsNetBufferListRemoveContext0}. The associations live in the
 * NBL's WFP info container (eight sub-slots).
 *
 * <p>Notifications raised: {@code CLONED_VIA_WFP_API} when a tagged NBL is cloned or deep-cloned through the WFP API
 * (the clone gets the tags), {@code ENTERED_NETIO} when a tagged NBL is accepted for injection, and
 * {@code CONTEXT_REMOVED} when an association ends: removed, or the NBL freed or returned to its producer. The stack's
 * own events (EXIT_NETIO, NDIS completions, reassembly) are not raised. Removing a tag from every NBL
 * ({@code nbl == NULL}) is asynchronous, as on Windows: each NBL loses it, with its notification, the next time WFP
 * touches that NBL.
 */
public final class NblTags {
    private final AtomicLong lastTag = new AtomicLong();
    private final Set<Long> revoked = ConcurrentHashMap.newKeySet();
    private volatile boolean anyRevoked;
    private final WfpInfoContainers containers;
    private final Verifier verifier;

    NblTags(WfpInfoContainers containers, Verifier verifier) {
        this.containers = containers;
        this.verifier = verifier;
    }

    /** The IRQL rule of the four tagging functions: {@code IRQL <= DISPATCH_LEVEL} (fwpsk.h, §2.7). */
    private boolean irqlAllows(String ddi) {
        return verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, "fwpsk");
    }

    /** {@code FwpsNetBufferListGetTagForContext0}: a tag unique within this stack. */
    public long getTagForContext() {
        if (!irqlAllows("FwpsNetBufferListGetTagForContext0")) {
            return 0; // no tag: every later use of it is refused as not issued
        }
        return lastTag.incrementAndGet();
    }

    /**
     * {@code FwpsNetBufferListAssociateContext1}: associates {@code context} and {@code notifyFn} with the NBL under
     * {@code contextTag}; associating a tag the NBL already carries replaces its context.
     *
     * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER for non-zero flags or a tag not obtained from
     *     {@link #getTagForContext} (or removed everywhere); STATUS_INSUFFICIENT_RESOURCES when the container's eight
     *     sub-slots are taken
     */
    public int associateContext(
            NetBufferList nbl, int layerId, long context, long contextTag, NblNotifyFn notifyFn, int flags) {
        if (!irqlAllows("FwpsNetBufferListAssociateContext1")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (flags != 0 || !issued(contextTag)) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        WfpInfoContainer container = containers.attach(nbl);
        purgeRevoked(nbl, container);
        int slot = indexOf(container, contextTag);
        if (slot < 0) {
            if (container.tagCount == WfpInfoContainer.TAG_SLOTS) {
                return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            }
            slot = container.tagCount++;
        }
        container.tags[slot] = contextTag;
        container.tagContexts[slot] = context;
        container.tagLayerIds[slot] = layerId;
        container.tagNotifyFns[slot] = notifyFn;
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FwpsNetBufferListRetrieveContext0}: the context associated under {@code contextTag}, written to
     * {@code context[0]}; with {@code removeContext} the association ends (without a notification, as the caller
     * asked for it).
     *
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER for non-zero flags, or STATUS_NOT_FOUND
     */
    public int retrieveContext(NetBufferList nbl, long contextTag, boolean removeContext, int flags, long[] context) {
        if (!irqlAllows("FwpsNetBufferListRetrieveContext0")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (flags != 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        WfpInfoContainer container = containers.find(nbl);
        if (container == null) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        purgeRevoked(nbl, container);
        int slot = indexOf(container, contextTag);
        if (slot < 0) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        context[0] = container.tagContexts[slot];
        if (removeContext) {
            removeAt(container, slot);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FwpsNetBufferListRemoveContext0}: ends the association on one NBL at once, or with {@code nbl} null on
     * every NBL, lazily. Each ended association gets its {@code CONTEXT_REMOVED} notification.
     *
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER for non-zero flags or an unknown tag, or STATUS_NOT_FOUND when
     *     the NBL does not carry the tag
     */
    public int removeContext(@Nullable NetBufferList nbl, long contextTag, int flags) {
        if (!irqlAllows("FwpsNetBufferListRemoveContext0")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (flags != 0 || !issued(contextTag)) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (nbl == null) {
            revoked.add(contextTag);
            anyRevoked = true;
            return NtStatus.STATUS_SUCCESS;
        }
        WfpInfoContainer container = containers.find(nbl);
        int slot = container == null ? -1 : indexOf(container, contextTag);
        if (container == null || slot < 0) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        notifyRemoved(nbl, container, slot);
        removeAt(container, slot);
        return NtStatus.STATUS_SUCCESS;
    }

    /** A tagged NBL was cloned through the WFP API: the clone carries the same associations. */
    void cloned(NetBufferList original, WfpInfoContainer from, NetBufferList clone, WfpInfoContainer to) {
        purgeRevoked(original, from);
        for (int i = 0; i < from.tagCount; i++) {
            to.tags[i] = from.tags[i];
            to.tagContexts[i] = from.tagContexts[i];
            to.tagLayerIds[i] = from.tagLayerIds[i];
            to.tagNotifyFns[i] = from.tagNotifyFns[i];
        }
        to.tagCount = from.tagCount;
        notifyAll(NblEventType.CLONED_VIA_WFP_API, original, from, clone);
    }

    /** A tagged NBL entered the stack through injection. */
    void enteredNetio(NetBufferList nbl, WfpInfoContainer container) {
        purgeRevoked(nbl, container);
        notifyAll(NblEventType.ENTERED_NETIO, nbl, container, null);
    }

    /** The container is being released: every association ends with a notification. */
    static void removeAll(NetBufferList nbl, WfpInfoContainer container) {
        for (int slot = container.tagCount - 1; slot >= 0; slot--) {
            notifyRemoved(nbl, container, slot);
            removeAt(container, slot);
        }
    }

    private boolean issued(long tag) {
        return tag > 0 && tag <= lastTag.get() && !(anyRevoked && revoked.contains(tag));
    }

    private void purgeRevoked(NetBufferList nbl, WfpInfoContainer container) {
        if (!anyRevoked) {
            return;
        }
        for (int slot = container.tagCount - 1; slot >= 0; slot--) {
            if (revoked.contains(container.tags[slot])) {
                notifyRemoved(nbl, container, slot);
                removeAt(container, slot);
            }
        }
    }

    private static void notifyAll(
            NblEventType event, NetBufferList nbl, WfpInfoContainer container, @Nullable NetBufferList newNbl) {
        for (int i = 0; i < container.tagCount; i++) {
            NblNotifyFn notifyFn = container.tagNotifyFns[i];
            if (notifyFn != null) {
                notifyFn.notify(
                        event, nbl, newNbl, container.tagLayerIds[i], container.tagContexts[i], container.tags[i]);
            }
        }
    }

    private static void notifyRemoved(NetBufferList nbl, WfpInfoContainer container, int slot) {
        NblNotifyFn notifyFn = container.tagNotifyFns[slot];
        if (notifyFn != null) {
            notifyFn.notify(
                    NblEventType.CONTEXT_REMOVED,
                    nbl,
                    null,
                    container.tagLayerIds[slot],
                    container.tagContexts[slot],
                    container.tags[slot]);
        }
    }

    private static int indexOf(WfpInfoContainer container, long tag) {
        for (int i = 0; i < container.tagCount; i++) {
            if (container.tags[i] == tag) {
                return i;
            }
        }
        return -1;
    }

    /** Removes the association at {@code slot}, moving the last one into its place. */
    private static void removeAt(WfpInfoContainer container, int slot) {
        int last = --container.tagCount;
        container.tags[slot] = container.tags[last];
        container.tagContexts[slot] = container.tagContexts[last];
        container.tagLayerIds[slot] = container.tagLayerIds[last];
        container.tagNotifyFns[slot] = container.tagNotifyFns[last];
        container.tagNotifyFns[last] = null;
    }
}
