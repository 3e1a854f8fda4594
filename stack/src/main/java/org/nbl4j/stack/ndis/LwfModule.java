package org.nbl4j.stack.ndis;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.internal.StripedCounters;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.HeldSpinLocks;

/**
 * NDIS's side of one filter module: the {@code NdisFilterHandle} it gives the filter, the module's state (§6.9), its
 * bypass options and the per-NBL count of the module's own sends and indications still outstanding.
 *
 * <p>NDIS enforces the rules a filter can break: a module that originates while not Running, or in a direction it
 * bypasses, gets a {@link BufferRule#FILTER_ORIGINATE_NOT_ALLOWED} violation and the call is refused (the NBLs stay the
 * filter's); a module that passes its own NBLs on gets {@link BufferRule#NBL_MISROUTED} and the call is refused.
 */
final class LwfModule implements LwfHandle {
    private final Adapter adapter;
    /** Whether the filter takes coalesced receive packets (NDIS 6.30 and later): {@link LwfAttachment}. */
    final boolean largeReceivePackets;

    private final Verifier verifier;
    private final String name;
    /** Position from the top: 0 is just below the protocol. Renumbered only while the stack is paused. */
    volatile int position;

    private @Nullable LwfHandlers handlers;
    private volatile LwfModuleState state = LwfModuleState.DETACHED;
    volatile boolean sendHandlers = true;
    volatile boolean receiveHandlers = true;
    /**
     * The module's own NBLs still outstanding below or above it: {@link #OWN_SENDS} not yet completed and
     * {@link #OWN_INDICATIONS} not yet returned, counted on whichever queue thread originates, completes or returns
     * them. Read at pause and detach, when the module no longer originates, so the sum is settled.
     */
    private final StripedCounters own = new StripedCounters(2);

    private static final int OWN_SENDS = 0;
    private static final int OWN_INDICATIONS = 1;
    /** Guarded by this: the outcome of a PENDING pause or restart. */
    private boolean pauseCompleted;

    private boolean restartCompleted;
    private int restartStatus;

    LwfModule(Adapter adapter, String name, int position, boolean largeReceivePackets) {
        this.adapter = adapter;
        this.largeReceivePackets = largeReceivePackets;
        this.verifier = adapter.ndis().verifier();
        this.name = name;
        this.position = position;
    }

    // ---- PnP, driven by the adapter at PASSIVE_LEVEL ----

    void attach(LwfDriver driver) {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterAttach");
        state = LwfModuleState.ATTACHING;
        try {
            handlers = driver.attach(this);
        } catch (RuntimeException failed) {
            state = LwfModuleState.DETACHED;
            throw failed;
        }
        state = LwfModuleState.PAUSED;
    }

    /** {@code FilterSetModuleOptions} then {@code FilterRestart}; returns the restart's final status. */
    int restart(long timeoutNanos) throws InterruptedException {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterRestart");
        LwfHandlers module = requireState(LwfModuleState.PAUSED, "FilterRestart");
        int options = module.setModuleOptions(this);
        if (options < 0) {
            return options;
        }
        synchronized (this) {
            restartCompleted = false;
            state = LwfModuleState.RESTARTING;
        }
        int status = module.restart(this);
        if (status == NtStatus.NDIS_STATUS_PENDING) {
            status = awaitRestartComplete(timeoutNanos);
        }
        state = status >= 0 ? LwfModuleState.RUNNING : LwfModuleState.PAUSED;
        return status;
    }

    private synchronized int awaitRestartComplete(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!restartCompleted) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                verifier.report(NdisRule.FILTER_STATE, name + ": FilterRestart pended and never completed", null, 0);
                return NtStatus.NDIS_STATUS_FAILURE;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return restartStatus;
    }

    /**
     * {@code FilterPause}; waits for {@code NdisFPauseComplete} if it pends, and reports
     * {@link BufferRule#FILTER_PAUSE_COMPLETE} (NdisFilterTimedPauseComplete) if it does not come within the timeout.
     *
     * @return whether the module reached Paused
     */
    boolean pause(long timeoutNanos) throws InterruptedException {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterPause");
        LwfHandlers module = requireState(LwfModuleState.RUNNING, "FilterPause");
        synchronized (this) {
            pauseCompleted = false;
            state = LwfModuleState.PAUSING;
        }
        int status = module.pause(this);
        if (status == NtStatus.NDIS_STATUS_SUCCESS) {
            state = LwfModuleState.PAUSED;
            return true;
        }
        if (status != NtStatus.NDIS_STATUS_PENDING) {
            verifier.report(
                    NdisRule.FILTER_PAUSE_COMPLETE,
                    name + ": FilterPause returned " + NtStatus.describe(status)
                            + "; only SUCCESS or PENDING are legal",
                    null,
                    0);
            state = LwfModuleState.PAUSED;
            return true;
        }
        return awaitPauseComplete(timeoutNanos);
    }

    private synchronized boolean awaitPauseComplete(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!pauseCompleted) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                verifier.report(
                        NdisRule.FILTER_PAUSE_COMPLETE,
                        name + ": FilterPause pended and NdisFPauseComplete did not come within "
                                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (" + outstandingSends()
                                + " own sends, " + outstandingIndications() + " own indications outstanding)",
                        null,
                        0);
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    void detach() {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterDetach");
        LwfHandlers module = requireState(LwfModuleState.PAUSED, "FilterDetach");
        if (outstandingSends() != 0 || outstandingIndications() != 0) {
            verifier.report(
                    BufferRule.NBL_LEAKED,
                    name + " detaches with " + outstandingSends() + " own sends and " + outstandingIndications()
                            + " own indications outstanding",
                    null,
                    0);
        }
        module.detach(this);
        handlers = null;
        state = LwfModuleState.DETACHED;
    }

    private LwfHandlers requireState(LwfModuleState required, String operation) {
        LwfHandlers module = handlers;
        if (state != required || module == null) {
            throw new IllegalStateException(operation + " on " + name + " in state " + state + ", needs " + required);
        }
        return module;
    }

    // ---- NDIS calling the module's data handlers ----

    void deliverSend(NetBufferList chain, int portNumber, int sendFlags) {
        adapter.arrive(chain, this);
        int held = HeldSpinLocks.mark(verifier);
        handlers().sendNetBufferLists(this, chain, portNumber, sendFlags);
        HeldSpinLocks.afterHandler(verifier, held, "FilterSendNetBufferLists", name);
    }

    void deliverSendComplete(NetBufferList chain, int sendCompleteFlags) {
        adapter.arrive(chain, this);
        countBack(OWN_SENDS, chain);
        int held = HeldSpinLocks.mark(verifier);
        handlers().sendNetBufferListsComplete(this, chain, sendCompleteFlags);
        HeldSpinLocks.afterHandler(verifier, held, "FilterSendNetBufferListsComplete", name);
    }

    void deliverReceive(NetBufferList chain, int portNumber, int count, int receiveFlags) {
        adapter.arrive(chain, this);
        int held = HeldSpinLocks.mark(verifier);
        handlers().receiveNetBufferLists(this, chain, portNumber, count, receiveFlags);
        HeldSpinLocks.afterHandler(verifier, held, "FilterReceiveNetBufferLists", name);
    }

    void deliverReturn(NetBufferList chain, int returnFlags) {
        adapter.arrive(chain, this);
        countBack(OWN_INDICATIONS, chain);
        int held = HeldSpinLocks.mark(verifier);
        handlers().returnNetBufferLists(this, chain, returnFlags);
        HeldSpinLocks.afterHandler(verifier, held, "FilterReturnNetBufferLists", name);
    }

    /** Takes the module's own NBLs in a completed or returned chain off {@code counter}; most chains have none. */
    private void countBack(int counter, NetBufferList chain) {
        int returned = Adapter.countFrom(chain, this);
        if (returned != 0) {
            own.add(counter, -returned);
        }
    }

    void deliverCancel(long cancelId) {
        handlers().cancelSendNetBufferLists(this, cancelId);
    }

    int deliverOidRequest(OidRequest request) {
        return handlers().oidRequest(this, request);
    }

    void deliverOidRequestComplete(OidRequest request, int status) {
        handlers().oidRequestComplete(this, request, status);
    }

    void deliverCancelOidRequest(Object requestId) {
        handlers().cancelOidRequest(this, requestId);
    }

    void deliverStatus(StatusIndication indication) {
        handlers().status(this, indication);
    }

    /** The adapter the module is attached to. */
    Adapter adapter() {
        return adapter;
    }

    private LwfHandlers handlers() {
        LwfHandlers module = handlers;
        if (module == null) {
            throw new IllegalStateException(name + " is detached");
        }
        return module;
    }

    // ---- NdisFilterHandle ----

    @Override
    public Ndis ndis() {
        return adapter.ndis();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LwfModuleState state() {
        return state;
    }

    @Override
    public int interfaceIndex() {
        return adapter.interfaceIndex();
    }

    @Override
    public int mtu() {
        return adapter.mtu();
    }

    @Override
    public String adapterName() {
        return adapter.adapterName();
    }

    @Override
    public NdisMedium medium() {
        return adapter.miniport().medium();
    }

    @Override
    public LinkState linkState() {
        return adapter.miniport().linkState();
    }

    @Override
    public long linkSpeed() {
        return adapter.miniport().linkSpeed();
    }

    @Override
    public int oidRequest(OidRequest request) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFOidRequest", "ndis")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        return adapter.oidDown(position + 1, request, this);
    }

    @Override
    public void oidRequestComplete(OidRequest request, int status) {
        if (verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFOidRequestComplete", "ndis")) {
            adapter.oidComplete(request, status, this, "NdisFOidRequestComplete");
        }
    }

    @Override
    public void cancelOidRequest(Object requestId) {
        if (verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFCancelOidRequest", "ndis")) {
            adapter.cancelOidDown(position + 1, requestId);
        }
    }

    @Override
    public void indicateStatus(StatusIndication indication) {
        if (verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFIndicateStatus", "ndis")) {
            adapter.statusUp(position - 1, indication);
        }
    }

    @Override
    public int restartFilter() {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFRestartFilter", "ndis")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        if (Irql.current() == Irql.PASSIVE_LEVEL) {
            return adapter.restartStack();
        }
        // Pausing waits at PASSIVE_LEVEL for NBLs that queue threads complete: from DISPATCH_LEVEL (possibly a queue
        // thread) it is scheduled, as Windows always does.
        Thread.ofPlatform().name("nbl4j NdisFRestartFilter " + name).daemon().start(adapter::restartStack);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * The IRQL rules of a data-path DDI of the filter: callable at IRQL <= DISPATCH_LEVEL (ndis.h; SDV's
     * {@code Irql_Filter_Driver_Function}), and its {@code *_DISPATCH_LEVEL} flag set only at DISPATCH_LEVEL.
     */
    private boolean mayCall(String ddi, boolean dispatchFlagSet, String flag) {
        return verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, "ndis")
                && verifier.dispatchFlagHonest(dispatchFlagSet, ddi, flag);
    }

    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        if (!mayCall(
                "NdisFSendNetBufferLists",
                (sendFlags & NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0,
                "NDIS_SEND_FLAGS_DISPATCH_LEVEL")) {
            return;
        }
        int originated = Adapter.countFrom(chain, this);
        if (originated > 0) {
            if (!mayOriginate(sendHandlers, "NdisFSendNetBufferLists")) {
                return;
            }
            own.add(OWN_SENDS, originated);
        }
        adapter.transit(chain, OwnerState.SENT, this);
        adapter.sendDown(position + 1, chain, portNumber, sendFlags);
    }

    @Override
    public void sendNetBufferListsComplete(NetBufferList chain, int sendCompleteFlags) {
        if (!mayCall(
                        "NdisFSendNetBufferListsComplete",
                        (sendCompleteFlags & NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0,
                        "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL")
                || !passesOnlyOthers(chain, "NdisFSendNetBufferListsComplete")) {
            return;
        }
        adapter.transit(chain, OwnerState.SENT, this);
        adapter.completeUp(position - 1, chain, sendCompleteFlags);
    }

    @Override
    public void indicateReceiveNetBufferLists(
            NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        if (!mayCall(
                "NdisFIndicateReceiveNetBufferLists",
                (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0,
                "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL")) {
            return;
        }
        boolean cannotPend = NdisFlags.receiveCannotPend(receiveFlags);
        int originated = Adapter.countFrom(chain, this);
        if (originated > 0) {
            if (!mayOriginate(receiveHandlers, "NdisFIndicateReceiveNetBufferLists")) {
                return;
            }
            if (!cannotPend) {
                own.add(OWN_INDICATIONS, originated);
            }
        }
        adapter.transit(chain, OwnerState.INDICATED, this);
        adapter.indicateUp(position - 1, chain, portNumber, numberOfNetBufferLists, receiveFlags);
        if (cannotPend) {
            adapter.arrive(chain, this);
        }
    }

    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        if (!mayCall(
                        "NdisFReturnNetBufferLists",
                        (returnFlags & NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0,
                        "NDIS_RETURN_FLAGS_DISPATCH_LEVEL")
                || !passesOnlyOthers(chain, "NdisFReturnNetBufferLists")) {
            return;
        }
        adapter.transit(chain, OwnerState.INDICATED, this);
        adapter.returnDown(position + 1, chain, returnFlags);
    }

    @Override
    public void cancelSendNetBufferLists(long cancelId) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFCancelSendNetBufferLists", "ndis")) {
            return;
        }
        adapter.cancelDown(position + 1, cancelId);
    }

    @Override
    public void pauseComplete() {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFPauseComplete", "ndis")) {
            return;
        }
        synchronized (this) {
            if (state == LwfModuleState.PAUSING && !pauseCompleted) {
                if (outstandingSends() != 0 || outstandingIndications() != 0) {
                    verifier.report(
                            NdisRule.FILTER_PAUSE_COMPLETE,
                            name + ": NdisFPauseComplete with " + outstandingSends() + " own sends and "
                                    + outstandingIndications() + " own indications still outstanding",
                            null,
                            0);
                    return;
                }
                pauseCompleted = true;
                state = LwfModuleState.PAUSED;
                notifyAll();
                return;
            }
        }
        verifier.report(
                NdisRule.FILTER_PAUSE_COMPLETE,
                name + ": NdisFPauseComplete in state " + state + " (completed twice, or no pause pending)",
                null,
                0);
    }

    @Override
    public void restartComplete(int status) {
        if (!verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFRestartComplete", "ndis")) {
            return;
        }
        synchronized (this) {
            if (state == LwfModuleState.RESTARTING && !restartCompleted) {
                restartCompleted = true;
                restartStatus = status;
                notifyAll();
                return;
            }
        }
        verifier.report(NdisRule.FILTER_STATE, name + ": NdisFRestartComplete in state " + state, null, 0);
    }

    @Override
    public void setOptionalHandlers(boolean sendHandlers, boolean receiveHandlers) {
        if (state == LwfModuleState.RUNNING) {
            verifier.report(NdisRule.FILTER_STATE, name + ": NdisSetOptionalHandlers while Running", null, 0);
            return;
        }
        this.sendHandlers = sendHandlers;
        this.receiveHandlers = receiveHandlers;
    }

    @Override
    public long outstandingSends() {
        return own.sum(OWN_SENDS);
    }

    @Override
    public long outstandingIndications() {
        return own.sum(OWN_INDICATIONS);
    }

    private boolean mayOriginate(boolean handlers, String ddi) {
        if (state == LwfModuleState.RUNNING && handlers) {
            return true;
        }
        verifier.report(
                NdisRule.FILTER_ORIGINATE_NOT_ALLOWED,
                name + ": " + ddi + " of its own NBLs while "
                        + (handlers ? state : "bypassing the handlers their completion needs"),
                null,
                0);
        return false;
    }

    /** A module passes on only NBLs it did not originate (§6.3, §6.4); its own come back to it and stop there. */
    private boolean passesOnlyOthers(NetBufferList chain, String ddi) {
        if (Adapter.countFrom(chain, this) == 0) {
            return true;
        }
        verifier.report(NdisRule.NBL_MISROUTED, name + " passed its own NBLs on with " + ddi, null, 0);
        return false;
    }

    @Override
    public String toString() {
        return name;
    }
}
