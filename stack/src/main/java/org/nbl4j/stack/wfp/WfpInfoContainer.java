package org.nbl4j.stack.wfp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.WfpInfoCleanup;
import org.nbl4j.core.memory.Mdl;

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

    // The structure a WFP clone function gave the NBL, checked when it is freed (§2.4, §2.5): its NBs, and per NB the
    // MDLs of its chain (each NB's run starts at mdlStarts[nb]) with the address and length each described. Flat
    // arrays, grown when a clone has more than ever before and reused: a snapshot allocates nothing in steady state.
    @Nullable
    NetBuffer[] netBuffers = new NetBuffer[1];

    int[] mdlStarts = new int[2];

    @Nullable
    Mdl[] mdls = new Mdl[1];

    long[] mdlAddresses = new long[1];
    int[] mdlLengths = new int[1];
    int netBufferCount;

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

    /**
     * Remembers the structure a WFP clone function gave the NBL, to check it when it is freed: its NBs in order and, for
     * each, every MDL of its chain with the first byte and the byte count it describes.
     */
    void snapshotStructure(NetBufferList nbl) {
        int nbCount = 0;
        int mdlCount = 0;
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            if (nbCount == netBuffers.length) {
                netBuffers = Arrays.copyOf(netBuffers, nbCount * 2);
                mdlStarts = Arrays.copyOf(mdlStarts, nbCount * 2 + 1);
            }
            netBuffers[nbCount] = nb;
            mdlStarts[nbCount] = mdlCount;
            nbCount++;
            for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next()) {
                if (mdlCount == mdls.length) {
                    mdls = Arrays.copyOf(mdls, mdlCount * 2);
                    mdlAddresses = Arrays.copyOf(mdlAddresses, mdlCount * 2);
                    mdlLengths = Arrays.copyOf(mdlLengths, mdlCount * 2);
                }
                mdls[mdlCount] = mdl;
                mdlAddresses[mdlCount] = mdl.virtualAddress();
                mdlLengths[mdlCount] = mdl.byteCount();
                mdlCount++;
            }
        }
        mdlStarts[nbCount] = mdlCount;
        netBufferCount = nbCount;
    }

    /** The head of the MDL chain NB {@code nbIndex} had at {@link #snapshotStructure}, or {@code null} if none. */
    @Nullable
    Mdl recordedMdlChain(int nbIndex) {
        int first = mdlStarts[nbIndex];
        return first < mdlStarts[nbIndex + 1] ? mdls[first] : null;
    }

    /**
     * What differs between the NBL and the structure {@link #snapshotStructure} recorded (§2.5), naming the first NB
     * and MDL (by index, from 0) that differ: an NB inserted, removed or replaced; an MDL appended, removed or replaced
     * (a retreat beyond the data's start puts an MDL in front); an MDL that describes other bytes or another length.
     * The NBs' DataOffset and DataLength are not part of the structure: moving them inside the MDLs the clone was made
     * with leaves nothing to undo or to leak.
     *
     * @return {@code null} if the structure is the recorded one
     */
    @Nullable
    String structureChange(NetBufferList nbl) {
        int index = 0;
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next(), index++) {
            if (index == netBufferCount) {
                return "NB " + index + " was inserted (cloned with " + netBufferCount + " NB(s))";
            }
            if (netBuffers[index] != nb) {
                return "NB " + index + " is not the NB it was cloned with";
            }
            String mdlChange = mdlChainChange(nb, index);
            if (mdlChange != null) {
                return "NB " + index + ", " + mdlChange;
            }
        }
        return index == netBufferCount
                ? null
                : "NB " + index + " was removed (" + index + " NB(s) left of " + netBufferCount + ")";
    }

    /** What differs in the MDL chain of NB {@code nbIndex}, or {@code null}. */
    private @Nullable String mdlChainChange(NetBuffer nb, int nbIndex) {
        int first = mdlStarts[nbIndex];
        int count = mdlStarts[nbIndex + 1] - first;
        int index = 0;
        for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next(), index++) {
            if (index == count) {
                return "MDL " + index + " was added (cloned with " + count + " MDL(s)): " + mdl;
            }
            int at = first + index;
            if (mdls[at] != mdl) {
                return "MDL " + index + " is not the MDL it was cloned with: " + mdl;
            }
            if (mdlAddresses[at] != mdl.virtualAddress() || mdlLengths[at] != mdl.byteCount()) {
                return "MDL " + index + " describes " + mdl.byteCount() + " bytes at 0x"
                        + Long.toHexString(mdl.virtualAddress()) + ", cloned describing " + mdlLengths[at]
                        + " bytes at 0x" + Long.toHexString(mdlAddresses[at]);
            }
        }
        return index == count ? null : "MDL " + index + " was removed (" + index + " MDL(s) left of " + count + ")";
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
        clear(mdls, mdlStarts[netBufferCount]);
        clear(netBuffers, netBufferCount);
        for (int i = 0; i <= netBufferCount; i++) {
            mdlStarts[i] = 0;
        }
        netBufferCount = 0;
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
