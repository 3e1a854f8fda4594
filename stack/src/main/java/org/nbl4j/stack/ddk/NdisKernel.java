package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NdisObjectHeader;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.KernelEvent;
import org.nbl4j.stack.kernel.SpinLock;
import org.nbl4j.stack.kernel.Waits;
import org.nbl4j.stack.kernel.WorkQueue;

/**
 * The kernel services of {@code ndis.h}: NDIS spin locks, events, I/O work items and timer objects, NDIS's own names
 * for what {@link Ntddk} offers with the kernel's. Kept apart from {@link NdisH}, whose subject is the buffer model and
 * the data path; the names are still {@code ndis.h}'s.
 */
public final class NdisKernel {
    private NdisKernel() {}

    // ---- spin locks ----

    /** {@code NdisAllocateSpinLock(&SpinLock)}: a new {@code NDIS_SPIN_LOCK} is usable already. */
    public static void NdisAllocateSpinLock(NDIS_SPIN_LOCK SpinLock) {
        // Nothing to do: an NDIS_SPIN_LOCK is released from construction, as a zeroed one is on Windows.
    }

    /** {@code NdisFreeSpinLock(&SpinLock)}: nothing is held for a spin lock; kept for the port's sake. */
    public static void NdisFreeSpinLock(NDIS_SPIN_LOCK SpinLock) {
        // Nothing to free: the lock is garbage once the driver's structure is.
    }

    /** {@code NdisAcquireSpinLock(&SpinLock)}: raises to DISPATCH_LEVEL, acquires, saves the old IRQL in the lock. */
    public static void NdisAcquireSpinLock(NDIS_SPIN_LOCK SpinLock) {
        Irql previous = lock(SpinLock).acquireRaisingToDispatch(SystemNdis.verifier(), "NdisAcquireSpinLock", "ndis");
        SpinLock.OldIrql = previous.level();
    }

    /** {@code NdisReleaseSpinLock(&SpinLock)}: releases and restores the IRQL saved by the acquire. */
    public static void NdisReleaseSpinLock(NDIS_SPIN_LOCK SpinLock) {
        lock(SpinLock).releaseRestoring(SystemNdis.verifier(), "NdisReleaseSpinLock", Wdm.irql(SpinLock.OldIrql));
    }

    /** {@code NdisDprAcquireSpinLock(&SpinLock)}: the caller is at DISPATCH_LEVEL. */
    public static void NdisDprAcquireSpinLock(NDIS_SPIN_LOCK SpinLock) {
        lock(SpinLock).acquireAtDispatch(SystemNdis.verifier(), "NdisDprAcquireSpinLock");
    }

    /** {@code NdisDprReleaseSpinLock(&SpinLock)}. */
    public static void NdisDprReleaseSpinLock(NDIS_SPIN_LOCK SpinLock) {
        lock(SpinLock).releaseAtDispatch(SystemNdis.verifier(), "NdisDprReleaseSpinLock");
    }

    private static SpinLock lock(NDIS_SPIN_LOCK spinLock) {
        return spinLock.SpinLock.lock;
    }

    // ---- events ----

    /** {@code NdisInitializeEvent(&Event)}: a notification event, not signalled. */
    public static void NdisInitializeEvent(NDIS_EVENT Event) {
        Event.Event.event.initialize(KernelEvent.Type.NOTIFICATION, false);
    }

    /** {@code NdisSetEvent(&Event)}. Refused above DISPATCH_LEVEL: the event is left as it was. */
    public static void NdisSetEvent(NDIS_EVENT Event) {
        if (atMostDispatch("NdisSetEvent")) {
            Event.Event.event.set();
        }
    }

    /** {@code NdisResetEvent(&Event)}. Refused above DISPATCH_LEVEL: the event is left as it was. */
    public static void NdisResetEvent(NDIS_EVENT Event) {
        if (atMostDispatch("NdisResetEvent")) {
            Event.Event.event.reset();
        }
    }

    /**
     * {@code NdisWaitEvent(&Event, MsToWait)}: waits at PASSIVE_LEVEL; {@code MsToWait} 0 waits for ever, as NDIS
     * documents.
     *
     * @return whether the event was signalled
     */
    public static boolean NdisWaitEvent(NDIS_EVENT Event, int MsToWait) {
        Long timeout = MsToWait == 0 ? null : -10_000L * Integer.toUnsignedLong(MsToWait);
        return Waits.waitFor(SystemNdis.verifier(), Event.Event.event, timeout, "NdisWaitEvent");
    }

    // ---- I/O work items ----

    /** {@code NdisAllocateIoWorkItem(NdisObjectHandle)}: {@code NULL} when refused above DISPATCH_LEVEL. */
    public static @Nullable NDIS_IO_WORKITEM NdisAllocateIoWorkItem(@Nullable Object NdisObjectHandle) {
        if (!atMostDispatch("NdisAllocateIoWorkItem")) {
            return null;
        }
        return new NDIS_IO_WORKITEM();
    }

    /** {@code NdisQueueIoWorkItem(NdisIoWorkItemHandle, Routine, WorkItemContext)}: runs at PASSIVE_LEVEL. */
    public static void NdisQueueIoWorkItem(
            NDIS_IO_WORKITEM NdisIoWorkItemHandle,
            NDIS_IO_WORKITEM_FUNCTION Routine,
            @Nullable Object WorkItemContext) {
        WorkQueue.queue(
                SystemNdis.verifier(),
                SystemNdis.boundAsCaller(() -> Routine.call(WorkItemContext, NdisIoWorkItemHandle)),
                Routine,
                "NdisQueueIoWorkItem");
    }

    /** {@code NdisFreeIoWorkItem(NdisIoWorkItemHandle)}: nothing is held for a work item; kept for the port's sake. */
    public static void NdisFreeIoWorkItem(NDIS_IO_WORKITEM NdisIoWorkItemHandle) {
        // Nothing to free: the handle is garbage once the driver drops it.
    }

    // ---- timer objects ----

    /** {@code NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS}. */
    public static final int NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS = 0x97;
    /** {@code NDIS_TIMER_CHARACTERISTICS_REVISION_1}. */
    public static final int NDIS_TIMER_CHARACTERISTICS_REVISION_1 = 1;
    /** {@code NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1}: 24 bytes on x64. */
    public static final int NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 = 24;

    /**
     * {@code NdisAllocateTimerObject(NdisHandle, &TimerCharacteristics, &pTimerObject)}.
     *
     * @return {@code NDIS_STATUS_SUCCESS}, {@code NDIS_STATUS_INVALID_PARAMETER} for a header or function missing, or
     *     {@code NDIS_STATUS_FAILURE} (and no timer) when refused above PASSIVE_LEVEL
     */
    public static int NdisAllocateTimerObject(
            @Nullable Object NdisHandle,
            NDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
            Ref<NDIS_TIMER> pTimerObject) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "NdisAllocateTimerObject", "ndis")) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        NDIS_TIMER_FUNCTION function = TimerCharacteristics.TimerFunction;
        NdisObjectHeader header = TimerCharacteristics.Header.toCore();
        if (function == null
                || header.type() != NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS
                || header.revision() < NDIS_TIMER_CHARACTERISTICS_REVISION_1
                || header.size() < NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1) {
            return NtStatus.NDIS_STATUS_INVALID_PARAMETER;
        }
        pTimerObject.set(new NDIS_TIMER(function, TimerCharacteristics.FunctionContext));
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisSetTimerObject(TimerObject, DueTime, MillisecondsPeriod, FunctionContext)}: at expiry the timer
     * function runs at DISPATCH_LEVEL as a DPC, with {@code FunctionContext} or, if that is {@code NULL}, the
     * characteristics' one.
     *
     * @return whether the timer was set already (its earlier setting is replaced)
     */
    public static boolean NdisSetTimerObject(
            NDIS_TIMER TimerObject, long DueTime, int MillisecondsPeriod, @Nullable Object FunctionContext) {
        Object context = FunctionContext != null ? FunctionContext : TimerObject.defaultContext;
        NDIS_TIMER_FUNCTION function = TimerObject.function;
        Verifier verifier = SystemNdis.verifier();
        Runnable expiry = SystemNdis.boundAsCaller(() -> function.call(null, context, null, null));
        return TimerObject.timer.set(
                DueTime,
                MillisecondsPeriod,
                () -> TimerObject.dpc.dpc.insert(verifier, expiry, "the timer routine", function));
    }

    /**
     * {@code NdisCancelTimerObject(TimerObject)}: whether the timer was set and had not expired; refused above
     * DISPATCH_LEVEL, {@code FALSE} and the timer still set.
     */
    public static boolean NdisCancelTimerObject(NDIS_TIMER TimerObject) {
        if (!atMostDispatch("NdisCancelTimerObject")) {
            return false;
        }
        return TimerObject.timer.cancel();
    }

    /**
     * {@code NdisFreeTimerObject(TimerObject)}: cancels it; the caller must not use it again. Refused above
     * PASSIVE_LEVEL: the timer stays as it was (still set, if it was).
     */
    public static void NdisFreeTimerObject(NDIS_TIMER TimerObject) {
        if (SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "NdisFreeTimerObject", "ndis")) {
            TimerObject.timer.cancel();
        }
    }

    /**
     * The rule {@code IRQL <= DISPATCH_LEVEL} that {@code ndis.h}'s pages state for the event, work item and timer
     * routines, checked by the calling thread's verifier.
     *
     * @return whether the call may go on
     */
    private static boolean atMostDispatch(String ddi) {
        return SystemNdis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, ddi, "ndis");
    }
}
