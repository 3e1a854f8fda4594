package org.nbl4j.stack.wfp;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter to add: the parts of {@code FWPM_FILTER0} the IP layers use (§4.6). Build one with {@link #of} and the
 * {@code with} methods.
 *
 * @param filterKey the filter's GUID
 * @param layer where it applies
 * @param subLayerKey the sublayer it belongs to; {@link Sublayer#UNIVERSAL} by default
 * @param weight the filter weight, a UINT64 compared unsigned, higher evaluated first within the sublayer (used
 *     verbatim; a session's {@code FwpmFilterAdd0} resolves an automatic or ranged weight first, {@link FilterWeight})
 * @param conditions conditions on different fields must all hold; on one field, any of them
 * @param action PERMIT, BLOCK or one of the CALLOUT_* actions
 * @param calloutKey the callout of a CALLOUT_* action
 * @param flags {@code FWPS_FILTER_FLAG_*}
 * @param rawContext the filter's initial {@code context}
 */
public record FilterSpec(
        UUID filterKey,
        Layer layer,
        UUID subLayerKey,
        long weight,
        List<FilterCondition> conditions,
        ActionType action,
        @Nullable UUID calloutKey,
        int flags,
        long rawContext) {

    public FilterSpec {
        conditions = List.copyOf(conditions);
    }

    /** A filter with a static action (PERMIT or BLOCK), no conditions, weight 0, in the universal sublayer. */
    public static FilterSpec of(Layer layer, ActionType action) {
        return new FilterSpec(UUID.randomUUID(), layer, Sublayer.UNIVERSAL.key(), 0, List.of(), action, null, 0, 0);
    }

    /** A filter whose action calls {@code calloutKey}. */
    public static FilterSpec callout(Layer layer, ActionType action, UUID calloutKey) {
        return new FilterSpec(
                UUID.randomUUID(), layer, Sublayer.UNIVERSAL.key(), 0, List.of(), action, calloutKey, 0, 0);
    }

    public FilterSpec withSublayer(UUID key) {
        return new FilterSpec(filterKey, layer, key, weight, conditions, action, calloutKey, flags, rawContext);
    }

    public FilterSpec withWeight(long newWeight) {
        return new FilterSpec(
                filterKey, layer, subLayerKey, newWeight, conditions, action, calloutKey, flags, rawContext);
    }

    public FilterSpec withCondition(FilterCondition condition) {
        List<FilterCondition> more = new ArrayList<>(conditions);
        more.add(condition);
        return new FilterSpec(filterKey, layer, subLayerKey, weight, more, action, calloutKey, flags, rawContext);
    }

    public FilterSpec withFlags(int newFlags) {
        return new FilterSpec(
                filterKey, layer, subLayerKey, weight, conditions, action, calloutKey, newFlags, rawContext);
    }
}
