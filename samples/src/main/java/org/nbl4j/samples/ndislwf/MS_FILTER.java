package org.nbl4j.samples.ndislwf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ddk.NDIS_SPIN_LOCK;

/**
 * The sample's filter module context ({@code MS_FILTER} in the ndis filter sample): one per adapter the driver is
 * attached to, given to NDIS with {@code NdisFSetAttributes} and handed back to every handler.
 *
 * <p>The counters are per NBL. The data handlers run on the adapters' receive-queue threads concurrently, so they are
 * atomics where the C sample would use {@code InterlockedAdd}.
 */
public final class MS_FILTER {
    /** {@code FILTER_STATE}: the sample's own view of the module state. */
    static final int FilterStateUnspecified = 0;

    static final int FilterInitialized = 1;
    static final int FilterPausing = 2;
    static final int FilterPaused = 3;
    static final int FilterRunning = 4;
    static final int FilterRestarting = 5;
    static final int FilterDetaching = 6;

    /** What the C structure occupies: the block the driver allocates under its tag, so poolmon counts the module. */
    static final int SIZEOF = 256;

    /** {@code FilterHandle}: the {@code NdisFilterHandle} every {@code NdisF*} call of the module passes. */
    Object FilterHandle;
    /** {@code FilterModuleName}. */
    String FilterModuleName;
    /** {@code MiniportName}. */
    String MiniportName;
    /** {@code MiniportIfIndex}. */
    int MiniportIfIndex;
    /** {@code State}: one of the {@code Filter*} states above. */
    volatile int State = FilterStateUnspecified;
    /** {@code Lock}: guards {@link #PendingOidRequests}. */
    final NDIS_SPIN_LOCK Lock = new NDIS_SPIN_LOCK();
    /** The clones passed down and not completed yet ({@code PendingOidRequest} in C, which holds one). */
    final List<NDIS_OID_REQUEST> PendingOidRequests = new ArrayList<>();
    /** The block the context is counted in. */
    @Nullable
    MemoryBlock ContextMemory;

    /** NBLs from above ({@code FilterSendNetBufferLists}). */
    final AtomicLong SendsSeen = new AtomicLong();
    /** NBLs from below ({@code FilterReceiveNetBufferLists}). */
    final AtomicLong ReceivesSeen = new AtomicLong();
    /** Of those, the NBLs indicated with RESOURCES set, which the filter must not keep. */
    final AtomicLong ReceivesWithResources = new AtomicLong();
    /** NBLs passed down and not yet back in {@code FilterSendNetBufferListsComplete}. */
    final AtomicLong OutstandingSends = new AtomicLong();
    /** NBLs indicated up with RESOURCES clear and not yet back in {@code FilterReturnNetBufferLists}. */
    final AtomicLong OutstandingReceives = new AtomicLong();
    /** {@code FilterRestart} calls. */
    final AtomicLong Restarts = new AtomicLong();
    /** OID requests from above. */
    final AtomicLong OidRequests = new AtomicLong();
    /** {@code NDIS_STATUS_LINK_STATE} indications from below. */
    final AtomicLong LinkStateIndications = new AtomicLong();
    /** {@code MediaConnectState} of the last link-state indication. */
    volatile int LastMediaConnectState;

    MS_FILTER(Object filterHandle, String filterModuleName, String miniportName, int miniportIfIndex) {
        this.FilterHandle = filterHandle;
        this.FilterModuleName = filterModuleName;
        this.MiniportName = miniportName;
        this.MiniportIfIndex = miniportIfIndex;
    }
}
