package org.nbl4j.stack.wfp;

/**
 * A callout's flow-delete function: {@code flowDeleteFn} (§4.9). Kept with the registration for fidelity; the IP layers
 * have no flows, so this engine never calls it.
 */
@FunctionalInterface
public interface FlowDeleteFn {
    void flowDeleted(int layerId, int calloutId, long flowContext);
}
