package org.nbl4j.stack.wfp;

/**
 * A callout's flow-delete function: {@code flowDeleteFn} (§4.9). The engine calls it once for every context the
 * callout associated with a flow of the host role and did not remove, when that flow ends (closed, idle, aborted, or
 * the stack closing), with the layer, the callout id and the context.
 */
@FunctionalInterface
public interface FlowDeleteFn {
    void flowDeleted(int layerId, int calloutId, long flowContext);
}
