package org.nbl4j.stack.wfp;

import java.util.Arrays;

/**
 * The flow contexts callouts associated with one flow ({@code FwpsFlowAssociateContext0}, §4.9): at most one per
 * (layer, callout), kept in the flow's hook slot so a packet of the flow finds them without a lookup. Reads on the data
 * path take the object's lock briefly, as do the DDIs that change it; {@link #removeAll} empties it once, when the
 * flow ends, so each context is handed to its callout's {@code flowDeleteFn} exactly once.
 */
final class FlowContexts {
    private int[] layerIds = new int[2];
    private int[] calloutIds = new int[2];
    private long[] contexts = new long[2];
    private int count;
    private boolean ended;

    /** The context of (layer, callout), or 0; {@code found[0]} says whether there is one. */
    synchronized long find(int layerId, int calloutId, boolean[] found) {
        int i = indexOf(layerId, calloutId);
        found[0] = i >= 0;
        return i >= 0 ? contexts[i] : 0;
    }

    /** Whether (layer, callout) has a context. */
    synchronized boolean has(int layerId, int calloutId) {
        return indexOf(layerId, calloutId) >= 0;
    }

    /**
     * Associates a context.
     *
     * @return false if (layer, callout) already has one, or the flow has ended
     */
    synchronized boolean associate(int layerId, int calloutId, long context) {
        if (ended || indexOf(layerId, calloutId) >= 0) {
            return false;
        }
        if (count == layerIds.length) {
            layerIds = Arrays.copyOf(layerIds, count * 2);
            calloutIds = Arrays.copyOf(calloutIds, count * 2);
            contexts = Arrays.copyOf(contexts, count * 2);
        }
        layerIds[count] = layerId;
        calloutIds[count] = calloutId;
        contexts[count] = context;
        count++;
        return true;
    }

    /**
     * Removes the context of (layer, callout).
     *
     * @return the removed context in {@code removed[0]}; false if there was none
     */
    synchronized boolean remove(int layerId, int calloutId, long[] removed) {
        int i = indexOf(layerId, calloutId);
        if (i < 0) {
            return false;
        }
        removed[0] = contexts[i];
        count--;
        layerIds[i] = layerIds[count];
        calloutIds[i] = calloutIds[count];
        contexts[i] = contexts[count];
        return true;
    }

    /** The entries as (layerId, calloutId, context) triples, and the flow marked ended so nothing is added after. */
    synchronized long[] removeAll() {
        ended = true;
        long[] all = new long[count * 3];
        for (int i = 0; i < count; i++) {
            all[3 * i] = layerIds[i];
            all[3 * i + 1] = calloutIds[i];
            all[3 * i + 2] = contexts[i];
        }
        count = 0;
        return all;
    }

    private int indexOf(int layerId, int calloutId) {
        for (int i = 0; i < count; i++) {
            if (layerIds[i] == layerId && calloutIds[i] == calloutId) {
                return i;
            }
        }
        return -1;
    }
}
