package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.diagnostics.IdNamer;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.internal.ElementCounter;
import org.nbl4j.core.memory.internal.Recycler;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Verifier;

/**
 * Makes, finds and releases the WFP info containers of one stack (nbl-reuse-leak-and-diagnostics §1.2, §1.3): NETIO's
 * {@code WfpNblInfoAlloc} and {@code WfpNblInfoCleanup}, plus the two calls the built-in WFP lightweight filter makes.
 *
 * <p>Who allocates: the WFP buffer functions (allocate, clone, deep clone, reassemble), tagging, injection, the engine
 * when it shows a packet to a callout, and, in the {@link PlatformProfile#WINDOWS_10} profile, the WFP lightweight
 * filter for every NBL it passes down ({@link #attachOnSend}). Who frees: only the NBL's free functions (through the
 * {@link org.nbl4j.core.buffer.WfpInfoCleanup} hook of core), and the stack when it returns an indicated NBL to its
 * producer ({@link #release}). Send completion does not free it ({@link #sendCompleted}): an originator that recycles
 * its NBLs instead of freeing them keeps the container across trips, which is the seed-001 leak. Each container is
 * counted under {@link #TAG} as {@link #CONTAINER_BYTES} bytes, so poolmon shows it.
 */
public final class WfpInfoContainers {
    /** The pool tag of the container: {@code 'Wfpn'}, "WFP NBL info container, netio.sys". */
    public static final PoolTag TAG = PoolTag.of("Wfpn");
    /** The accounted size of one container (nbl4j's choice: Windows does not document it). */
    public static final int CONTAINER_BYTES = 0x80;

    private static final IdNamer NAMES = IdNamer.identityHash();

    private final PlatformProfile profile;
    private final Verifier verifier;
    private final ElementCounter counter;
    private final Recycler<WfpInfoContainer> recycler;

    public WfpInfoContainers(Ndis ndis, PlatformProfile profile) {
        this.profile = profile;
        this.verifier = ndis.verifier();
        this.counter = ndis.memory().account(TAG).elementCounter(CONTAINER_BYTES);
        this.recycler = new Recycler<>(counter);
    }

    /** The platform profile. */
    public PlatformProfile profile() {
        return profile;
    }

    /** Containers made and not yet released, orphaned ones included. */
    public long outstanding() {
        return counter.outstanding();
    }

    /**
     * The container of an NBL, or {@code null} if it has none.
     *
     * @throws org.nbl4j.core.verify.RuleViolation (when the verifier throws) if the slot holds another NBL's
     *     container: {@link BufferRule#WFP_INFO_ILLEGALLY_TRANSFERRED}, bugcheck 0x146 on Windows
     */
    public @Nullable WfpInfoContainer find(NetBufferList nbl) {
        if (!(nbl.info(NetBufferListInfo.WfpNetBufferListInfo) instanceof WfpInfoContainer container)) {
            return null;
        }
        if (container.nbl != nbl) {
            verifier.report(
                    WfpRule.WFP_INFO_ILLEGALLY_TRANSFERRED,
                    name(nbl) + " carries the container of " + describe(container.nbl),
                    nbl.track(),
                    0);
            return null;
        }
        return container;
    }

    /** {@code WfpNblInfoAlloc}: the NBL's container, made and installed if it has none. */
    public WfpInfoContainer attach(NetBufferList nbl) {
        WfpInfoContainer existing = find(nbl);
        return existing != null ? existing : install(nbl);
    }

    /**
     * {@code WfpNblInfoCleanup}: releases the NBL's container, if any. Tags still associated are removed with a
     * {@code CONTEXT_REMOVED} notification. Called by the NBL free functions (through core's hook) and by the stack
     * when it returns an indicated NBL to its producer without freeing it.
     */
    public void release(NetBufferList nbl) {
        WfpInfoContainer container = find(nbl);
        if (container == null) {
            return;
        }
        NblTags.removeAll(nbl, container);
        nbl.setWfpInfo(null);
        container.reset();
        recycler.give(container);
    }

    /**
     * The WFP lightweight filter passes a chain of NBLs down to the miniport ({@link PlatformProfile#WINDOWS_10}
     * only): each gets a container. An NBL that still carries the container of an earlier send that completed was
     * recycled by its originator rather than freed: that is reported as {@link BufferRule#WFP_INFO_STALE_ON_SEND}, naming
     * the NBL and the line that sent it, and, as netio did for the thread's poster, the stale container is left behind
     * and a new one attached, so {@code Wfpn} grows by one per re-send.
     */
    public void attachOnSend(@Nullable NetBufferList chain) {
        if (!profile.hasWfpLwf()) {
            return;
        }
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            WfpInfoContainer container = find(nbl);
            if (container != null && container.sendState == WfpInfoContainer.SendState.COMPLETED) {
                reportStale(nbl);
                container = null;
            }
            if (container == null) {
                container = install(nbl);
            }
            container.sendState = WfpInfoContainer.SendState.IN_SEND;
        }
    }

    /**
     * The WFP lightweight filter passes a chain of completed sends up: their containers stay attached (only the
     * NBL's free releases them) and are marked as belonging to a finished trip.
     */
    public void sendCompleted(@Nullable NetBufferList chain) {
        if (!profile.hasWfpLwf()) {
            return;
        }
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            WfpInfoContainer container = find(nbl);
            if (container != null) {
                container.sendState = WfpInfoContainer.SendState.COMPLETED;
            }
        }
    }

    /**
     * The NBL is used by WFP again for a new trip (a recycled receive NBL indicated anew is legitimate, §1.5): a
     * container left from an earlier trip is reused, as {@code WfpNblInfoAlloc} reuses a non-empty slot.
     */
    WfpInfoContainer attachForClassify(NetBufferList nbl) {
        WfpInfoContainer container = attach(nbl);
        container.sendState = WfpInfoContainer.SendState.NONE;
        return container;
    }

    private WfpInfoContainer install(NetBufferList nbl) {
        WfpInfoContainer container = recycler.take();
        if (container == null) {
            container = new WfpInfoContainer(this);
        }
        container.nbl = nbl;
        nbl.setWfpInfo(container);
        return container;
    }

    private void reportStale(NetBufferList nbl) {
        String site = SenderSite.capture();
        // The stale container is orphaned before the report, so that a throwing verifier leaves the same state.
        nbl.setWfpInfo(null);
        verifier.report(
                WfpRule.WFP_INFO_STALE_ON_SEND,
                name(nbl) + " sent at " + site + " still carries WfpNetBufferListInfo from a completed send;"
                        + " free it in the send-complete handler and allocate a new one (NdisFreeNetBufferList"
                        + " is the only path that releases the container)",
                nbl.track(),
                0);
    }

    static String name(NetBufferList nbl) {
        return nbl + " " + NAMES.id(nbl);
    }

    private static String describe(@Nullable NetBufferList nbl) {
        return nbl == null ? "no NBL (a recycled container)" : name(nbl);
    }
}
