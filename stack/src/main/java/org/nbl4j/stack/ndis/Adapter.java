package org.nbl4j.stack.ndis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferLists;
import org.nbl4j.core.memory.internal.StripedCounters;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.Dpc;
import org.nbl4j.stack.kernel.DriverExceptions;

/**
 * One network adapter as NDIS assembles it: the miniport block, the lightweight filter modules stacked on it, and the
 * binding of one protocol on top ({@code NdisBindingHandle}, which is this object). Sends flow protocol → filters top
 * to bottom → miniport; receive indications flow miniport → filters bottom to top → protocol; completions and returns
 * go the opposite way, each NBL ending at the component whose handle is its {@code SourceHandle} (ndis-buffers §6.3 to
 * §6.5).
 *
 * <p>Filters are given to the {@link Builder} <b>top to bottom</b>: the first is the one just below the protocol.
 * {@link Builder#build()} initializes the miniport, attaches every filter and restarts the stack, so the adapter is
 * Running when built. {@link #start()} starts one thread per receive queue; {@link #poll} runs one queue's service on
 * the caller's thread instead (benchmarks, deterministic tests).
 *
 * <p>Pause follows §6.9: the protocol first (its new sends complete with {@code NDIS_STATUS_PAUSED}, indications stop
 * reaching it and the adapter waits, bounded, for what it still holds), then the filters top to bottom (waiting for a
 * PENDING pause's {@code NdisFPauseComplete}, reporting NdisFilterTimedPauseComplete after the pause timeout, 10 s by
 * default), then the miniport (its queues are no longer serviced). Restart goes the other way. The {@link Protocol}
 * contract has no pause handler, so pausing the protocol is NDIS's side only.
 *
 * <p>Ports pass through unchanged (§6.8). With the verifier on, every NBL is handed off at each hop: to
 * {@link OwnerState#SENT} or {@link OwnerState#INDICATED} when a component passes it on, to {@link OwnerState#OWNED}
 * with the receiving component as holder when NDIS calls that component's handler.
 */
public final class Adapter implements ProtocolBinding, AutoCloseable {
    /** How long a receive queue thread waits for an interrupt before looking again. */
    private static final long AWAIT_NANOS = Duration.ofMillis(20).toNanos();

    private final Ndis ndis;
    private final Verifier verifier;
    private final Miniport miniport;
    private final String name;
    private final int interfaceIndex;
    private final int budget;
    private final long pauseTimeoutNanos;
    /**
     * The filter modules top to bottom. Replaced (never changed in place) when a filter driver registers or
     * deregisters, and only while the stack is paused, so the data path reads it once per hop without a lock.
     */
    private volatile LwfModule[] modules;
    /**
     * The OID requests passed down and not yet completed, each with whoever passed it down and waits for it: a module,
     * or this binding for the protocol. One request may be pending at several levels at once (a filter that passes the
     * request itself down rather than a clone), so the key is the request and the component it was passed to.
     */
    private final ConcurrentHashMap<PendingOid, Object> oidIssuers = new ConcurrentHashMap<>();

    /**
     * An OID request as pending at one component (a module or the miniport). Requests compare by identity
     * ({@code NDIS_OID_REQUEST} does not override equals), as NDIS tracks the structure by its address.
     */
    private record PendingOid(OidRequest request, Object receiver) {}

    private final Edge edge = new Edge();
    private final ReentrantLock[] queueLocks;
    private final List<Thread> queueThreads = new ArrayList<>();

    private volatile @Nullable Protocol protocol;
    private volatile boolean protocolRunning;
    private volatile boolean miniportRunning;
    private volatile boolean stopping;
    private boolean closed;
    /**
     * The protocol's NBLs still outstanding below it: {@link #PROTOCOL_SENDS} not yet completed and
     * {@link #PROTOCOL_INDICATIONS} not yet returned. Striped per thread because every send and indication counts, on
     * every queue thread; a send counted on one queue and completed on another leaves opposite counts in two cells,
     * and the sum is right once the protocol has stopped sending ({@link #pause}).
     */
    private final StripedCounters protocolOutstanding = new StripedCounters(2);

    private static final int PROTOCOL_SENDS = 0;
    private static final int PROTOCOL_INDICATIONS = 1;

    private Adapter(Builder builder, Miniport miniport) {
        this.ndis = builder.ndis;
        this.verifier = ndis.verifier();
        this.miniport = miniport;
        this.name = builder.name != null ? builder.name : miniport.name();
        this.interfaceIndex = builder.interfaceIndex;
        this.budget = builder.budget;
        this.pauseTimeoutNanos = builder.pauseTimeout.toNanos();
        LwfModule[] stacked = new LwfModule[builder.lwfs.size()];
        for (int i = 0; i < stacked.length; i++) {
            LwfAttachment attachment = builder.lwfs.get(i);
            stacked[i] = new LwfModule(this, attachment.name() + " on " + name, i, attachment.largeReceivePackets());
        }
        this.modules = stacked;
        this.queueLocks = new ReentrantLock[Math.max(1, miniport.receiveQueueCount())];
        for (int i = 0; i < queueLocks.length; i++) {
            queueLocks[i] = new ReentrantLock();
        }
    }

    /** Starts describing an adapter whose pools come from {@code ndis}. */
    public static Builder builder(Ndis ndis) {
        return new Builder(ndis);
    }

    /** The buffer model of this adapter. */
    public Ndis ndis() {
        return ndis;
    }

    /** The interface index ({@code IfIndex}). */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** The miniport at the bottom. */
    public Miniport miniport() {
        return miniport;
    }

    /**
     * Whether NDIS leaves RSC on for this adapter: not while a filter of NDIS 6.20 or lower is in its stack, since such
     * a filter cannot take a receive packet longer than the MTU (WDK, "Programming Considerations for RSC Drivers").
     * Follows filters attaching and detaching.
     */
    @Override
    public boolean receiveSegmentCoalescing() {
        for (LwfModule module : modules) {
            if (!module.largeReceivePackets) {
                return false;
            }
        }
        return true;
    }

    /** The filter modules attached now, top to bottom. */
    public List<LwfHandle> lwfModules() {
        return List.of(modules);
    }

    /** The state of the lightweight filter module at {@code position} (0 is the top). */
    public LwfModuleState lwfModuleState(int position) {
        return modules[position].state();
    }

    /** Whether the stack is Running: the miniport serviced and the protocol reached. */
    public boolean running() {
        return protocolRunning && miniportRunning;
    }

    /**
     * Binds {@code protocol} on top ({@code NdisOpenAdapterEx}); from now on indications reach it. One protocol per
     * adapter.
     */
    public void bind(Protocol newProtocol) {
        synchronized (this) {
            if (protocol != null) {
                throw new IllegalStateException(name + " already has a protocol bound");
            }
            protocol = newProtocol;
        }
    }

    /** Starts one named thread per receive queue, each at DISPATCH_LEVEL waiting for and servicing its queue. */
    public synchronized void start() {
        if (closed || !queueThreads.isEmpty()) {
            throw new IllegalStateException(name + (closed ? " is closed" : " is already started"));
        }
        for (int queue = 0; queue < queueLocks.length; queue++) {
            int served = queue;
            Thread thread = Thread.ofPlatform()
                    .name("nbl4j " + name + " rx" + queue)
                    .daemon()
                    .unstarted(() -> serviceLoop(served));
            queueThreads.add(thread);
        }
        queueThreads.forEach(Thread::start);
    }

    /**
     * Runs queue {@code queue}'s service once on the caller's thread, raised to DISPATCH_LEVEL for the call, as a
     * queue thread would. Returns 0 while the miniport is paused.
     *
     * @return what {@link Miniport#serviceQueue} did
     */
    public int poll(int queue, int pollBudget) {
        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        try {
            return service(queue, pollBudget);
        } finally {
            Irql.lower(previous);
        }
    }

    private void serviceLoop(int queue) {
        Irql.raise(Irql.DISPATCH_LEVEL);
        try {
            while (!stopping) {
                if (!miniportRunning) {
                    LockSupport.parkNanos(AWAIT_NANOS);
                    continue;
                }
                miniport.awaitWork(queue, AWAIT_NANOS);
                try {
                    service(queue, budget);
                } catch (RuntimeException thrown) {
                    // The thread goes on serving the queue, so later packets, and later reports, still come; what the
                    // failed service had in hand may show up as a leak at close.
                    DriverExceptions.report(verifier, thrown, "the service of " + name + "'s queue " + queue);
                }
            }
        } catch (InterruptedException stopped) {
            // close() interrupts a thread blocked in awaitWork: that is how it stops.
        }
    }

    /** One service of a queue: the processor's receive DPC, after which the DPCs it queued run (Dpc). */
    private int service(int queue, int serviceBudget) {
        Dpc.Processor processor = Dpc.enterProcessor();
        try {
            ReentrantLock lock = queueLocks[queue];
            lock.lock();
            try {
                return miniportRunning ? miniport.serviceQueue(queue, serviceBudget) : 0;
            } finally {
                lock.unlock();
            }
        } finally {
            Dpc.leaveProcessor(processor);
        }
    }

    /**
     * Pauses the stack (§6.9): protocol, filters top to bottom, miniport. Must be called at PASSIVE_LEVEL, not from a
     * queue thread.
     *
     * @return whether every filter reached Paused within the pause timeout
     */
    public boolean pause() {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "NdisPause");
        protocolRunning = false;
        long deadline = System.nanoTime() + pauseTimeoutNanos;
        while ((protocolOutstanding.sum(PROTOCOL_SENDS) > 0 || protocolOutstanding.sum(PROTOCOL_INDICATIONS) > 0)
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
        boolean paused = true;
        try {
            for (LwfModule module : modules) {
                if (module.state() == LwfModuleState.RUNNING) {
                    paused &= module.pause(pauseTimeoutNanos);
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            paused = false;
        }
        miniportRunning = false;
        for (ReentrantLock lock : queueLocks) {
            lock.lock();
            lock.unlock();
        }
        return paused;
    }

    /**
     * Restarts the stack: miniport, filters bottom to top, protocol. A filter whose restart fails stays Paused and
     * the filters above it and the protocol are not restarted.
     *
     * @return {@code NDIS_STATUS_SUCCESS} or the first failure
     */
    public int restart() {
        LwfModule[] stacked = modules;
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "NdisRestart");
        miniportRunning = true;
        queueThreads.forEach(LockSupport::unpark);
        try {
            for (int i = stacked.length - 1; i >= 0; i--) {
                if (stacked[i].state() == LwfModuleState.PAUSED) {
                    int status = stacked[i].restart(pauseTimeoutNanos);
                    if (status < 0) {
                        return status;
                    }
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        protocolRunning = true;
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisCancelSendNetBufferLists} for the bound protocol: asks every filter below, top to bottom, to abort
     * queued sends carrying {@code cancelId}.
     */
    public void cancelSendNetBufferLists(long cancelId) {
        cancelDown(0, cancelId);
    }

    /**
     * Pauses the stack, stops the queue threads, detaches the filters top to bottom ({@code FilterDetach}) and halts
     * the miniport ({@code MiniportHaltEx}).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (protocolRunning || miniportRunning) {
            // Before the threads stop: pausing waits for sends that only the queue threads complete.
            pause();
        }
        stopping = true;
        for (Thread thread : queueThreads) {
            thread.interrupt();
        }
        for (Thread thread : queueThreads) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop");
            }
        }
        protocol = null;
        for (LwfModule module : modules) {
            if (module.state() == LwfModuleState.PAUSED) {
                module.detach();
            }
        }
        FilterDrivers.of(ndis).adapterClosed(this);
        miniport.close();
    }

    /**
     * Attaches a module of {@code attachment}'s driver at the top of the stack, as NDIS does when a filter driver
     * registers while the adapter runs: pauses the stack, calls {@code FilterAttach}, restarts the stack (which calls
     * the new module's {@code FilterSetModuleOptions} and {@code FilterRestart}). PASSIVE_LEVEL, not on a queue
     * thread.
     *
     * @return the new module
     * @throws IllegalStateException if the adapter is closed or its stack does not restart
     */
    synchronized LwfHandle attachFilter(LwfAttachment attachment) {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterAttach");
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        boolean wasRunning = running();
        if (wasRunning) {
            pause();
        }
        LwfModule[] before = modules;
        LwfModule module = new LwfModule(this, attachment.name() + " on " + name, 0, attachment.largeReceivePackets());
        LwfModule[] grown = new LwfModule[before.length + 1];
        grown[0] = module;
        System.arraycopy(before, 0, grown, 1, before.length);
        renumber(grown);
        try {
            module.attach(attachment.driver());
        } catch (RuntimeException failed) {
            renumber(before);
            modules = before;
            if (wasRunning) {
                restart();
            }
            throw failed;
        }
        if (wasRunning) {
            int status = restart();
            if (status < 0) {
                throw new IllegalStateException("the stack of " + name + " failed to restart after attaching " + module
                        + ": " + NtStatus.describe(status));
            }
        }
        return module;
    }

    /**
     * Detaches {@code handle}'s module as NDIS does when its filter driver deregisters: pauses the stack, calls
     * {@code FilterDetach}, and restarts the rest. A module that does not reach Paused (its pause pended past the
     * pause timeout) stays attached.
     *
     * @return whether the module is detached
     */
    synchronized boolean detachFilter(LwfHandle handle) {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterDetach");
        LwfModule[] before = modules;
        int index = List.of(before).indexOf(handle);
        if (index < 0) {
            return true;
        }
        LwfModule module = before[index];
        boolean wasRunning = running();
        if (wasRunning) {
            pause();
        }
        if (module.state() != LwfModuleState.PAUSED) {
            if (wasRunning) {
                restart();
            }
            return false;
        }
        module.detach();
        LwfModule[] shrunk = new LwfModule[before.length - 1];
        System.arraycopy(before, 0, shrunk, 0, index);
        System.arraycopy(before, index + 1, shrunk, index, before.length - index - 1);
        renumber(shrunk);
        if (wasRunning) {
            restart();
        }
        return true;
    }

    private void renumber(LwfModule[] stacked) {
        for (int i = 0; i < stacked.length; i++) {
            stacked[i].position = i;
        }
        modules = stacked;
    }

    /** Pauses and restarts the whole stack ({@code NdisFRestartFilter}); PASSIVE_LEVEL. */
    synchronized int restartStack() {
        if (closed) {
            return NtStatus.NDIS_STATUS_CLOSING;
        }
        pause();
        return restart();
    }

    // ---- ProtocolBinding ----

    @Override
    public String adapterName() {
        return name;
    }

    @Override
    public int mtu() {
        return miniport.mtu();
    }

    @Override
    public OffloadCapabilities offloadCapabilities() {
        return miniport.offloadCapabilities();
    }

    @Override
    public int receiveQueueCount() {
        return miniport.receiveQueueCount();
    }

    /**
     * {@code NdisSendNetBufferLists}. Every NBL must carry this binding as its {@code SourceHandle} (§6.5). While the
     * protocol is paused NDIS completes the chain at once with {@code NDIS_STATUS_PAUSED}.
     */
    @Override
    public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
        if (!verifier.dispatchFlagHonest(
                (sendFlags & NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0,
                "NdisSendNetBufferLists",
                "NDIS_SEND_FLAGS_DISPATCH_LEVEL")) {
            return;
        }
        int count = countFrom(chain, this);
        if (count != NetBufferLists.count(chain)) {
            verifier.report(
                    NdisRule.NBL_MISROUTED,
                    "NdisSendNetBufferLists on " + name + ": every NBL needs SourceHandle = the NdisBindingHandle",
                    null,
                    0);
            return;
        }
        Protocol bound = protocol;
        if (bound == null || !protocolRunning) {
            for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
                nbl.setStatus(NtStatus.NDIS_STATUS_PAUSED);
            }
            if (bound != null) {
                bound.sendNetBufferListsComplete(this, chain, completeFlagsFor(sendFlags));
            }
            return;
        }
        protocolOutstanding.add(PROTOCOL_SENDS, count);
        transit(chain, OwnerState.SENT, this);
        sendDown(0, chain, portNumber, sendFlags);
    }

    @Override
    public int oidRequest(OidRequest request) {
        return oidDown(0, request, this);
    }

    @Override
    public void cancelOidRequest(Object requestId) {
        cancelOidDown(0, requestId);
    }

    /** {@code NdisReturnNetBufferLists}. */
    @Override
    public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
        if (!verifier.dispatchFlagHonest(
                (returnFlags & NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0,
                "NdisReturnNetBufferLists",
                "NDIS_RETURN_FLAGS_DISPATCH_LEVEL")) {
            return;
        }
        protocolOutstanding.add(PROTOCOL_INDICATIONS, -NetBufferLists.count(chain));
        transit(chain, OwnerState.INDICATED, this);
        returnDown(0, chain, returnFlags);
    }

    // ---- routing between the layers ----

    /** Passes sends to the first module at or below {@code from} that has send handlers, else to the miniport. */
    void sendDown(int from, NetBufferList chain, int portNumber, int sendFlags) {
        LwfModule[] stacked = modules;
        for (int i = from; i < stacked.length; i++) {
            if (stacked[i].sendHandlers) {
                stacked[i].deliverSend(chain, portNumber, sendFlags);
                return;
            }
        }
        arrive(chain, miniport);
        miniport.sendNetBufferLists(chain, portNumber, sendFlags);
    }

    /** Passes completions to the first module at or above {@code from} with send handlers, else to the protocol. */
    void completeUp(int from, NetBufferList chain, int sendCompleteFlags) {
        LwfModule[] stacked = modules;
        for (int i = from; i >= 0; i--) {
            if (stacked[i].sendHandlers) {
                stacked[i].deliverSendComplete(chain, sendCompleteFlags);
                return;
            }
        }
        Protocol bound = protocol;
        int count = countFrom(chain, this);
        if (bound == null || count != NetBufferLists.count(chain)) {
            verifier.report(
                    NdisRule.NBL_MISROUTED,
                    "send completion reached the top of " + name + " with NBLs the protocol did not send",
                    null,
                    0);
            return;
        }
        protocolOutstanding.add(PROTOCOL_SENDS, -count);
        arrive(chain, bound);
        bound.sendNetBufferListsComplete(this, chain, sendCompleteFlags);
    }

    /**
     * Passes indications to the first module at or above {@code from} with receive handlers, else to the protocol;
     * with no protocol Running they turn round at the top and are returned down.
     */
    void indicateUp(int from, NetBufferList chain, int portNumber, int count, int receiveFlags) {
        LwfModule[] stacked = modules;
        for (int i = from; i >= 0; i--) {
            if (stacked[i].receiveHandlers) {
                stacked[i].deliverReceive(chain, portNumber, count, receiveFlags);
                return;
            }
        }
        Protocol bound = protocol;
        boolean cannotPend = NdisFlags.receiveCannotPend(receiveFlags);
        if (bound == null || !protocolRunning) {
            if (!cannotPend) {
                returnDown(0, chain, returnFlagsFor(receiveFlags));
            }
            return;
        }
        if (!cannotPend) {
            protocolOutstanding.add(PROTOCOL_INDICATIONS, NetBufferLists.count(chain));
        }
        arrive(chain, bound);
        bound.receiveNetBufferLists(this, chain, portNumber, count, receiveFlags);
    }

    /** Passes returns to the first module at or below {@code from} with receive handlers, else to the miniport. */
    void returnDown(int from, NetBufferList chain, int returnFlags) {
        LwfModule[] stacked = modules;
        for (int i = from; i < stacked.length; i++) {
            if (stacked[i].receiveHandlers) {
                stacked[i].deliverReturn(chain, returnFlags);
                return;
            }
        }
        if (countFrom(chain, edge) != NetBufferLists.count(chain)) {
            verifier.report(
                    NdisRule.NBL_MISROUTED,
                    "returns reached the miniport of " + name + " with NBLs it did not indicate",
                    null,
                    0);
            return;
        }
        arrive(chain, null);
        miniport.returnNetBufferLists(chain, returnFlags);
    }

    /** Forwards a cancel to the modules at or below {@code from}; the miniport contract has no cancel handler. */
    void cancelDown(int from, long cancelId) {
        LwfModule[] stacked = modules;
        for (int i = from; i < stacked.length; i++) {
            if (stacked[i].sendHandlers) {
                stacked[i].deliverCancel(cancelId);
                return;
            }
        }
    }

    /**
     * Passes an OID request to the module at {@code from}, or to the miniport below the last one, remembering
     * {@code issuer} until the request completes: synchronously (the status returned) or later through a Complete
     * DDI, exactly once.
     */
    int oidDown(int from, OidRequest request, Object issuer) {
        LwfModule[] stacked = modules;
        Object receiver = from < stacked.length ? stacked[from] : miniport;
        PendingOid pending = new PendingOid(request, receiver);
        if (oidIssuers.putIfAbsent(pending, issuer) != null) {
            verifier.report(
                    NdisRule.OID_REQUEST_COMPLETE,
                    issuer + " passed down " + describe(request) + " while it is still pending below",
                    null,
                    0);
            return NtStatus.NDIS_STATUS_INVALID_PARAMETER;
        }
        int status =
                receiver instanceof LwfModule module ? module.deliverOidRequest(request) : miniport.oidRequest(request);
        if (status != NtStatus.NDIS_STATUS_PENDING && !oidIssuers.remove(pending, issuer)) {
            verifier.report(
                    NdisRule.OID_REQUEST_COMPLETE,
                    receiver + " returned " + NtStatus.describe(status) + " for " + describe(request)
                            + " and also completed it",
                    null,
                    0);
        }
        return status;
    }

    /**
     * A pended OID request completes: its issuer's completion handler gets it ({@code FilterOidRequestComplete} or
     * {@code ProtocolOidRequestComplete}). A second completion, or one of a request that is not pending, is
     * {@link NdisRule#OID_REQUEST_COMPLETE} and goes no further.
     */
    void oidComplete(OidRequest request, int status, Object completer, String ddi) {
        Object issuer = oidIssuers.remove(new PendingOid(request, completer));
        switch (issuer) {
            case null ->
                verifier.report(
                        NdisRule.OID_REQUEST_COMPLETE,
                        completer + ": " + ddi + " of " + describe(request)
                                + ", which is not pending (completed twice, or its status was already returned)",
                        null,
                        0);
            case LwfModule module -> module.deliverOidRequestComplete(request, status);
            default -> {
                Protocol bound = protocol;
                if (bound != null) {
                    bound.oidRequestComplete(this, request, status);
                }
            }
        }
    }

    /** Forwards an OID cancel to the module at {@code from}, or to the miniport below the last one. */
    void cancelOidDown(int from, Object requestId) {
        LwfModule[] stacked = modules;
        if (from < stacked.length) {
            stacked[from].deliverCancelOidRequest(requestId);
        } else {
            miniport.cancelOidRequest(requestId);
        }
    }

    /** Passes a status indication to the module at {@code from}, or to the protocol above the first one. */
    void statusUp(int from, StatusIndication indication) {
        LwfModule[] stacked = modules;
        if (from >= 0) {
            stacked[from].deliverStatus(indication);
            return;
        }
        Protocol bound = protocol;
        if (bound != null) {
            bound.status(this, indication);
        }
    }

    private static String describe(OidRequest request) {
        return "OID request 0x" + Integer.toHexString(request.oid()) + " (RequestId " + request.requestId() + ")";
    }

    /** Marks a chain as passed on by {@code from}; only with the verifier on. */
    void transit(NetBufferList chain, OwnerState state, Object from) {
        if (!verifier.enabled()) {
            return;
        }
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            nbl.handOff(state, from);
        }
    }

    /** Marks a chain as owned by the component whose handler NDIS is about to call; only with the verifier on. */
    void arrive(NetBufferList chain, @Nullable Object holder) {
        if (!verifier.enabled()) {
            return;
        }
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            nbl.handOff(OwnerState.OWNED, holder);
        }
    }

    /** How many NBLs of the chain carry {@code source} as their {@code SourceHandle}. */
    static int countFrom(NetBufferList chain, Object source) {
        int count = 0;
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            if (nbl.sourceHandle() == source) {
                count++;
            }
        }
        return count;
    }

    private static int completeFlagsFor(int sendFlags) {
        return (sendFlags & NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0
                ? NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                : 0;
    }

    private static int returnFlagsFor(int receiveFlags) {
        return (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0
                ? NdisFlags.NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                : 0;
    }

    @Override
    public String toString() {
        return "adapter " + name;
    }

    /**
     * The miniport block: what the miniport indicates and completes through. Its identity is the
     * {@code MiniportAdapterHandle}, which the miniport sets as {@code SourceHandle} on the NBLs it indicates.
     */
    private final class Edge implements MiniportEdge {
        @Override
        public Ndis ndis() {
            return ndis;
        }

        @Override
        public void indicateReceiveNetBufferLists(
                NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
            if (!verifier.dispatchFlagHonest(
                    (receiveFlags & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0,
                    "NdisMIndicateReceiveNetBufferLists",
                    "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL")) {
                return;
            }
            if (countFrom(chain, this) != NetBufferLists.count(chain)) {
                verifier.report(
                        NdisRule.NBL_MISROUTED,
                        "NdisMIndicateReceiveNetBufferLists on " + name
                                + ": every NBL needs SourceHandle = the MiniportAdapterHandle",
                        null,
                        0);
                return;
            }
            transit(chain, OwnerState.INDICATED, miniport);
            indicateUp(modules.length - 1, chain, portNumber, numberOfNetBufferLists, receiveFlags);
            if (NdisFlags.receiveCannotPend(receiveFlags)) {
                arrive(chain, null);
            }
        }

        @Override
        public void sendNetBufferListsComplete(NetBufferList chain, int sendCompleteFlags) {
            if (!verifier.dispatchFlagHonest(
                    (sendCompleteFlags & NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0,
                    "NdisMSendNetBufferListsComplete",
                    "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL")) {
                return;
            }
            transit(chain, OwnerState.SENT, miniport);
            completeUp(modules.length - 1, chain, sendCompleteFlags);
        }

        @Override
        public void oidRequestComplete(OidRequest request, int status) {
            oidComplete(request, status, miniport, "NdisMOidRequestComplete");
        }

        @Override
        public void indicateStatus(StatusIndication indication) {
            statusUp(modules.length - 1, indication);
        }

        @Override
        public String toString() {
            return "miniport block of " + name;
        }
    }

    /**
     * Describes an adapter: NDIS, the miniport, the filters top to bottom, the interface index and name, the receive
     * budget per service call and the pause timeout.
     */
    public static final class Builder {
        private final Ndis ndis;
        private @Nullable Miniport miniport;
        private final List<LwfAttachment> lwfs = new ArrayList<>();
        private int interfaceIndex = 1;
        private @Nullable String name;
        private int budget = 64;
        private Duration pauseTimeout = Duration.ofSeconds(10);

        private Builder(Ndis ndis) {
            this.ndis = ndis;
        }

        /** The device at the bottom. */
        public Builder miniport(Miniport device) {
            this.miniport = device;
            return this;
        }

        /** Adds a lightweight filter below the ones added before: the first one added is the top of the stack. */
        public Builder lwf(LwfAttachment attachment) {
            lwfs.add(attachment);
            return this;
        }

        /** Adds {@code driver} with its modules named {@code lwfName}, as {@link #lwf(LwfAttachment)} does. */
        public Builder lwf(String lwfName, LwfDriver driver) {
            return lwf(new LwfAttachment(lwfName, driver));
        }

        /** The interface index ({@code IfIndex}); 1 by default. */
        public Builder interfaceIndex(int index) {
            this.interfaceIndex = index;
            return this;
        }

        /** The adapter's name; the miniport's name by default. */
        public Builder name(String adapterName) {
            this.name = adapterName;
            return this;
        }

        /** How many NBLs a queue thread lets its service call indicate or complete at a time; 64 by default. */
        public Builder budget(int perService) {
            if (perService < 1) {
                throw new IllegalArgumentException("budget must be at least 1: " + perService);
            }
            this.budget = perService;
            return this;
        }

        /**
         * How long a pause waits for a PENDING filter pause (and for the protocol's outstanding NBLs) before reporting
         * NdisFilterTimedPauseComplete; 10 s by default, as in Driver Verifier.
         */
        public Builder pauseTimeout(Duration timeout) {
            this.pauseTimeout = timeout;
            return this;
        }

        /**
         * Initializes the miniport, attaches the filters ({@code FilterAttach}) and restarts the stack.
         *
         * @throws IllegalStateException if no miniport was given or a filter fails to restart
         */
        public Adapter build() {
            Miniport device = miniport;
            if (device == null) {
                throw new IllegalStateException("an adapter needs a miniport");
            }
            Adapter adapter = new Adapter(this, device);
            device.initialize(adapter.edge);
            for (int i = 0; i < adapter.modules.length; i++) {
                adapter.modules[i].attach(lwfs.get(i).driver());
            }
            FilterDrivers.of(ndis).adapterBuilt(adapter);
            int status = adapter.restart();
            if (status < 0) {
                throw new IllegalStateException(
                        "the stack of " + adapter.name + " failed to restart: " + NtStatus.describe(status));
            }
            return adapter;
        }
    }
}
