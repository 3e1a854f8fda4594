package org.nbl4j.stack.wfp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.CloneStructure;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.WfpInfoCleanup;

/**
 * WFP's per-NBL state, kept in the NBL's {@code WfpNetBufferListInfo} slot: NETIO's {@code WFP_NBL_INFO_CONTAINER}
 * (nbl-reuse-leak-and-diagnostics §1.2), counted under the pool tag {@code Wfpn}.
 *
 * <p>It holds what the WFP APIs keep per packet: its NBL (checked on every use, bugcheck 0x146 on Windows), the
 * FwpsReference count, how WFP made the NBL and what must be undone or freed with it, the injection history that
 * {@code FwpsQueryPacketInjectionState0} reads and the injection in flight, the context tags (eight sub-slots, as the
 * Windows container has), and whether the WFP lightweight filter saw the NBL's send complete. Containers are recycled;
 * only {@link WfpInfoContainers} makes and releases them.
 */
public final class WfpInfoContainer implements WfpInfoCleanup {
    /** The sub-slots for context tags, as many as the Windows container has. */
    static final int TAG_SLOTS = 8;
    /**
     * The injections remembered per NBL for PREVIOUSLY_INJECTED_BY_SELF: the most recent ones win when a packet is
     * re-injected more often than this (the inheritance depth is undocumented, §9 item 6).
     */
    static final int INJECTION_HISTORY = 8;

    private static final VarHandle REFERENCES;

    static {
        try {
            REFERENCES = MethodHandles.lookup().findVarHandle(WfpInfoContainer.class, "references", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where the WFP lightweight filter is with this NBL's send. */
    enum SendState {
        NONE,
        IN_SEND,
        COMPLETED
    }

    final WfpInfoContainers containers;

    @Nullable
    NetBufferList nbl;

    WfpNblKind kind = WfpNblKind.FOREIGN;
    private volatile int references;
    SendState sendState = SendState.NONE;

    // Injection history, oldest first (§3.9).
    final @Nullable InjectionHandle[] injectors = new InjectionHandle[INJECTION_HISTORY];
    final long[] injectionContexts = new long[INJECTION_HISTORY];
    int injectionDepth;
    /** Bytes of IP header the path put in front of a transport-send injection, taken off again at its completion. */
    int prependedHeader;
    /** The NBL itself was injected (not only inherited a history from its parent). */
    boolean injectedItself;

    // The injection in flight.
    @Nullable
    InjectionHandle injectingHandle;

    @Nullable
    InjectionCompletion completionFn;

    @Nullable
    Object completionContext;

    // Context tags (§2.7).
    final long[] tags = new long[TAG_SLOTS];
    final long[] tagContexts = new long[TAG_SLOTS];
    final int[] tagLayerIds = new int[TAG_SLOTS];
    final @Nullable NblNotifyFn[] tagNotifyFns = new NblNotifyFn[TAG_SLOTS];
    int tagCount;

    /** The structure a WFP clone function gave the NBL, checked when it is freed (§2.4, §2.5). */
    final CloneStructure structure = new CloneStructure();

    /**
     * A reassembled fragment group: the fragments it holds references on. Kept as an array, not the chain's head:
     * the IP path unlinks the indicated chain once the group's classification is over, before the group is freed.
     */
    NetBufferList @Nullable [] fragments;

    WfpInfoContainer(WfpInfoContainers containers) {
        this.containers = containers;
    }

    /** NdisFreeNetBufferList and the other free functions release the container with the NBL (§1.3). */
    @Override
    public void cleanup(NetBufferList nbl) {
        containers.release(nbl);
    }

    /** The NBL the container belongs to, or {@code null} while it is recycled. */
    public @Nullable NetBufferList nbl() {
        return nbl;
    }

    /** How WFP made the NBL. */
    public WfpNblKind kind() {
        return kind;
    }

    /** The FwpsReferenceNetBufferList0 references not yet dropped. */
    public int references() {
        return references;
    }

    int addReference() {
        return (int) REFERENCES.getAndAdd(this, 1) + 1;
    }

    int dropReference() {
        return (int) REFERENCES.getAndAdd(this, -1) - 1;
    }

    /** Records one more injection of the NBL it belongs to, dropping the oldest once the history is full. */
    void recordInjection(InjectionHandle handle, long context) {
        if (injectionDepth == INJECTION_HISTORY) {
            System.arraycopy(injectors, 1, injectors, 0, INJECTION_HISTORY - 1);
            System.arraycopy(injectionContexts, 1, injectionContexts, 0, INJECTION_HISTORY - 1);
            injectionDepth--;
        }
        injectors[injectionDepth] = handle;
        injectionContexts[injectionDepth] = context;
        injectionDepth++;
        injectedItself = true;
    }

    /** A derived NBL inherits the injection history of the NBL it was made from (§3.9), as its own past. */
    void inheritHistory(WfpInfoContainer parent) {
        System.arraycopy(parent.injectors, 0, injectors, 0, parent.injectionDepth);
        System.arraycopy(parent.injectionContexts, 0, injectionContexts, 0, parent.injectionDepth);
        injectionDepth = parent.injectionDepth;
        injectedItself = false;
    }

    /** Empties the container for reuse. */
    void reset() {
        nbl = null;
        kind = WfpNblKind.FOREIGN;
        // A release store is enough: the recycler's hand-off publishes the emptied container to its next user.
        REFERENCES.setRelease(this, 0);
        sendState = SendState.NONE;
        clear(injectors, injectionDepth);
        injectionDepth = 0;
        injectedItself = false;
        injectingHandle = null;
        completionFn = null;
        completionContext = null;
        clear(tagNotifyFns, tagCount);
        tagCount = 0;
        structure.clear();
        fragments = null;
    }

    /**
     * Nulls the first {@code used} elements. Most containers (an indicated NBL's, one the WFP lightweight filter
     * attached) have none in use, and this loop then does not touch the array, where {@code Arrays.fill} would still
     * be called and check its range once per array on every recycle.
     */
    private static void clear(@Nullable Object[] array, int used) {
        for (int i = 0; i < used; i++) {
            array[i] = null;
        }
    }
}
