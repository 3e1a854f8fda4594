package org.nbl4j.stack.kernel;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;

/**
 * A deferred procedure call ({@code KDPC}): a routine queued once at a time and run at DISPATCH_LEVEL, in the order
 * queued. A timer's expiry queues its DPC the same way. The spin locks the routine leaves held are reported
 * ({@link HeldSpinLocks}).
 *
 * <p>Windows queues a DPC on the processor that calls {@code KeInsertQueueDpc} and runs it there once that processor's
 * IRQL drops below DISPATCH_LEVEL ("Organization of DPC Queues", WDK): queued from a receive DPC, it runs right after
 * that DPC, on the same processor. nbl4j's processors are the threads that service adapter queues: a DPC queued while
 * such a thread is inside a service ({@link #enterProcessor}) runs on it when the service returns, so a driver that
 * defers work per packet to a DPC gets it run once per receive indication, as on Windows. A DPC queued anywhere else
 * (a passive thread, a timer) runs on nbl4j's DPC thread.
 */
public final class Dpc {
    private static final ExecutorService DPC_THREAD = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("nbl4j-dpc").daemon().factory());

    /**
     * The calling thread's processor queue, made the first time it services an adapter queue and kept (setting and
     * removing a thread-local per service would allocate per service).
     */
    private static final ThreadLocal<@Nullable Processor> CURRENT_PROCESSOR = new ThreadLocal<>();
    /**
     * Every processor queue, for {@link #flush}. Kept for the life of the process: a queue is empty whenever its thread
     * is outside a service, and weighs about a hundred bytes per thread that ever serviced an adapter queue.
     */
    private static final Set<Processor> PROCESSORS = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean queued = new AtomicBoolean();

    /*
     * What the queued DPC runs. A DPC is queued at most once at a time ({@link #claim}), so the inserting thread stores
     * them here between the claim and the queueing, and the run reads them before it gives the claim up: queueing then
     * hands over only the runnables made once below, and allocates nothing.
     */
    private @Nullable Verifier verifier;

    private @Nullable Runnable routine;
    private String handler = "";
    private @Nullable Object owner;

    /** Runs the routine: what {@link #runAtDispatch} runs at DISPATCH_LEVEL. */
    private final Runnable runRoutine = this::runQueued;
    /** Runs the DPC at DISPATCH_LEVEL: what a processor queue holds. */
    private final Runnable runAtDispatch = () -> Irql.runAt(Irql.DISPATCH_LEVEL, runRoutine);
    /** The same on nbl4j's DPC thread, which reports an exception the routine lets out and goes on. */
    private final Runnable runOnDpcThread = this::runReporting;

    /**
     * Queues {@code routine} unless this DPC is queued already (a timer's expiry; {@code KeInsertQueueDpc} uses
     * {@link #claim} and {@link #queueClaimed} to store its arguments in between).
     *
     * @param handler what the routine is, as a report names it: "the DPC routine", "the timer routine"
     * @param owner the driver's routine, as a report names it
     */
    public void insert(Verifier verifier, Runnable routine, String handler, Object owner) {
        if (claim()) {
            queueClaimed(verifier, routine, handler, owner);
        }
    }

    /**
     * The first half of {@link #insert}: marks the DPC queued, unless it is already ({@code false}, and nothing else
     * happens). After {@code true} the caller sets what the routine will read and calls {@link #queueClaimed}; an insert
     * of a DPC that is queued already thus allocates nothing.
     */
    public boolean claim() {
        // Read first: a driver that queues its DPC per packet finds it queued for all but the first, and a failed
        // compare-and-set is still a locked instruction that takes the line exclusive.
        return !queued.get() && queued.compareAndSet(false, true);
    }

    /**
     * The second half of {@link #insert}, after {@link #claim} returned {@code true}. On nbl4j's DPC thread an
     * exception the routine lets out is reported ({@link DriverExceptions}) and the thread goes on to the next DPC; on a
     * processor queue it reaches the service that drained the queue, which reports it as its own.
     */
    public void queueClaimed(Verifier verifier, Runnable routine, String handler, Object owner) {
        this.verifier = verifier;
        this.routine = routine;
        this.handler = handler;
        this.owner = owner;
        Processor processor = CURRENT_PROCESSOR.get();
        if (processor != null && processor.inService) {
            processor.add(runAtDispatch);
        } else {
            DPC_THREAD.execute(runOnDpcThread);
        }
    }

    private void runReporting() {
        // Read before the run gives the claim up: a new insert may store another DPC's after that.
        Verifier reportTo = Objects.requireNonNull(verifier);
        String kind = handler;
        Object of = owner;
        try {
            runAtDispatch.run();
        } catch (RuntimeException thrown) {
            DriverExceptions.report(reportTo, thrown, kind + " of " + of);
        }
    }

    /** Runs the routine at DISPATCH_LEVEL; the claim is given up first, so the routine may queue its DPC again. */
    private void runQueued() {
        Verifier reportTo = Objects.requireNonNull(verifier);
        Runnable work = Objects.requireNonNull(routine);
        String kind = handler;
        Object of = Objects.requireNonNull(owner);
        queued.set(false);
        int mark = HeldSpinLocks.mark(reportTo);
        work.run();
        HeldSpinLocks.afterHandler(reportTo, mark, kind, of);
    }

    /**
     * The calling thread starts one service of an adapter queue, a processor's DPC: the DPCs queued until
     * {@link #leaveProcessor} run on this thread then. Pass the result to {@link #leaveProcessor}, in a
     * {@code finally}.
     *
     * @return the processor entered, or {@code null} inside a service already (the outer one runs the queue)
     */
    public static @Nullable Processor enterProcessor() {
        Processor processor = CURRENT_PROCESSOR.get();
        if (processor == null) {
            processor = new Processor();
            PROCESSORS.add(processor);
            CURRENT_PROCESSOR.set(processor);
        } else if (processor.inService) {
            return null;
        }
        processor.inService = true;
        return processor;
    }

    /** Ends the service {@link #enterProcessor} started: runs the DPCs queued meanwhile, in the order queued. */
    public static void leaveProcessor(@Nullable Processor entered) {
        if (entered != null) {
            try {
                entered.drain();
            } finally {
                entered.inService = false;
            }
        }
    }

    /**
     * {@code KeFlushQueuedDpcs}: returns when every DPC queued before the call has run, on every processor. Refused
     * above PASSIVE_LEVEL, as documented; on the DPC thread itself it would wait for ever.
     */
    public static void flush(Verifier verifier) {
        if (!verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "KeFlushQueuedDpcs", "wdm")) {
            return;
        }
        for (Processor processor : PROCESSORS) {
            processor.awaitRun(processor.queuedSoFar());
        }
        try {
            DPC_THREAD.submit(() -> {}).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed", e);
        }
    }

    /**
     * One processor's DPC queue (a thread that services adapter queues): filled and drained by its own thread only,
     * counted for {@link #flush}.
     */
    public static final class Processor {
        private final ArrayDeque<Runnable> routines = new ArrayDeque<>();
        /** Whether the owning thread is inside a service: only then is a DPC it queues kept here. */
        private boolean inService;
        /** DPCs queued and run so far; written by the owning thread only. */
        private volatile long queued;

        private volatile long ran;

        void add(Runnable routine) {
            routines.addLast(routine);
            queued = queued + 1;
        }

        /** Runs every queued DPC; one that throws does not keep the others from running, and is rethrown after. */
        void drain() {
            RuntimeException failure = null;
            Runnable routine;
            while ((routine = routines.pollFirst()) != null) {
                try {
                    routine.run();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                } finally {
                    ran = ran + 1;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        long queuedSoFar() {
            return queued;
        }

        /** Waits until {@code count} DPCs have run here: the owner runs them when its current service returns. */
        void awaitRun(long count) {
            while (ran < count) {
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
