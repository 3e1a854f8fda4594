package org.nbl4j.stack.wfp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter as the engine runs it and a callout sees it: {@code FWPS_FILTER2} (§4.6), with its run-time id, the weight
 * of its sublayer, its conditions grouped by field, and its context, which the callout's notify function may set.
 */
public final class Filter {
    /** The callout must clear the write right when it returns PERMIT too. */
    public static final int FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT = 0x0001;
    /** A CALLOUT_TERMINATING or CALLOUT_UNKNOWN filter whose callout is not registered permits instead of blocking. */
    public static final int FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED = 0x0002;

    /** A callout registered under the filter's callout key, with its run-time id. */
    record Registration(Callout callout, int calloutId) {}

    private final long filterId;
    private final FilterSpec spec;
    private final Sublayer sublayer;
    private final FilterCondition[][] conditionsByField;
    private volatile @Nullable Registration registration;
    private volatile long context;

    Filter(long filterId, FilterSpec spec, Sublayer sublayer) {
        this.filterId = filterId;
        this.spec = spec;
        this.sublayer = sublayer;
        this.context = spec.rawContext();
        Map<LayerField, List<FilterCondition>> byField = new LinkedHashMap<>();
        for (FilterCondition condition : spec.conditions()) {
            byField.computeIfAbsent(condition.field(), _ -> new ArrayList<>()).add(condition);
        }
        this.conditionsByField = new FilterCondition[byField.size()][];
        int i = 0;
        for (List<FilterCondition> group : byField.values()) {
            conditionsByField[i++] = group.toArray(FilterCondition[]::new);
        }
    }

    /** {@code filterId}: the run-time id. */
    public long filterId() {
        return filterId;
    }

    /** The filter's GUID. */
    public UUID filterKey() {
        return spec.filterKey();
    }

    /** The layer it applies at. */
    public Layer layer() {
        return spec.layer();
    }

    /** {@code weight}. */
    public long weight() {
        return spec.weight();
    }

    /** {@code subLayerWeight}. */
    public int subLayerWeight() {
        return sublayer.weight();
    }

    /** The sublayer. */
    public Sublayer sublayer() {
        return sublayer;
    }

    /** {@code flags}: {@code FWPS_FILTER_FLAG_*}. */
    public int flags() {
        return spec.flags();
    }

    /** {@code action.type}. */
    public ActionType action() {
        return spec.action();
    }

    /** The callout key of a CALLOUT_* action. */
    public @Nullable UUID calloutKey() {
        return spec.calloutKey();
    }

    /** {@code action.calloutId}: the callout's run-time id, 0 while it is not registered. */
    public int calloutId() {
        Registration current = registration;
        return current == null ? 0 : current.calloutId();
    }

    /** {@code numFilterConditions} and {@code filterCondition}. */
    public List<FilterCondition> conditions() {
        return spec.conditions();
    }

    /** {@code context}. */
    public long context() {
        return context;
    }

    /** Sets {@code context}, as a notify function does on ADD_FILTER. */
    public void setContext(long context) {
        this.context = context;
    }

    /** What was added. */
    public FilterSpec spec() {
        return spec;
    }

    @Nullable
    Registration registration() {
        return registration;
    }

    void setRegistration(@Nullable Registration registration) {
        this.registration = registration;
    }

    /** Whether every field's conditions hold (one of them per field). */
    boolean matches(IncomingValues values) {
        for (FilterCondition[] group : conditionsByField) {
            FwpValue value = values.at(group[0].field());
            boolean any = false;
            for (FilterCondition condition : group) {
                if (condition.matches(value)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "filter " + filterId + " (" + spec.action() + " at " + spec.layer() + ", weight "
                + Long.toUnsignedString(spec.weight()) + ", sublayer weight 0x" + Integer.toHexString(sublayer.weight())
                + ")";
    }
}
