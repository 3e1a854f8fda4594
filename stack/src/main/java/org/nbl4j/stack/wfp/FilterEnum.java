package org.nbl4j.stack.wfp;

import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An enumeration of filters: the enum handle of {@code FwpmFilterCreateEnumHandle0}, which {@code FwpmFilterEnum0}
 * reads a batch at a time. It holds the filters that matched its template when it was made, layer by layer in
 * run-time id order and each layer's in evaluation order; filters added or deleted later do not change it.
 */
public final class FilterEnum {
    private final FilterEngine engine;
    private final List<Filter> filters;
    private int next;

    private FilterEnum(FilterEngine engine, List<Filter> filters) {
        this.engine = engine;
        this.filters = filters;
    }

    /** {@code FwpmFilterCreateEnumHandle0}: the filters of {@code engine} that {@code template} matches, as they are now. */
    public static FilterEnum of(FilterEngine engine, Template template) {
        engine.requirePassive("FwpmFilterCreateEnumHandle0", "fwpmk");
        return new FilterEnum(engine, engine.filters().stream().filter(template).toList());
    }

    /** {@code FwpmFilterEnum0}: the next {@code count} filters at most; none once every filter was returned. */
    public synchronized List<Filter> next(int count) {
        engine.requirePassive("FwpmFilterEnum0", "fwpmk");
        int end = Math.min(filters.size(), next + Math.max(0, count));
        List<Filter> batch = filters.subList(next, end);
        next = end;
        return batch;
    }

    /**
     * {@code FWPM_FILTER_ENUM_TEMPLATE0}'s tests nbl4j supports: each test given must hold.
     *
     * @param layer only filters at this layer, or {@code null} for every layer
     * @param providerKey only filters of this provider, or {@code null}
     * @param calloutKey only filters calling this callout, or {@code null}
     * @param actionMask only filters whose action type has a bit of the mask; {@code 0xFFFFFFFF} for every action
     */
    public record Template(
            @Nullable Layer layer,
            @Nullable UUID providerKey,
            @Nullable UUID calloutKey,
            int actionMask,
            BaseFilteringEngine bfe)
            implements Predicate<Filter> {
        @Override
        public boolean test(Filter filter) {
            if (layer != null && filter.layer() != layer) {
                return false;
            }
            if (calloutKey != null && !calloutKey.equals(filter.calloutKey())) {
                return false;
            }
            if (providerKey != null) {
                FwpmObject object = bfe.object(FwpmObject.Kind.FILTER, filter.filterKey());
                if (object == null || !providerKey.equals(object.providerKey())) {
                    return false;
                }
            }
            return (filter.action().value() & actionMask) != 0;
        }
    }
}
