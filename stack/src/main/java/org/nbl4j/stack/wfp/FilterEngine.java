package org.nbl4j.stack.wfp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.memory.internal.StripedCounters;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Site;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.internal.ReentrancyFrames;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.Flow;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.ip.HookVerdict;
import org.nbl4j.stack.ip.HostFlows;
import org.nbl4j.stack.ip.PacketFacts;
import org.nbl4j.stack.ip.PacketHook;
import org.nbl4j.stack.ip.PacketInjection;

/**
 * The filter engine of the IP layers: the {@link PacketHook} the IP path calls at INBOUND_IPPACKET, OUTBOUND_IPPACKET
 * and IPFORWARD and their discard twins. It plays the parts of the base filtering engine (sublayers, filters) and of
 * the kernel engine (callout registration, classification, arbitration, §4), and hands out the WFP buffer functions
 * ({@link #buffers()}), packet tagging ({@link #tags()}), the info containers ({@link #containers()}) and injection
 * handles ({@link #createInjectionHandle}).
 *
 * <p>Filters are changed at PASSIVE_LEVEL by management code; each change publishes a new sorted array per layer, so
 * classification on the data-path threads takes no lock. Classification allocates nothing: the incoming values,
 * metadata, classify result and context are per thread and reused.
 *
 * <p>After {@link HookVerdict#BLOCK} the path calls {@link #discarded} with no discard reason on the same thread; the
 * engine then shows the packet at the discard twin with module GENERAL, reason FWPS_DISCARD_FIREWALL_POLICY and the
 * blocking filter's id (§5.3). For drops of its own the path gives the IP_DISCARD_REASON.
 */
public final class FilterEngine implements PacketHook, AutoCloseable {
    private static final Filter[] NO_FILTERS = new Filter[0];
    private static final int LAYERS = Layer.values().length;
    private static final int VETOES = LAYERS;
    private static final int INJECTIONS = LAYERS + 1;
    private static final int COMPLETIONS = LAYERS + 2;
    private static final Comparator<Filter> ORDER = Comparator.comparingInt(Filter::subLayerWeight)
            .reversed()
            .thenComparing(filter -> filter.sublayer().key())
            .thenComparing(Filter::weight, (a, b) -> Long.compareUnsigned(b, a))
            .thenComparingLong(Filter::filterId);

    private final Ndis ndis;
    private final Verifier verifier;
    private final WfpInfoContainers containers;
    private final NblTags tags;
    private final InjectionFaults faults = new InjectionFaults();
    private final WfpBuffers buffers;
    private final Map<UUID, Sublayer> sublayers = new HashMap<>();
    private final Map<UUID, Filter.Registration> callouts = new HashMap<>();
    private final Map<Integer, Filter.Registration> calloutsById = new ConcurrentHashMap<>();
    /** Registered callouts without {@code FWP_CALLOUT_FLAG_ALLOW_RSC}: while any is, RSC is off. */
    private volatile int calloutsRefusingRsc;

    private final Map<Long, Filter> filters = new HashMap<>();
    /** The run-time id of each callout key ever registered or added: FwpmCalloutAdd0 and FwpsCalloutRegister agree. */
    private final Map<UUID, Integer> calloutIds = new HashMap<>();

    private final BaseFilteringEngine bfe;
    private final AtomicLong lastFilterId = new AtomicLong();
    /**
     * One scratch per nesting level: a callout that injects inline makes the path classify the injected packet on the
     * same thread, inside the outer classification, which must find its own values, metadata and arbitration
     * untouched when the callout returns.
     */
    private final ReentrancyFrames<Scratch> scratch = new ReentrancyFrames<>(Scratch::new);

    private volatile Filter[][] byLayer;
    /**
     * Per data-path thread: the packets shown at each layer (counters 0 to {@link #LAYERS} − 1, by layer ordinal), then
     * {@link #VETOES}, {@link #INJECTIONS} and {@link #COMPLETIONS}.
     */
    private final StripedCounters counters = new StripedCounters(COMPLETIONS + 1);

    private volatile @Nullable PacketInjection packetInjection;
    private volatile @Nullable HostFlows hostFlows;
    /** Pended ALE authorizations not yet completed, by completion handle (the flow's). */
    private final Map<Long, PendedOperation> pendedOperations = new ConcurrentHashMap<>();
    /** Classify handles acquired and not yet released: reported at {@link #close} (§4.10: one release per acquire). */
    private final Set<ClassifyHandle> unreleasedClassifyHandles = ConcurrentHashMap.newKeySet();

    private int lastCalloutId;

    /** What one thread reuses for every classification. */
    private static final class Scratch {
        final IncomingValues[] values = new IncomingValues[Layer.values().length];
        final IncomingMetadata metadata = new IncomingMetadata();
        final Arbitration arbitration = new Arbitration();

        @Nullable
        NetBufferList lastBlocked;

        long lastBlockingFilterId;

        Scratch() {
            for (Layer layer : Layer.values()) {
                values[layer.ordinal()] = new IncomingValues(layer);
            }
        }
    }

    /** An engine for a stack that behaves like Windows 10. */
    public FilterEngine(Ndis ndis) {
        this(ndis, PlatformProfile.WINDOWS_10);
    }

    public FilterEngine(Ndis ndis, PlatformProfile profile) {
        this.ndis = ndis;
        this.verifier = ndis.verifier();
        this.containers = new WfpInfoContainers(ndis, profile);
        this.tags = new NblTags(containers, verifier);
        this.buffers = new WfpBuffers(ndis, containers, tags, faults);
        this.sublayers.put(Sublayer.UNIVERSAL.key(), Sublayer.UNIVERSAL);
        this.bfe = new BaseFilteringEngine(this);
        Filter[][] empty = new Filter[Layer.values().length][];
        Arrays.fill(empty, NO_FILTERS);
        this.byLayer = empty;
    }

    // ---- wiring ----

    /** The IP path's injection entry points, which every injection handle uses. Until set, injection is NOT_READY. */
    public void setPacketInjection(@Nullable PacketInjection injection) {
        this.packetInjection = injection;
    }

    /** The host role's flows, which the flow-context DDIs act on. Until set, they answer STATUS_NOT_FOUND. */
    public void setHostFlows(@Nullable HostFlows flows) {
        this.hostFlows = flows;
    }

    /** The IP path's side that returns indicated NBLs once WFP no longer holds them. */
    public void setIndicatedPacketHolds(IndicatedPacketHolds holds) {
        buffers.setPacketHolds(holds);
    }

    /** The WFP buffer functions. */
    public WfpBuffers buffers() {
        return buffers;
    }

    /** Packet tagging. */
    public NblTags tags() {
        return tags;
    }

    /** The WFP info containers, and the calls of the built-in WFP lightweight filter. */
    public WfpInfoContainers containers() {
        return containers;
    }

    /** The management side: {@code FWPM} sessions, transactions and the objects they added. */
    public BaseFilteringEngine bfe() {
        return bfe;
    }

    /** The fault switches of §8.5. */
    public InjectionFaults faults() {
        return faults;
    }

    /** The verifier of the engine's NDIS. */
    public Verifier verifier() {
        return verifier;
    }

    /** How many times a callout vetoed a hard PERMIT (each is an audit event on Windows). */
    public long vetoes() {
        return counters.sum(VETOES);
    }

    @Nullable
    PacketInjection packetInjection() {
        return packetInjection;
    }

    // ---- management (PASSIVE_LEVEL) ----

    /**
     * {@code FwpmSubLayerAdd0}: adds a sublayer.
     *
     * @throws FwpStatusException STATUS_FWP_ALREADY_EXISTS
     */
    public synchronized void addSublayer(Sublayer sublayer) {
        requirePassive("FwpmSubLayerAdd0", "fwpmk");
        if (sublayers.putIfAbsent(sublayer.key(), sublayer) != null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_ALREADY_EXISTS, "sublayer " + sublayer.key());
        }
    }

    /**
     * {@code FwpsCalloutRegister2} (§4.1): registers a callout; filters already naming its key start calling it (their
     * ADD notifications are not replayed).
     *
     * @return the run-time callout id
     * @throws FwpStatusException STATUS_FWP_ALREADY_EXISTS for a key already registered
     */
    public synchronized int registerCallout(Callout callout) {
        requirePassive("FwpsCalloutRegister2", "fwpsk");
        if (callouts.containsKey(callout.calloutKey())) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_ALREADY_EXISTS, "callout " + callout.calloutKey());
        }
        Filter.Registration registration = new Filter.Registration(callout, calloutId(callout.calloutKey()));
        callouts.put(callout.calloutKey(), registration);
        calloutsById.put(registration.calloutId(), registration);
        if ((callout.flags() & Callout.FWP_CALLOUT_FLAG_ALLOW_RSC) == 0) {
            calloutsRefusingRsc++;
        }
        for (Filter filter : filters.values()) {
            if (callout.calloutKey().equals(filter.calloutKey())) {
                filter.setRegistration(registration);
            }
        }
        return registration.calloutId();
    }

    /**
     * Whether coalesced packets may reach the layers: not while a callout that did not opt in to large receive packets
     * ({@code FWP_CALLOUT_FLAG_ALLOW_RSC}) is registered. WFP tells TCP/IP of such a registration and TCP/IP disables
     * RSC (WDK, "Programming Considerations for RSC Drivers", WFP section); nbl4j applies it to every interface.
     */
    @Override
    public boolean allowsCoalescedPackets() {
        return calloutsRefusingRsc == 0;
    }

    /**
     * The run-time id of the callout with {@code calloutKey}: the one it was registered or added with before, or a new
     * one that its registration and its {@code FwpmCalloutAdd0} will both use, in whichever order they come.
     */
    synchronized int calloutId(UUID calloutKey) {
        return calloutIds.computeIfAbsent(calloutKey, _ -> ++lastCalloutId);
    }

    /**
     * {@code FwpsCalloutUnregisterByKey0}: filters naming the callout behave as if it was never registered (§4.1).
     *
     * @throws FwpStatusException STATUS_FWP_CALLOUT_NOT_FOUND
     */
    public synchronized void unregisterCallout(UUID calloutKey) {
        requirePassive("FwpsCalloutUnregisterByKey0", "fwpsk");
        unregister(calloutKey);
    }

    /**
     * {@code FwpsCalloutUnregisterById0}: as {@link #unregisterCallout(UUID)}, naming the callout by its run-time id.
     *
     * @throws FwpStatusException STATUS_FWP_CALLOUT_NOT_FOUND
     */
    public synchronized void unregisterCallout(int calloutId) {
        requirePassive("FwpsCalloutUnregisterById0", "fwpsk");
        for (Filter.Registration registration : callouts.values()) {
            if (registration.calloutId() == calloutId) {
                unregister(registration.callout().calloutKey());
                return;
            }
        }
        throw new FwpStatusException(NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND, "callout id " + calloutId);
    }

    /** Whether a callout with {@code calloutKey} is registered. */
    public synchronized boolean isRegistered(UUID calloutKey) {
        return callouts.containsKey(calloutKey);
    }

    private void unregister(UUID calloutKey) {
        Filter.Registration removed = callouts.remove(calloutKey);
        if (removed == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_CALLOUT_NOT_FOUND, "callout " + calloutKey);
        }
        calloutsById.remove(removed.calloutId());
        if ((removed.callout().flags() & Callout.FWP_CALLOUT_FLAG_ALLOW_RSC) == 0) {
            calloutsRefusingRsc--;
        }
        for (Filter filter : filters.values()) {
            if (calloutKey.equals(filter.calloutKey())) {
                filter.setRegistration(null);
            }
        }
    }

    /**
     * {@code FwpmFilterAdd0}: adds a filter. A registered callout named by the filter is told ADD_FILTER and may
     * refuse it, then ADD_FILTER_POST_COMMIT if it asked for it.
     *
     * @throws FwpStatusException STATUS_FWP_SUBLAYER_NOT_FOUND, STATUS_FWP_INVALID_ACTION_TYPE,
     *     STATUS_INVALID_PARAMETER (a callout action without a callout key), STATUS_FWP_CONDITION_NOT_FOUND (a field of
     *     another layer), STATUS_FWP_TYPE_MISMATCH, STATUS_FWP_MATCH_TYPE_MISMATCH, STATUS_FWP_CALLOUT_NOTIFICATION_FAILED
     */
    public synchronized Filter addFilter(FilterSpec spec) {
        return addNew(spec, true);
    }

    /**
     * {@code FwpmFilterAdd0} inside a transaction: as {@link #addFilter}, but ADD_FILTER_POST_COMMIT waits for
     * {@link #committed} (§4.8: it comes after the transaction commits).
     */
    synchronized Filter addFilterInTransaction(FilterSpec spec) {
        return addNew(spec, false);
    }

    private Filter addNew(FilterSpec spec, boolean committed) {
        requirePassive("FwpmFilterAdd0", "fwpmk");
        if (filter(spec.filterKey()) != null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_ALREADY_EXISTS, "filter " + spec.filterKey());
        }
        return add(spec, lastFilterId.incrementAndGet(), committed);
    }

    /** The transaction that added {@code filter} committed: its callout gets ADD_FILTER_POST_COMMIT if it asked. */
    synchronized void committed(Filter filter) {
        if (filters.get(filter.filterId()) == filter) {
            notifyPostCommit(filter);
        }
    }

    /** Adds a deleted filter back with its id, as an aborted transaction does (§4.1's notifications again). */
    synchronized void restoreFilter(Filter deleted) {
        add(deleted.spec(), deleted.filterId(), false);
    }

    private Filter add(FilterSpec spec, long filterId, boolean committed) {
        Sublayer sublayer = sublayers.get(spec.subLayerKey());
        if (sublayer == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_SUBLAYER_NOT_FOUND, "sublayer " + spec.subLayerKey());
        }
        if (!spec.action().isDecision() && !spec.action().isCallout()) {
            throw new FwpStatusException(
                    NtStatus.STATUS_FWP_INVALID_ACTION_TYPE, spec.action().toString());
        }
        if (spec.action().isCallout() && spec.calloutKey() == null) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, spec.action() + " without a callout key");
        }
        for (FilterCondition condition : spec.conditions()) {
            if (!spec.layer().has(condition.field())) {
                throw new FwpStatusException(
                        NtStatus.STATUS_FWP_CONDITION_NOT_FOUND, condition.field() + " at " + spec.layer());
            }
            int status = condition.validate(spec.layer().family());
            if (status != NtStatus.STATUS_SUCCESS) {
                throw new FwpStatusException(status, condition.toString());
            }
        }
        Filter filter = new Filter(filterId, spec, sublayer);
        UUID calloutKey = spec.calloutKey();
        Filter.Registration registration = calloutKey == null ? null : callouts.get(calloutKey);
        filter.setRegistration(registration);
        NotifyFn notifyFn = registration == null ? null : registration.callout().notifyFn();
        if (notifyFn != null) {
            int status = notifyFn.notify(CalloutNotifyType.ADD_FILTER, spec.filterKey(), filter);
            if (status != NtStatus.STATUS_SUCCESS) {
                throw new FwpStatusException(
                        NtStatus.STATUS_FWP_CALLOUT_NOTIFICATION_FAILED, "callout refused " + filter);
            }
        }
        filters.put(filter.filterId(), filter);
        publish(spec.layer());
        if (committed) {
            notifyPostCommit(filter);
        }
        return filter;
    }

    private void notifyPostCommit(Filter filter) {
        Filter.Registration registration = filter.registration();
        NotifyFn notifyFn = registration == null ? null : registration.callout().notifyFn();
        if (notifyFn != null
                && (registration.callout().flags() & Callout.FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY) != 0) {
            notifyFn.notify(CalloutNotifyType.ADD_FILTER_POST_COMMIT, filter.filterKey(), filter);
        }
    }

    /**
     * {@code FwpmFilterDeleteById0}: deletes a filter; its callout is told DELETE_FILTER (with no key), whatever it
     * answers.
     *
     * @throws FwpStatusException STATUS_FWP_FILTER_NOT_FOUND
     */
    public synchronized Filter deleteFilter(long filterId) {
        requirePassive("FwpmFilterDeleteById0", "fwpmk");
        Filter filter = filters.remove(filterId);
        if (filter == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_FILTER_NOT_FOUND, "filter " + filterId);
        }
        publish(filter.layer());
        Filter.Registration registration = filter.registration();
        NotifyFn notifyFn = registration == null ? null : registration.callout().notifyFn();
        if (notifyFn != null) {
            notifyFn.notify(CalloutNotifyType.DELETE_FILTER, null, filter);
        }
        return filter;
    }

    /**
     * {@code FwpmFilterDeleteByKey0}: deletes the filter with {@code filterKey}, as {@link #deleteFilter(long)}.
     *
     * @throws FwpStatusException STATUS_FWP_FILTER_NOT_FOUND
     */
    public synchronized Filter deleteFilter(UUID filterKey) {
        Filter filter = filter(filterKey);
        if (filter == null) {
            requirePassive("FwpmFilterDeleteByKey0", "fwpmk");
            throw new FwpStatusException(NtStatus.STATUS_FWP_FILTER_NOT_FOUND, "filter " + filterKey);
        }
        return deleteFilter(filter.filterId());
    }

    /** The filter with {@code filterKey}, or {@code null}. */
    public synchronized @Nullable Filter filter(UUID filterKey) {
        for (Filter filter : filters.values()) {
            if (filter.filterKey().equals(filterKey)) {
                return filter;
            }
        }
        return null;
    }

    /** The filters of a layer in evaluation order. */
    public List<Filter> filters(Layer layer) {
        return List.of(byLayer[layer.ordinal()]);
    }

    /** Every filter, layer by layer in run-time id order, each layer's in evaluation order. */
    public List<Filter> filters() {
        List<Filter> all = new ArrayList<>();
        for (Filter[] layerFilters : byLayer) {
            all.addAll(Arrays.asList(layerFilters));
        }
        return all;
    }

    /** The sublayer with {@code key}, or {@code null}. */
    public synchronized @Nullable Sublayer sublayer(UUID key) {
        return sublayers.get(key);
    }

    /**
     * {@code FwpmSubLayerDeleteByKey0}: deletes a sublayer no filter is in.
     *
     * @throws FwpStatusException STATUS_FWP_SUBLAYER_NOT_FOUND, STATUS_FWP_BUILTIN_OBJECT (the universal sublayer),
     *     STATUS_FWP_IN_USE (a filter is in it)
     */
    public synchronized Sublayer deleteSublayer(UUID key) {
        requirePassive("FwpmSubLayerDeleteByKey0", "fwpmk");
        Sublayer sublayer = sublayers.get(key);
        if (sublayer == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_SUBLAYER_NOT_FOUND, "sublayer " + key);
        }
        if (sublayer.equals(Sublayer.UNIVERSAL)) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_BUILTIN_OBJECT, "FWPM_SUBLAYER_UNIVERSAL");
        }
        for (Filter filter : filters.values()) {
            if (filter.sublayer().key().equals(key)) {
                throw new FwpStatusException(NtStatus.STATUS_FWP_IN_USE, "sublayer " + key + " holds " + filter);
            }
        }
        sublayers.remove(key);
        return sublayer;
    }

    // ---- injection handles ----

    /**
     * {@code FwpsInjectionHandleCreate0} (§3.2): a new injection identity. PASSIVE_LEVEL.
     *
     * @param family the family, or {@code null} for AF_UNSPEC (network injection needs a family)
     * @param flags {@code FWPS_INJECTION_TYPE_*}; 0 allows transport, stream and forward injection
     * @throws FwpStatusException STATUS_FWP_TCPIP_NOT_READY, STATUS_INVALID_PARAMETER for unknown flags or an L2
     *     handle with a family
     */
    public InjectionHandle createInjectionHandle(@Nullable AddressFamily family, int flags) {
        requirePassive("FwpsInjectionHandleCreate0", "fwpsk");
        if (faults.tcpipNotReady()) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_TCPIP_NOT_READY, "fault switch");
        }
        if ((flags & ~InjectionType.ALL) != 0
                || ((flags & InjectionType.FWPS_INJECTION_TYPE_L2) != 0 && family != null)) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, "flags 0x" + Integer.toHexString(flags));
        }
        return new InjectionHandle(this, family, flags == 0 ? InjectionType.WHEN_ZERO : flags);
    }

    // ---- classify handles (§4.10) ----

    /**
     * {@code FwpsAcquireClassifyHandle0}: only from inside a classify function.
     *
     * @throws FwpStatusException STATUS_INVALID_PARAMETER for non-zero flags or a context that is not active
     */
    public ClassifyHandle acquireClassifyHandle(ClassifyContext classifyContext, int flags) {
        Layer layer = classifyContext.layer();
        if (flags != 0 || layer == null) {
            verifier.report(WfpRule.CLASSIFY_HANDLE_MISUSE, "acquired outside classifyFn or with flags", null, 0);
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, "no active classification");
        }
        ClassifyHandle handle = new ClassifyHandle(layer, Site.capture(verifier.settings(), null));
        unreleasedClassifyHandles.add(handle);
        return handle;
    }

    /**
     * {@code FwpsPendClassify0}: the IP-packet layers do not support asynchronous classification (§4.10).
     *
     * @return STATUS_FWP_CANNOT_PEND, or STATUS_INVALID_PARAMETER for non-zero flags or a released handle
     */
    public int pendClassify(ClassifyHandle handle, long filterId, int flags, ClassifyOut classifyOut) {
        if (flags != 0 || handle.released()) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return NtStatus.STATUS_FWP_CANNOT_PEND;
    }

    /**
     * {@code FwpsCompleteClassify0}: no layer of nbl4j lets a classification pend, so nothing can be completed: a
     * CLASSIFY_HANDLE_MISUSE (completed without a pend).
     */
    public void completeClassify(ClassifyHandle handle, int flags, @Nullable ClassifyOut classifyOut) {
        verifier.report(
                WfpRule.CLASSIFY_HANDLE_MISUSE, "classify completed without a pend at " + handle.layer(), null, 0);
    }

    // ---- pended ALE authorizations (§4.10) ----

    /**
     * {@code FwpsPendOperation0}: pends the ALE authorization being classified, whose metadata gave
     * {@code completionHandle}. The classify function then returns BLOCK with ABSORB and clears the write right.
     *
     * @throws FwpStatusException STATUS_FWP_CANNOT_PEND in a reauthorization, STATUS_FWP_NULL_POINTER for a handle of
     *     no authorization being classified, STATUS_FWP_TCPIP_NOT_READY without the host role
     */
    public PendedOperation pendOperation(long completionHandle) {
        HostFlows flows = hostFlows;
        if (flows == null) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_TCPIP_NOT_READY, "no host role");
        }
        Flow flow = flows.flow(completionHandle);
        int status = flows.pendAuthorization(completionHandle);
        if (status == NtStatus.STATUS_FWP_NULL_POINTER || (status == NtStatus.STATUS_SUCCESS && flow == null)) {
            // A reauthorization's CANNOT_PEND is the documented answer a driver expects (§8.6 API-10); a handle of no
            // authorization in progress is a driver reading a metadata field its layer does not have.
            verifier.report(
                    WfpRule.PEND_NOT_PENDABLE,
                    "completion handle " + completionHandle + " at no ALE authorization",
                    null,
                    0);
        }
        if (status != NtStatus.STATUS_SUCCESS || flow == null) {
            throw new FwpStatusException(
                    status == NtStatus.STATUS_SUCCESS ? NtStatus.STATUS_FWP_NULL_POINTER : status,
                    "completion handle " + completionHandle);
        }
        Layer layer = Layer.of(
                flow.isOutbound() ? HookPoint.ALE_AUTH_CONNECT : HookPoint.ALE_AUTH_RECV_ACCEPT, flow.family(), false);
        PendedOperation pended = new PendedOperation(completionHandle, layer, Site.capture(verifier.settings(), null));
        pendedOperations.put(completionHandle, pended);
        Scratch classifying = scratch.current().innermost();
        if (classifying != null) {
            classifying.arbitration.pended(pended);
        }
        return pended;
    }

    /**
     * {@code FwpsCompleteOperation0}: completes a pended authorization. At ALE_AUTH_CONNECT the flow is reauthorized
     * with FWP_CONDITION_FLAG_IS_REAUTHORIZE before this returns; at ALE_AUTH_RECV_ACCEPT its next packet (or the
     * callout's reinjection of {@code netBufferList}) is authorized afresh. Completing twice, or completing what was
     * never pended, is reported with the driver's line.
     */
    public void completeOperation(@Nullable PendedOperation completionContext, @Nullable NetBufferList netBufferList) {
        if (completionContext == null) {
            verifier.report(WfpRule.PEND_NOT_PENDED, "FwpsCompleteOperation0 with a NULL completion context", null, 0);
            return;
        }
        if (!completionContext.complete()) {
            verifier.report(
                    WfpRule.PEND_COMPLETED_TWICE,
                    "completion context of " + completionContext.layer() + " pended at "
                            + completionContext.pendedAt().where(),
                    null,
                    0);
            return;
        }
        pendedOperations.remove(completionContext.completionHandle(), completionContext);
        HostFlows flows = hostFlows;
        if (flows != null) {
            Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
            try {
                flows.completeAuthorization(completionContext.completionHandle());
            } finally {
                Irql.lower(previous);
            }
        }
    }

    /** {@code FwpsReleaseClassifyHandle0}: once per acquire. */
    public void releaseClassifyHandle(ClassifyHandle handle) {
        if (handle.released()) {
            verifier.report(WfpRule.CLASSIFY_HANDLE_MISUSE, "classify handle released twice", null, 0);
            return;
        }
        handle.release();
        unreleasedClassifyHandles.remove(handle);
    }

    // ---- the data path (DISPATCH_LEVEL) ----

    @Override
    public HookVerdict classify(HookPoint point, NetBufferList nbl, PacketFacts facts) {
        return classifyAt(point, nbl, facts);
    }

    @Override
    public HookVerdict classifyWithoutPacket(HookPoint point, PacketFacts facts) {
        return classifyAt(point, null, facts);
    }

    private HookVerdict classifyAt(HookPoint point, @Nullable NetBufferList nbl, PacketFacts facts) {
        if (nbl != null && nbl.isInfoSet(NetBufferListInfo.WfpNetBufferListInfo)) {
            // A new trip of a recycled NBL: WFP reuses its container (WfpNblInfoAlloc keeps a non-empty slot).
            containers.attachForClassify(nbl);
        }
        Layer layer = Layer.of(point, facts.family(), false);
        counters.increment(layer.ordinal());
        Filter[] layerFilters = byLayer[layer.ordinal()];
        if (layerFilters.length == 0) {
            return HookVerdict.CONTINUE;
        }
        ReentrancyFrames.Stack<Scratch> scratches = scratch.current();
        Scratch local = scratches.enter();
        try {
            Arbitration arbitration =
                    arbitrate(local, layer, layerFilters, facts.withoutLayerData() ? null : nbl, facts);
            if (nbl == null) {
                return arbitration.action() == ActionType.PERMIT ? HookVerdict.CONTINUE : HookVerdict.BLOCK;
            }
            if (arbitration.action() == ActionType.PERMIT) {
                return HookVerdict.CONTINUE;
            }
            if (arbitration.absorbed()) {
                return HookVerdict.ABSORB;
            }
            // Read by discarded(), which the path calls next at this same level.
            local.lastBlocked = nbl;
            local.lastBlockingFilterId = arbitration.decidingFilterId();
            return HookVerdict.BLOCK;
        } finally {
            scratches.exit();
        }
    }

    @Override
    public void releasing(NetBufferList nbl) {
        containers.release(nbl);
    }

    @Override
    public void discarded(HookPoint point, NetBufferList nbl, PacketFacts facts) {
        Layer layer = Layer.of(point, facts.family(), true);
        counters.increment(layer.ordinal());
        ReentrancyFrames.Stack<Scratch> scratches = scratch.current();
        Scratch local = scratches.enter();
        try {
            discarded(local, layer, nbl, facts);
        } finally {
            scratches.exit();
        }
    }

    private void discarded(Scratch local, Layer layer, NetBufferList nbl, PacketFacts facts) {
        boolean blockedByFilter = local.lastBlocked == nbl && facts.discardReason() == null;
        long filterId = local.lastBlockingFilterId;
        local.lastBlocked = null;
        Filter[] layerFilters = byLayer[layer.ordinal()];
        if (layerFilters.length == 0) {
            return;
        }
        IncomingMetadata metadata = local.metadata;
        PacketView.fill(layer, facts, local.values[layer.ordinal()], metadata);
        var reason = facts.discardReason();
        if (reason != null) {
            metadata.setDiscard(IncomingMetadata.FWPS_DISCARD_MODULE_NETWORK, reason.value(), 0);
        } else {
            metadata.setDiscard(
                    IncomingMetadata.FWPS_DISCARD_MODULE_GENERAL,
                    IncomingMetadata.FWPS_DISCARD_FIREWALL_POLICY,
                    blockedByFilter ? filterId : 0);
        }
        // The packet is dropped whatever the discard layer decides; callouts there observe (ABSORB is not valid).
        local.arbitration.run(
                this, layer, layerFilters, local.values[layer.ordinal()], metadata, nbl, flowContexts(facts));
        countVeto(local.arbitration);
    }

    private Arbitration arbitrate(
            Scratch local, Layer layer, Filter[] layerFilters, @Nullable NetBufferList nbl, PacketFacts facts) {
        IncomingValues values = local.values[layer.ordinal()];
        PacketView.fill(layer, facts, values, local.metadata);
        Arbitration arbitration = local.arbitration;
        arbitration.run(this, layer, layerFilters, values, local.metadata, nbl, flowContexts(facts));
        countVeto(arbitration);
        return arbitration;
    }

    private static @Nullable FlowContexts flowContexts(PacketFacts facts) {
        Flow flow = facts.flow();
        return flow != null && flow.hookState() instanceof FlowContexts contexts ? contexts : null;
    }

    // ---- flows (§4.9) ----

    /**
     * {@code FwpsFlowAssociateContext0}: associates a callout's context with a flow at a layer.
     *
     * @return STATUS_SUCCESS; STATUS_NOT_FOUND for an unknown or ended flow; STATUS_OBJECT_NAME_EXISTS when the
     *     callout already has a context for the flow at the layer; STATUS_INVALID_PARAMETER for an unknown layer or
     *     callout
     */
    public int flowAssociateContext(long flowId, int layerId, int calloutId, long flowContext) {
        Flow flow = flowOf(flowId);
        if (flow == null) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        if (!validLayer(layerId) || !calloutsById.containsKey(calloutId)) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        FlowContexts contexts;
        synchronized (flow) {
            contexts = flow.hookState() instanceof FlowContexts existing ? existing : new FlowContexts();
            flow.setHookState(contexts);
        }
        if (contexts.has(layerId, calloutId)) {
            return NtStatus.STATUS_OBJECT_NAME_EXISTS;
        }
        return contexts.associate(layerId, calloutId, flowContext)
                ? NtStatus.STATUS_SUCCESS
                : NtStatus.STATUS_NOT_FOUND;
    }

    /**
     * {@code FwpsFlowRemoveContext0}: removes a callout's context from a flow; the callout's {@code flowDeleteFn} runs
     * for it before this returns (no classification keeps it, so the answer is never STATUS_PENDING).
     *
     * @return STATUS_SUCCESS, or STATUS_NOT_FOUND when the flow or the context does not exist
     */
    public int flowRemoveContext(long flowId, int layerId, int calloutId) {
        Flow flow = flowOf(flowId);
        if (flow == null || !(flow.hookState() instanceof FlowContexts contexts)) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        long[] removed = new long[1];
        if (!contexts.remove(layerId, calloutId, removed)) {
            return NtStatus.STATUS_NOT_FOUND;
        }
        flowDeleted(layerId, calloutId, removed[0]);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FwpsFlowAbort0}: ends a flow now; every context on it is deleted.
     *
     * @return STATUS_SUCCESS, or STATUS_NOT_FOUND for an unknown flow
     */
    public int flowAbort(long flowId) {
        HostFlows flows = hostFlows;
        return flows != null && flows.abortFlow(flowId) ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_NOT_FOUND;
    }

    @Override
    public void flowEnded(Flow flow) {
        PendedOperation pended = pendedOperations.remove(flow.handle());
        if (pended != null && pended.complete()) {
            // Found when the flow ends, long after the driver's call: the driver's line is where it pended.
            verifier.report(
                    WfpRule.PEND_NEVER_COMPLETED,
                    flow + " ended; its authorization at " + pended.layer() + " was pended at "
                            + pended.pendedAt().headline() + " and never completed",
                    pended.pendedAt());
        }
        if (flow.hookState() instanceof FlowContexts contexts) {
            long[] all = contexts.removeAll();
            for (int i = 0; i < all.length; i += 3) {
                flowDeleted((int) all[i], (int) all[i + 1], all[i + 2]);
            }
        }
    }

    private void flowDeleted(int layerId, int calloutId, long flowContext) {
        Filter.Registration registration = calloutsById.get(calloutId);
        FlowDeleteFn deleteFn =
                registration == null ? null : registration.callout().flowDeleteFn();
        if (deleteFn != null) {
            deleteFn.flowDeleted(layerId, calloutId, flowContext);
        }
    }

    private @Nullable Flow flowOf(long flowId) {
        HostFlows flows = hostFlows;
        return flows == null ? null : flows.flow(flowId);
    }

    private static boolean validLayer(int layerId) {
        try {
            return Layer.ofId(layerId).isHostLayer();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void countVeto(Arbitration arbitration) {
        if (arbitration.vetoed()) {
            counters.increment(VETOES);
        }
    }

    private void publish(Layer layer) {
        List<Filter> sorted = new ArrayList<>();
        for (Filter filter : filters.values()) {
            if (filter.layer() == layer) {
                sorted.add(filter);
            }
        }
        sorted.sort(ORDER);
        Filter[][] next = byLayer.clone();
        next[layer.ordinal()] = sorted.toArray(Filter[]::new);
        byLayer = next;
    }

    /** The IRQL rule of the management DDIs: PASSIVE_LEVEL only, as the header that declares each documents. */
    void requirePassive(String ddi, String header) {
        if (!verifier.irqlAtMost(Irql.PASSIVE_LEVEL, ddi, header)) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_DEVICE_STATE, ddi + " above PASSIVE_LEVEL");
        }
    }

    /** How many packets the path has shown at {@code layer} so far, whether or not a filter was there. */
    public long indications(Layer layer) {
        return counters.sum(layer.ordinal());
    }

    /** Injections the path accepted, on every handle of this engine (I-1: equals {@link #completions} at rest). */
    public long injections() {
        return counters.sum(INJECTIONS);
    }

    /** Injection completion functions that have run. */
    public long completions() {
        return counters.sum(COMPLETIONS);
    }

    void countInjection() {
        counters.increment(INJECTIONS);
    }

    void countCompletion() {
        counters.increment(COMPLETIONS);
    }

    /**
     * Shuts the engine down: reports the management objects that sessions left behind ({@link BaseFilteringEngine}),
     * then stops the completion thread of the fault switches. Handles and containers are closed by their owners.
     */
    @Override
    public void close() {
        for (ClassifyHandle handle : unreleasedClassifyHandles) {
            verifier.report(
                    WfpRule.CLASSIFY_HANDLE_LEAKED,
                    "acquired in a classification at " + handle.layer() + " and never released",
                    handle.acquiredAt());
        }
        unreleasedClassifyHandles.clear();
        bfe.shutdown();
        faults.close();
    }
}
