package org.nbl4j.stack.wfp;

import org.nbl4j.core.verify.Site;

/**
 * A pended ALE authorization: the {@code completionContext} that {@code FwpsPendOperation0} returns and
 * {@code FwpsCompleteOperation0} takes (§4.10). It remembers where the driver pended it, so that a pend never
 * completed before its flow ends is reported with the driver's line.
 */
public final class PendedOperation {
    private final long completionHandle;
    private final Layer layer;
    private final Site pendedAt;
    private boolean completed;

    PendedOperation(long completionHandle, Layer layer, Site pendedAt) {
        this.completionHandle = completionHandle;
        this.layer = layer;
        this.pendedAt = pendedAt;
    }

    /** The completion handle it was pended with: the flow's handle in nbl4j. */
    public long completionHandle() {
        return completionHandle;
    }

    /** The ALE layer whose authorization was pended. */
    public Layer layer() {
        return layer;
    }

    /** Where the driver called {@code FwpsPendOperation0}. */
    public Site pendedAt() {
        return pendedAt;
    }

    /** Whether {@code FwpsCompleteOperation0} ran for it (or its flow ended without it). */
    public synchronized boolean completed() {
        return completed;
    }

    /** Marks it completed; false if it already was. */
    synchronized boolean complete() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }
}
