package org.nbl4j.stack.wfp;

import org.nbl4j.core.verify.Site;

/**
 * A classify handle: what {@code FwpsAcquireClassifyHandle0} returns (§4.10). At the IP layers it can be acquired and
 * released, but a classification cannot be pended ({@code FwpsPendClassify0} returns STATUS_FWP_CANNOT_PEND):
 * asynchronous work there goes through a reference or clone and injection.
 */
public final class ClassifyHandle {
    private final Layer layer;
    private final Site acquiredAt;
    private boolean released;

    ClassifyHandle(Layer layer, Site acquiredAt) {
        this.layer = layer;
        this.acquiredAt = acquiredAt;
    }

    /** Where the driver called {@code FwpsAcquireClassifyHandle0}: what a leak report names. */
    public Site acquiredAt() {
        return acquiredAt;
    }

    /** The layer of the classification the handle was acquired in. */
    public Layer layer() {
        return layer;
    }

    /** Whether {@code FwpsReleaseClassifyHandle0} was called. */
    public boolean released() {
        return released;
    }

    void release() {
        released = true;
    }
}
