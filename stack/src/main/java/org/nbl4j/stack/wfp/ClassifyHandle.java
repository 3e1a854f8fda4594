package org.nbl4j.stack.wfp;

/**
 * A classify handle: what {@code FwpsAcquireClassifyHandle0} returns (§4.10). At the IP layers it can be acquired and
 * released, but a classification cannot be pended ({@code FwpsPendClassify0} returns STATUS_FWP_CANNOT_PEND):
 * asynchronous work there goes through a reference or clone and injection.
 */
public final class ClassifyHandle {
    private final Layer layer;
    private boolean released;

    ClassifyHandle(Layer layer) {
        this.layer = layer;
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
