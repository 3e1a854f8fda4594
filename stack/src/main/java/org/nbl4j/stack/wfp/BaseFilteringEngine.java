package org.nbl4j.stack.wfp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Site;
import org.nbl4j.stack.wfp.FwpmObject.Kind;

/**
 * The base filtering engine (BFE) of one {@link FilterEngine}: the management side that {@code Fwpm*} clients reach
 * through {@link EngineSession}s. It keeps the providers, sublayers, callouts and filters sessions added
 * ({@link FwpmObject}), puts sublayers and filters into the filter engine, which runs them, and gives each callout
 * object the run-time id its {@code FwpsCalloutRegister} gets.
 *
 * <p>Objects outlive the session that added them unless it was dynamic ({@code FWPM_SESSION_FLAG_DYNAMIC}), whose
 * objects go when it closes. At {@link #shutdown} (the engine's close, the counterpart of unloading the driver and
 * stopping BFE) whatever a non-dynamic session, or a session never closed, left behind is reported as
 * {@link WfpRule#FWPM_OBJECT_LEAKED} with the driver's line that added each object.
 */
public final class BaseFilteringEngine {
    /** The order a dynamic session's objects are deleted in: what references an object goes before it. */
    private static final List<Kind> DELETE_ORDER = List.of(Kind.FILTER, Kind.CALLOUT, Kind.SUBLAYER, Kind.PROVIDER);

    private final FilterEngine engine;
    private final Map<Kind, Map<UUID, FwpmObject>> objects = new EnumMap<>(Kind.class);
    private final Set<EngineSession> open = new LinkedHashSet<>();
    private boolean shutDown;

    BaseFilteringEngine(FilterEngine engine) {
        this.engine = engine;
        for (Kind kind : Kind.values()) {
            objects.put(kind, new LinkedHashMap<>());
        }
    }

    /**
     * {@code FwpmEngineOpen0}: a new session.
     *
     * @param dynamic whether the session's objects are deleted when it closes
     */
    public synchronized EngineSession open(UUID sessionKey, DisplayData displayData, boolean dynamic) {
        engine.requirePassive("FwpmEngineOpen0", "fwpmk");
        EngineSession session = new EngineSession(this, sessionKey, displayData, dynamic);
        open.add(session);
        return session;
    }

    /** The objects of one kind in the order they were added. */
    public synchronized List<FwpmObject> objects(Kind kind) {
        return List.copyOf(objects.get(kind).values());
    }

    /** The object of {@code kind} with {@code key}, or {@code null}. */
    public synchronized @Nullable FwpmObject object(Kind kind, UUID key) {
        return objects.get(kind).get(key);
    }

    /** The filter engine whose sublayers and filters these are. */
    public FilterEngine engine() {
        return engine;
    }

    // ---- the operations of a session, each undone by its counterpart when a transaction aborts ----

    synchronized FwpmObject addProvider(EngineSession session, UUID key, DisplayData displayData, int flags) {
        engine.requirePassive("FwpmProviderAdd0", "fwpmk");
        requireAbsent(Kind.PROVIDER, key);
        return remember(new FwpmObject(Kind.PROVIDER, key, 0, null, displayData, null, flags, session, site()));
    }

    synchronized FwpmObject addSublayer(
            EngineSession session, Sublayer sublayer, DisplayData displayData, @Nullable UUID providerKey, int flags) {
        requireProvider(providerKey);
        engine.addSublayer(sublayer);
        return remember(new FwpmObject(
                Kind.SUBLAYER, sublayer.key(), 0, null, displayData, providerKey, flags, session, site()));
    }

    /** @return the sublayer and its object ({@code null} for one added through the Java API) */
    synchronized Deleted<Sublayer> deleteSublayer(UUID key) {
        Sublayer sublayer = engine.deleteSublayer(key);
        return new Deleted<>(sublayer, objects.get(Kind.SUBLAYER).remove(key));
    }

    synchronized FwpmObject addCallout(
            EngineSession session,
            UUID key,
            Layer applicableLayer,
            DisplayData displayData,
            @Nullable UUID providerKey,
            int flags) {
        engine.requirePassive("FwpmCalloutAdd0", "fwpmk");
        requireProvider(providerKey);
        requireAbsent(Kind.CALLOUT, key);
        return remember(new FwpmObject(
                Kind.CALLOUT,
                key,
                engine.calloutId(key),
                applicableLayer,
                displayData,
                providerKey,
                flags,
                session,
                site()));
    }

    /**
     * {@code FwpmCalloutDeleteByKey0}.
     *
     * @throws FwpStatusException STATUS_FWP_CALLOUT_NOT_FOUND, STATUS_FWP_IN_USE (a filter calls it)
     */
    synchronized FwpmObject deleteCallout(UUID key) {
        engine.requirePassive("FwpmCalloutDeleteByKey0", "fwpmk");
        FwpmObject callout = objects.get(Kind.CALLOUT).get(key);
        if (callout == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND, "callout " + key);
        }
        for (Filter filter : engine.filters()) {
            if (key.equals(filter.calloutKey())) {
                throw new FwpStatusException(NtStatus.STATUS_FWP_IN_USE, "callout " + key + " is called by " + filter);
            }
        }
        return forget(callout);
    }

    /** {@code FwpmCalloutDeleteById0}: as {@link #deleteCallout(UUID)}. */
    synchronized FwpmObject deleteCallout(int calloutId) {
        for (FwpmObject callout : objects.get(Kind.CALLOUT).values()) {
            if (callout.id() == calloutId) {
                return deleteCallout(callout.key());
            }
        }
        engine.requirePassive("FwpmCalloutDeleteById0", "fwpmk");
        throw new FwpStatusException(NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND, "callout id " + calloutId);
    }

    /**
     * {@code FwpmFilterAdd0}: the filter, with the weight the engine assigns ({@link FilterWeight}).
     *
     * @param spec the filter; its weight is replaced by the resolved one
     * @param inTransaction whether ADD_FILTER_POST_COMMIT waits for the session's commit
     * @throws FwpStatusException what {@link FilterEngine#addFilter} throws, STATUS_FWP_PROVIDER_NOT_FOUND,
     *     STATUS_FWP_INVALID_WEIGHT, STATUS_FWP_NULL_DISPLAY_NAME (a filter must be named), STATUS_FWP_CALLOUT_NOT_FOUND
     *     (a callout action naming no callout object), and STATUS_FWP_INCOMPATIBLE_LAYER (a callout object of another
     *     layer)
     */
    synchronized Filter addFilter(
            EngineSession session,
            FilterSpec spec,
            FilterWeight weight,
            DisplayData displayData,
            @Nullable UUID providerKey,
            int flags,
            boolean inTransaction) {
        engine.requirePassive("FwpmFilterAdd0", "fwpmk");
        if (displayData.name() == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_NULL_DISPLAY_NAME, "filter " + spec.filterKey());
        }
        requireProvider(providerKey);
        UUID calloutKey = spec.calloutKey();
        if (spec.action().isCallout() && calloutKey != null) {
            FwpmObject callout = objects.get(Kind.CALLOUT).get(calloutKey);
            if (callout == null) {
                throw new FwpStatusException(NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND, "callout " + calloutKey);
            }
            if (callout.layer() != spec.layer()) {
                throw new FwpStatusException(
                        NtStatus.STATUS_FWP_INCOMPATIBLE_LAYER,
                        "callout " + calloutKey + " applies at " + callout.layer() + ", the filter at " + spec.layer());
            }
        }
        FilterSpec weighted = spec.withWeight(weight.resolve(spec.conditions()));
        Filter filter = inTransaction ? engine.addFilterInTransaction(weighted) : engine.addFilter(weighted);
        remember(new FwpmObject(
                Kind.FILTER,
                spec.filterKey(),
                filter.filterId(),
                spec.layer(),
                displayData,
                providerKey,
                flags,
                session,
                site()));
        return filter;
    }

    /** {@code FwpmFilterDeleteById0}: any filter, also one added through the Java API. */
    synchronized Deleted<Filter> deleteFilter(long filterId) {
        Filter filter = engine.deleteFilter(filterId);
        return new Deleted<>(filter, objects.get(Kind.FILTER).remove(filter.filterKey()));
    }

    /** {@code FwpmFilterDeleteByKey0}. */
    synchronized Deleted<Filter> deleteFilter(UUID filterKey) {
        Filter filter = engine.deleteFilter(filterKey);
        return new Deleted<>(filter, objects.get(Kind.FILTER).remove(filterKey));
    }

    /** Puts a deleted filter back, with its id, as an aborted transaction does. */
    synchronized void restoreFilter(Deleted<Filter> deleted) {
        engine.restoreFilter(deleted.runTime());
        if (deleted.object() != null) {
            remember(deleted.object());
        }
    }

    /** Puts a deleted sublayer back, as an aborted transaction does. */
    synchronized void restoreSublayer(Deleted<Sublayer> deleted) {
        engine.addSublayer(deleted.runTime());
        if (deleted.object() != null) {
            remember(deleted.object());
        }
    }

    synchronized FwpmObject remember(FwpmObject object) {
        objects.get(object.kind()).put(object.key(), object);
        return object;
    }

    synchronized FwpmObject forget(FwpmObject object) {
        objects.get(object.kind()).remove(object.key());
        return object;
    }

    /** What a delete took away: the engine's object and the management object, if a session had added it. */
    record Deleted<T>(T runTime, @Nullable FwpmObject object) {}

    /**
     * {@code FwpmEngineClose0}'s part here: a dynamic session's objects are deleted, filters first; the others stay.
     */
    synchronized void closed(EngineSession session) {
        open.remove(session);
        if (!session.dynamic()) {
            return;
        }
        for (Kind kind : DELETE_ORDER) {
            for (FwpmObject object : List.copyOf(objects.get(kind).values())) {
                if (object.session() == session) {
                    delete(object);
                }
            }
        }
    }

    private void delete(FwpmObject object) {
        switch (object.kind()) {
            case FILTER -> deleteFilter(object.id());
            case SUBLAYER -> deleteSublayer(object.key());
            case CALLOUT, PROVIDER -> forget(object);
        }
    }

    /**
     * Stops the BFE: every object still there that a non-dynamic session added, or a session that was never closed,
     * is reported as one {@link WfpRule#FWPM_OBJECT_LEAKED} violation naming where each was added. A shutdown cannot
     * be refused: the report is never thrown. Shutting down again reports nothing.
     */
    synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        List<FwpmObject> left = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (FwpmObject object : objects.get(kind).values()) {
                if (!object.session().dynamic() || open.contains(object.session())) {
                    left.add(object);
                }
            }
        }
        if (left.isEmpty()) {
            return;
        }
        StringBuilder detail = new StringBuilder("left in the filter engine at shutdown:\n");
        for (FwpmObject object : left) {
            detail.append("  ")
                    .append(object.describe())
                    .append(", added at ")
                    .append(object.addedAt().headline())
                    .append(open.contains(object.session()) ? " (its session was never closed)" : "")
                    .append('\n');
        }
        engine.verifier().report(WfpRule.FWPM_OBJECT_LEAKED, detail.toString(), null, left.size());
    }

    private void requireAbsent(Kind kind, UUID key) {
        if (objects.get(kind).containsKey(key)) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_ALREADY_EXISTS, kind + " " + key);
        }
    }

    private void requireProvider(@Nullable UUID providerKey) {
        if (providerKey != null && !objects.get(Kind.PROVIDER).containsKey(providerKey)) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_PROVIDER_NOT_FOUND, "provider " + providerKey);
        }
    }

    /** The driver's line that is adding an object, as the verifier names sites. */
    private Site site() {
        return Site.capture(engine.verifier().settings(), null);
    }
}
