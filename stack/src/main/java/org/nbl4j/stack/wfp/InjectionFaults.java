package org.nbl4j.stack.wfp;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The fault switches of §8.5, for testing callout flows: an IP stack that is not ready, allocation and clone
 * failures, a forced completion status, and completions delivered on another thread. All off by default; they may be
 * flipped at any time from any thread.
 */
public final class InjectionFaults implements AutoCloseable {
    /** How completions reach the injector's {@code completionFn}. */
    public enum Delivery {
        /** On the thread on which the IP path completes the NBL (inside the inject call if it completes at once). */
        AS_THE_PATH_COMPLETES,
        /** Always later, on a separate completion thread at PASSIVE_LEVEL. */
        ANOTHER_THREAD
    }

    private volatile boolean tcpipNotReady;
    private volatile boolean lowResourcesOnAllocate;
    private volatile boolean lowResourcesOnClone;
    private volatile boolean completionStatusForced;
    private volatile int forcedCompletionStatus;
    private volatile Delivery delivery = Delivery.AS_THE_PATH_COMPLETES;
    private @Nullable ExecutorService completionThread;

    /** Handle creation, injection and fragment-group reassembly return STATUS_FWP_TCPIP_NOT_READY (0xC0220100). */
    public void setTcpipNotReady(boolean on) {
        tcpipNotReady = on;
    }

    /** {@code FwpsAllocateNetBufferAndNetBufferList0} fails with STATUS_INSUFFICIENT_RESOURCES. */
    public void setLowResourcesOnAllocate(boolean on) {
        lowResourcesOnAllocate = on;
    }

    /** The clone and deep-clone functions fail with STATUS_INSUFFICIENT_RESOURCES. */
    public void setLowResourcesOnClone(boolean on) {
        lowResourcesOnClone = on;
    }

    /**
     * Every completion reports {@code status} in the NBL's Status, e.g. STATUS_INVALID_BUFFER_SIZE (MTU exceeded) or
     * STATUS_INVALID_PARAMETER (forward injection of a weak-host packet).
     */
    public void forceCompletionStatus(int status) {
        forcedCompletionStatus = status;
        completionStatusForced = true;
    }

    /** How completions are delivered. */
    public void setDelivery(Delivery delivery) {
        this.delivery = delivery;
    }

    boolean tcpipNotReady() {
        return tcpipNotReady;
    }

    boolean lowResourcesOnAllocate() {
        return lowResourcesOnAllocate;
    }

    boolean lowResourcesOnClone() {
        return lowResourcesOnClone;
    }

    /** The status to report instead of {@code pathStatus}. */
    int completionStatus(int pathStatus) {
        return completionStatusForced ? forcedCompletionStatus : pathStatus;
    }

    boolean deliverOnAnotherThread() {
        return delivery == Delivery.ANOTHER_THREAD;
    }

    /** Runs a completion on the completion thread, started on first use. */
    synchronized void deliverLater(Runnable completion) {
        ExecutorService thread = completionThread;
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("wfp-completion").daemon(true).factory());
            completionThread = thread;
        }
        thread.execute(completion);
    }

    /** Stops the completion thread after the completions already queued have run. */
    @Override
    public synchronized void close() {
        ExecutorService thread = completionThread;
        if (thread == null) {
            return;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completionThread = null;
    }
}
