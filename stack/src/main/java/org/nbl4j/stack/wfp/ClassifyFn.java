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
     * @param layerData the indicated NBL (a chain for a fragment group at IPFORWARD); null where the layer shows no
     *     packet (TCP at ALE_AUTH_CONNECT)
     * @param classifyContext for {@link FilterEngine#acquireClassifyHandle}
     * @param flowContext the context this callout associated with the packet's flow at this layer, else 0 (always 0
     *     at the IP layers, which have no flows)
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
