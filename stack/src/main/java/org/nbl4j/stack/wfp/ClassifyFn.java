package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * A callout's classify function: {@code classifyFn2} (§4.2). Called at DISPATCH_LEVEL when every condition of a filter
 * whose action names the callout holds. It must not block, must leave every NB's DataOffset and DataLength as it found
 * them, and must keep the write-right rules of {@link ClassifyOut}. The arguments are valid only during the call.
 */
@FunctionalInterface
public interface ClassifyFn {
    /**
     * @param layerData the indicated NBL at the IP layers (a chain for a fragment group at IPFORWARD)
     * @param classifyContext for {@link FilterEngine#acquireClassifyHandle}
     * @param flowContext always 0: the IP layers have no flows
     */
    void classify(
            IncomingValues inFixedValues,
            IncomingMetadata inMetaValues,
            @Nullable NetBufferList layerData,
            ClassifyContext classifyContext,
            Filter filter,
            long flowContext,
            ClassifyOut classifyOut);
}
