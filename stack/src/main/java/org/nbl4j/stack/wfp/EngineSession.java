package org.nbl4j.stack.wfp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;

/**
 * An open session with the {@link BaseFilteringEngine}: the engine handle {@code FwpmEngineOpen0} returns, described by
 * {@code FWPM_SESSION0}. Through it a client adds and deletes providers, sublayers, callouts and filters, in
 * transactions or one change at a time.
 *
 * <p>A transaction ({@code FwpmTransactionBegin0}) is this session's, one at a time. nbl4j applies each change at once
 * and keeps how to undo it; {@link #abortTransaction} undoes them newest first, so the engine is as it was at
 * {@link #beginTransaction}. Windows keeps the changes from other sessions until the commit; in nbl4j the data path
 * sees them as they are made (docs/wfp.md). A callout that asked for ADD_FILTER_POST_COMMIT gets it at the commit, for
 * each filter the transaction added and kept (§4.8). Closing a session with a transaction in progress aborts it.
 */
public final class EngineSession implements AutoCloseable {
    private final BaseFilteringEngine bfe;
    private final UUID sessionKey;
    private final DisplayData displayData;
    private final boolean dynamic;
    /** How to undo each change of the transaction in progress, newest first; {@code null} outside a transaction. */
    private @Nullable Deque<Runnable> undo;
    /** The filters the transaction in progress added, told ADD_FILTER_POST_COMMIT when it commits (§4.8). */
    private final List<Filter> addedInTransaction = new ArrayList<>();

    private boolean closed;

    EngineSession(BaseFilteringEngine bfe, UUID sessionKey, DisplayData displayData, boolean dynamic) {
        this.bfe = bfe;
        this.sessionKey = sessionKey;
        this.displayData = displayData;
        this.dynamic = dynamic;
    }

    /** {@code FWPM_SESSION0.sessionKey}. */
    public UUID sessionKey() {
        return sessionKey;
    }

    /** {@code FWPM_SESSION0.displayData}. */
    public DisplayData displayData() {
        return displayData;
    }

    /** Whether the session was opened with {@code FWPM_SESSION_FLAG_DYNAMIC}. */
    public boolean dynamic() {
        return dynamic;
    }

    /** The engine this session manages. */
    public BaseFilteringEngine bfe() {
        return bfe;
    }

    // ---- transactions ----

    /**
     * {@code FwpmTransactionBegin0}.
     *
     * @throws FwpStatusException STATUS_FWP_TXN_IN_PROGRESS
     */
    public synchronized void beginTransaction() {
        bfe.engine().requirePassive("FwpmTransactionBegin0", "fwpmk");
        requireOpen();
        if (undo != null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_TXN_IN_PROGRESS, "session " + sessionKey);
        }
        undo = new ArrayDeque<>();
    }

    /**
     * {@code FwpmTransactionCommit0}: the changes stay.
     *
     * @throws FwpStatusException STATUS_FWP_NO_TXN_IN_PROGRESS
     */
    public synchronized void commitTransaction() {
        bfe.engine().requirePassive("FwpmTransactionCommit0", "fwpmk");
        requireTransaction();
        undo = null;
        for (Filter filter : addedInTransaction) {
            bfe.engine().committed(filter);
        }
        addedInTransaction.clear();
    }

    /**
     * {@code FwpmTransactionAbort0}: undoes every change since {@link #beginTransaction}, newest first.
     *
     * @throws FwpStatusException STATUS_FWP_NO_TXN_IN_PROGRESS
     */
    public synchronized void abortTransaction() {
        bfe.engine().requirePassive("FwpmTransactionAbort0", "fwpmk");
        Deque<Runnable> changes = requireTransaction();
        undo = null;
        addedInTransaction.clear();
        for (Runnable change : changes) {
            change.run();
        }
    }

    /** Whether a transaction is in progress. */
    public synchronized boolean inTransaction() {
        return undo != null;
    }

    // ---- objects ----

    /** {@code FwpmProviderAdd0}. */
    public synchronized FwpmObject addProvider(UUID providerKey, DisplayData displayData, int flags) {
        requireOpen();
        FwpmObject provider = bfe.addProvider(this, providerKey, displayData, flags);
        undone(() -> bfe.forget(provider));
        return provider;
    }

    /** {@code FwpmSubLayerAdd0}. */
    public synchronized FwpmObject addSublayer(
            Sublayer sublayer, DisplayData displayData, @Nullable UUID providerKey, int flags) {
        requireOpen();
        FwpmObject added = bfe.addSublayer(this, sublayer, displayData, providerKey, flags);
        undone(() -> bfe.deleteSublayer(sublayer.key()));
        return added;
    }

    /** {@code FwpmSubLayerDeleteByKey0}. */
    public synchronized void deleteSublayer(UUID key) {
        requireOpen();
        BaseFilteringEngine.Deleted<Sublayer> deleted = bfe.deleteSublayer(key);
        undone(() -> bfe.restoreSublayer(deleted));
    }

    /** {@code FwpmCalloutAdd0}: the callout object, whose {@link FwpmObject#id()} is its run-time id. */
    public synchronized FwpmObject addCallout(
            UUID calloutKey, Layer applicableLayer, DisplayData displayData, @Nullable UUID providerKey, int flags) {
        requireOpen();
        FwpmObject callout = bfe.addCallout(this, calloutKey, applicableLayer, displayData, providerKey, flags);
        undone(() -> bfe.forget(callout));
        return callout;
    }

    /** {@code FwpmCalloutDeleteByKey0}. */
    public synchronized void deleteCallout(UUID calloutKey) {
        requireOpen();
        FwpmObject callout = bfe.deleteCallout(calloutKey);
        undone(() -> bfe.remember(callout));
    }

    /** {@code FwpmCalloutDeleteById0}. */
    public synchronized void deleteCallout(int calloutId) {
        requireOpen();
        FwpmObject callout = bfe.deleteCallout(calloutId);
        undone(() -> bfe.remember(callout));
    }

    /** {@code FwpmFilterAdd0}: see {@link BaseFilteringEngine}'s rules and {@link FilterWeight}. */
    public synchronized Filter addFilter(
            FilterSpec spec, FilterWeight weight, DisplayData displayData, @Nullable UUID providerKey, int flags) {
        requireOpen();
        Filter filter = bfe.addFilter(this, spec, weight, displayData, providerKey, flags, undo != null);
        if (undo != null) {
            addedInTransaction.add(filter);
        }
        undone(() -> bfe.deleteFilter(filter.filterId()));
        return filter;
    }

    /** {@code FwpmFilterDeleteById0}. */
    public synchronized void deleteFilter(long filterId) {
        requireOpen();
        BaseFilteringEngine.Deleted<Filter> deleted = bfe.deleteFilter(filterId);
        undone(() -> bfe.restoreFilter(deleted));
    }

    /** {@code FwpmFilterDeleteByKey0}. */
    public synchronized void deleteFilter(UUID filterKey) {
        requireOpen();
        BaseFilteringEngine.Deleted<Filter> deleted = bfe.deleteFilter(filterKey);
        undone(() -> bfe.restoreFilter(deleted));
    }

    /**
     * {@code FwpmEngineClose0}: aborts a transaction in progress, then deletes the objects of a dynamic session.
     * Closing again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        bfe.engine().requirePassive("FwpmEngineClose0", "fwpmk");
        if (undo != null) {
            abortTransaction();
        }
        closed = true;
        bfe.closed(this);
    }

    /** Whether {@link #close} ran. */
    public synchronized boolean closed() {
        return closed;
    }

    private void undone(Runnable counterpart) {
        if (undo != null) {
            undo.push(counterpart);
        }
    }

    private Deque<Runnable> requireTransaction() {
        requireOpen();
        Deque<Runnable> changes = undo;
        if (changes == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_NO_TXN_IN_PROGRESS, "session " + sessionKey);
        }
        return changes;
    }

    private void requireOpen() {
        if (closed) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_HANDLE, "session " + sessionKey + " is closed");
        }
    }

    @Override
    public String toString() {
        return "session " + sessionKey + (dynamic ? " (dynamic)" : "");
    }
}
