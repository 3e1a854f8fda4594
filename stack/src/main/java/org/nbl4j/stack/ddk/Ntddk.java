package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.kernel.DispatcherObject;
import org.nbl4j.stack.kernel.ExecutivePool;
import org.nbl4j.stack.kernel.KernelEvent;
import org.nbl4j.stack.kernel.SpinLock;
import org.nbl4j.stack.kernel.SystemThread;
import org.nbl4j.stack.kernel.Waits;
import org.nbl4j.stack.kernel.WorkQueue;

/**
 * The kernel routines of {@code wdm.h}/{@code ntddk.h} a network driver calls besides {@link Wdm}'s IRQL and MDL
 * basics: spin locks, events and waits, system threads and their objects, DPCs, timers, work items, the executive
 * pool, {@code LIST_ENTRY} and its macros, and the {@code Rtl} helpers. The behaviour is in
 * {@code org.nbl4j.stack.kernel}; this class translates.
 *
 * <p>Kernel timeouts ({@code PLARGE_INTEGER}) are a {@code Long} holding {@code QuadPart} (100 ns units, negative
 * relative, positive an absolute system time, zero a test) or {@code null} for none. The verifier that reports a broken
 * rule is the calling thread's {@link SystemNdis} one (a standard one of its own on an unbound thread). Routines the
 * kernel calls back (DPCs, work items, start routines) run bound to the NDIS instance of the thread that queued them.
 */
public final class Ntddk {
    private Ntddk() {}

    // ---- spin locks ----

    /** {@code KeInitializeSpinLock}: a new {@code KSPIN_LOCK} is released already; kept for the port's sake. */
    public static void KeInitializeSpinLock(KSPIN_LOCK SpinLock) {
        // Nothing to do: a KSPIN_LOCK is released from construction, as a zeroed one is on Windows.
    }

    /** {@code KeAcquireSpinLock(SpinLock, &OldIrql)}: raises to DISPATCH_LEVEL and acquires. */
    public static void KeAcquireSpinLock(KSPIN_LOCK SpinLock, Ref<Integer> OldIrql) {
        OldIrql.set(SpinLock.lock
                .acquireRaisingToDispatch(SystemNdis.verifier(), "KeAcquireSpinLock", "wdm")
                .level());
    }

    /** {@code KeAcquireSpinLockRaiseToDpc(SpinLock)}: returns the IRQL to restore. */
    public static int KeAcquireSpinLockRaiseToDpc(KSPIN_LOCK SpinLock) {
        return SpinLock.lock
                .acquireRaisingToDispatch(SystemNdis.verifier(), "KeAcquireSpinLockRaiseToDpc", "wdm")
                .level();
    }

    /** {@code KeReleaseSpinLock(SpinLock, NewIrql)}: releases at DISPATCH_LEVEL and lowers to {@code NewIrql}. */
    public static void KeReleaseSpinLock(KSPIN_LOCK SpinLock, int NewIrql) {
        SpinLock.lock.releaseRestoring(SystemNdis.verifier(), "KeReleaseSpinLock", Wdm.irql(NewIrql));
    }

    /** {@code KeAcquireSpinLockAtDpcLevel(SpinLock)}: the caller is at DISPATCH_LEVEL. */
    public static void KeAcquireSpinLockAtDpcLevel(KSPIN_LOCK SpinLock) {
        SpinLock.lock.acquireAtDispatch(SystemNdis.verifier(), "KeAcquireSpinLockAtDpcLevel");
    }

    /** {@code KeReleaseSpinLockFromDpcLevel(SpinLock)}. */
    public static void KeReleaseSpinLockFromDpcLevel(KSPIN_LOCK SpinLock) {
        SpinLock.lock.releaseAtDispatch(SystemNdis.verifier(), "KeReleaseSpinLockFromDpcLevel");
    }

    /** {@code KeAcquireInStackQueuedSpinLock(SpinLock, &LockHandle)}: raises to DISPATCH_LEVEL and acquires. */
    public static void KeAcquireInStackQueuedSpinLock(KSPIN_LOCK SpinLock, KLOCK_QUEUE_HANDLE LockHandle) {
        LockHandle.OldIrql = SpinLock.lock
                .acquireRaisingToDispatch(SystemNdis.verifier(), "KeAcquireInStackQueuedSpinLock", "wdm")
                .level();
        LockHandle.lock = SpinLock;
    }

    /** {@code KeReleaseInStackQueuedSpinLock(&LockHandle)}: releases and restores the handle's IRQL. */
    public static void KeReleaseInStackQueuedSpinLock(KLOCK_QUEUE_HANDLE LockHandle) {
        queuedLock(LockHandle)
                .releaseRestoring(
                        SystemNdis.verifier(), "KeReleaseInStackQueuedSpinLock", Wdm.irql(LockHandle.OldIrql));
    }

    /** {@code KeAcquireInStackQueuedSpinLockAtDpcLevel(SpinLock, &LockHandle)}. */
    public static void KeAcquireInStackQueuedSpinLockAtDpcLevel(KSPIN_LOCK SpinLock, KLOCK_QUEUE_HANDLE LockHandle) {
        SpinLock.lock.acquireAtDispatch(SystemNdis.verifier(), "KeAcquireInStackQueuedSpinLockAtDpcLevel");
        LockHandle.OldIrql = DISPATCH;
        LockHandle.lock = SpinLock;
    }

    /** {@code KeReleaseInStackQueuedSpinLockFromDpcLevel(&LockHandle)}. */
    public static void KeReleaseInStackQueuedSpinLockFromDpcLevel(KLOCK_QUEUE_HANDLE LockHandle) {
        queuedLock(LockHandle).releaseAtDispatch(SystemNdis.verifier(), "KeReleaseInStackQueuedSpinLockFromDpcLevel");
    }

    private static final int DISPATCH = Irql.DISPATCH_LEVEL.level();

    private static SpinLock queuedLock(KLOCK_QUEUE_HANDLE lockHandle) {
        KSPIN_LOCK lock = lockHandle.lock;
        if (lock == null) {
            throw new IllegalArgumentException("a KLOCK_QUEUE_HANDLE no KeAcquireInStackQueuedSpinLock filled in");
        }
        return lock.lock;
    }

    // ---- events and waits ----

    /** {@code EVENT_TYPE} {@code NotificationEvent}. */
    public static final int NotificationEvent = 0;
    /** {@code SynchronizationEvent}. */
    public static final int SynchronizationEvent = 1;
    /** {@code TIMER_TYPE} {@code NotificationTimer}. */
    public static final int NotificationTimer = 0;
    /** {@code SynchronizationTimer}. */
    public static final int SynchronizationTimer = 1;
    /** {@code KPRIORITY} increment {@code IO_NO_INCREMENT}: accepted, nbl4j has no thread priorities. */
    public static final int IO_NO_INCREMENT = 0;
    /** {@code KWAIT_REASON} {@code Executive}: accepted and unused. */
    public static final int Executive = 0;
    /** {@code KPROCESSOR_MODE} {@code KernelMode}. */
    public static final int KernelMode = 0;
    /** {@code UserMode}. */
    public static final int UserMode = 1;
    /** {@code STATUS_TIMEOUT}: a wait's time ran out. */
    public static final int STATUS_TIMEOUT = NtStatus.STATUS_TIMEOUT;
    /** {@code STATUS_ALERTED}: nbl4j returns it when the waiting Java thread is interrupted. */
    public static final int STATUS_ALERTED = NtStatus.STATUS_ALERTED;

    /** {@code KeInitializeEvent(Event, Type, State)}. */
    public static void KeInitializeEvent(KEVENT Event, int Type, boolean State) {
        Event.event.initialize(eventType(Type), State);
    }

    /**
     * {@code KeSetEvent(Event, Increment, Wait)}: returns the previous state (non-zero if it was signalled). Refused
     * above DISPATCH_LEVEL: the event is left as it was and 0 is returned.
     */
    public static int KeSetEvent(KEVENT Event, int Increment, boolean Wait) {
        if (!atMostDispatch("KeSetEvent")) {
            return 0;
        }
        return Event.event.set() ? 1 : 0;
    }

    /** {@code KeClearEvent(Event)}. Refused above DISPATCH_LEVEL: the event is left as it was. */
    public static void KeClearEvent(KEVENT Event) {
        if (atMostDispatch("KeClearEvent")) {
            Event.event.reset();
        }
    }

    /** {@code KeResetEvent(Event)}: returns the previous state; refused above DISPATCH_LEVEL, 0 and no reset. */
    public static int KeResetEvent(KEVENT Event) {
        if (!atMostDispatch("KeResetEvent")) {
            return 0;
        }
        return Event.event.reset() ? 1 : 0;
    }

    /** {@code KeReadStateEvent(Event)}; refused above DISPATCH_LEVEL, 0 (not signalled). */
    public static int KeReadStateEvent(KEVENT Event) {
        if (!atMostDispatch("KeReadStateEvent")) {
            return 0;
        }
        return Event.event.isSignaled() ? 1 : 0;
    }

    /**
     * {@code KeWaitForSingleObject(Object, WaitReason, WaitMode, Alertable, Timeout)} on a {@link KEVENT}, a
     * {@link KTIMER} or a thread object ({@link PETHREAD}).
     *
     * @param Timeout {@code QuadPart} of the timeout, or {@code null} to wait for ever
     * @return {@code STATUS_SUCCESS}, {@code STATUS_TIMEOUT}, or {@code STATUS_ALERTED} if the Java thread was
     *     interrupted
     */
    public static int KeWaitForSingleObject(
            Object Object, int WaitReason, int WaitMode, boolean Alertable, @Nullable Long Timeout) {
        DispatcherObject waitable = switch (Object) {
            case KEVENT event -> event.event;
            case KTIMER timer -> timer.timer;
            case PETHREAD thread -> thread.thread;
            default -> throw new IllegalArgumentException("not a dispatcher object nbl4j has: " + Object);
        };
        if (Waits.waitFor(SystemNdis.verifier(), waitable, Timeout, "KeWaitForSingleObject")) {
            return NtStatus.STATUS_SUCCESS;
        }
        return Thread.currentThread().isInterrupted() ? STATUS_ALERTED : STATUS_TIMEOUT;
    }

    /** {@code KeDelayExecutionThread(WaitMode, Alertable, &Interval)}. */
    public static int KeDelayExecutionThread(int WaitMode, boolean Alertable, long Interval) {
        Waits.delay(SystemNdis.verifier(), Interval, "KeDelayExecutionThread");
        return NtStatus.STATUS_SUCCESS;
    }

    static KernelEvent.Type eventType(int type) {
        return switch (type) {
            case NotificationEvent -> KernelEvent.Type.NOTIFICATION;
            case SynchronizationEvent -> KernelEvent.Type.SYNCHRONIZATION;
            default -> throw new IllegalArgumentException("EVENT_TYPE is 0 or 1, not " + type);
        };
    }

    // ---- system threads and objects ----

    /** {@code THREAD_ALL_ACCESS}. */
    public static final int THREAD_ALL_ACCESS = 0x001F_FFFF;
    /** {@code SYNCHRONIZE}. */
    public static final int SYNCHRONIZE = 0x0010_0000;
    /** {@code OBJ_KERNEL_HANDLE}. */
    public static final int OBJ_KERNEL_HANDLE = 0x200;
    /** {@code *PsThreadType}: the object type {@code ObReferenceObjectByHandle} checks a thread handle against. */
    public static final String PsThreadType = "Thread";

    /**
     * {@code PsCreateSystemThread(&ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
     * StartRoutine, StartContext)}: starts a thread that runs {@code StartRoutine} at PASSIVE_LEVEL.
     */
    public static int PsCreateSystemThread(
            Ref<HANDLE> ThreadHandle,
            int DesiredAccess,
            @Nullable Object ObjectAttributes,
            @Nullable Object ProcessHandle,
            @Nullable Object ClientId,
            KSTART_ROUTINE StartRoutine,
            @Nullable Object StartContext) {
        SystemThread thread = SystemThread.start(
                SystemNdis.verifier(), SystemNdis.boundAsCaller(() -> StartRoutine.call(StartContext)));
        if (thread == null) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        ThreadHandle.set(new HANDLE(thread));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code PsTerminateSystemThread(ExitStatus)}: ends the calling system thread. It does not return: port
     * {@code PsTerminateSystemThread(s);} as is, or as {@code return PsTerminateSystemThread(s);} where the compiler
     * wants a return.
     */
    public static int PsTerminateSystemThread(int ExitStatus) {
        throw SystemThread.terminate(ExitStatus);
    }

    /**
     * {@code ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, &Object, HandleInformation)}
     * for a thread handle: the thread object, referenced until {@code ObDereferenceObject}.
     */
    public static int ObReferenceObjectByHandle(
            HANDLE Handle,
            int DesiredAccess,
            @Nullable Object ObjectType,
            int AccessMode,
            Ref<PETHREAD> Object,
            @Nullable Object HandleInformation) {
        if (!passiveOnly("ObReferenceObjectByHandle")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        SystemThread thread = Handle.thread();
        if (thread == null) {
            return NtStatus.STATUS_INVALID_HANDLE;
        }
        if (ObjectType != null && !PsThreadType.equals(ObjectType)) {
            return NtStatus.STATUS_OBJECT_TYPE_MISMATCH;
        }
        thread.reference();
        Object.set(new PETHREAD(thread));
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code ObDereferenceObject(Object)} of a thread object. */
    public static void ObDereferenceObject(PETHREAD Object) {
        Object.thread.dereference();
    }

    /**
     * {@code ZwClose(Handle)}: closes a thread handle (the thread runs on). Refused above PASSIVE_LEVEL with
     * {@code STATUS_INVALID_DEVICE_STATE}, the handle still open.
     */
    public static int ZwClose(HANDLE Handle) {
        if (!passiveOnly("ZwClose")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        SystemThread thread = Handle.thread();
        if (thread == null) {
            return NtStatus.STATUS_INVALID_HANDLE;
        }
        Handle.close();
        thread.dereference();
        return NtStatus.STATUS_SUCCESS;
    }

    // ---- DPCs and timers ----

    /** {@code KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext)}. */
    public static void KeInitializeDpc(KDPC Dpc, KDEFERRED_ROUTINE DeferredRoutine, @Nullable Object DeferredContext) {
        Dpc.DeferredRoutine = DeferredRoutine;
        Dpc.DeferredContext = DeferredContext;
    }

    /**
     * {@code KeInsertQueueDpc(Dpc, SystemArgument1, SystemArgument2)}: queues the DPC to run at DISPATCH_LEVEL.
     *
     * @return {@code FALSE} if it was queued already
     */
    public static boolean KeInsertQueueDpc(
            KDPC Dpc, @Nullable Object SystemArgument1, @Nullable Object SystemArgument2) {
        KDEFERRED_ROUTINE routine = deferredRoutine(Dpc, "KeInsertQueueDpc");
        if (!Dpc.dpc.claim()) {
            return false;
        }
        Dpc.SystemArgument1 = SystemArgument1;
        Dpc.SystemArgument2 = SystemArgument2;
        Dpc.insertedBy = SystemNdis.boundOrNull();
        Dpc.dpc.queueClaimed(SystemNdis.verifier(), Dpc.run, "the DPC routine", routine);
        return true;
    }

    /** The routine {@code KeInitializeDpc} gave {@code Dpc}; a KDPC it never set up is the caller's bug. */
    private static KDEFERRED_ROUTINE deferredRoutine(KDPC Dpc, String ddi) {
        KDEFERRED_ROUTINE routine = Dpc.DeferredRoutine;
        if (routine == null) {
            throw new IllegalArgumentException(ddi + " with a KDPC no KeInitializeDpc set up");
        }
        return routine;
    }

    /** {@code KeFlushQueuedDpcs()}: returns when every DPC queued so far has run. */
    public static void KeFlushQueuedDpcs() {
        org.nbl4j.stack.kernel.Dpc.flush(SystemNdis.verifier());
    }

    /** {@code KeInitializeTimer(Timer)}: a notification timer. Refused above DISPATCH_LEVEL: the timer is untouched. */
    public static void KeInitializeTimer(KTIMER Timer) {
        if (atMostDispatch("KeInitializeTimer")) {
            Timer.timer.initialize(KernelEvent.Type.NOTIFICATION);
        }
    }

    /** {@code KeInitializeTimerEx(Timer, Type)}. Refused above DISPATCH_LEVEL: the timer is untouched. */
    public static void KeInitializeTimerEx(KTIMER Timer, int Type) {
        if (atMostDispatch("KeInitializeTimerEx")) {
            Timer.timer.initialize(eventType(Type));
        }
    }

    /**
     * {@code KeSetTimer(Timer, DueTime, Dpc)}: sets the timer; at expiry it is signalled and {@code Dpc} (if any) is
     * queued.
     *
     * @return whether the timer was set already; {@code FALSE}, and the timer untouched, when refused above
     *     DISPATCH_LEVEL
     */
    public static boolean KeSetTimer(KTIMER Timer, long DueTime, @Nullable KDPC Dpc) {
        // Checked under its own name, so that the report names the DDI the driver called.
        if (!atMostDispatch("KeSetTimer")) {
            return false;
        }
        return KeSetTimerEx(Timer, DueTime, 0, Dpc);
    }

    /**
     * {@code KeSetTimerEx(Timer, DueTime, Period, Dpc)}: {@code Period} in milliseconds, 0 for one shot. The DPC is
     * queued bound to the caller's NDIS instance (the timer's thread is shared), so it runs, and reports, there.
     *
     * @return as {@link #KeSetTimer}
     * @throws IllegalArgumentException for a {@code Dpc} no {@code KeInitializeDpc} set up, as {@code KeInsertQueueDpc}
     *     would throw at the expiry, where the timer's thread would swallow it and a periodic timer stop silently
     */
    public static boolean KeSetTimerEx(KTIMER Timer, long DueTime, int Period, @Nullable KDPC Dpc) {
        if (!atMostDispatch("KeSetTimerEx")) {
            return false;
        }
        if (Dpc != null) {
            deferredRoutine(Dpc, "KeSetTimerEx");
        }
        return Timer.timer.set(
                DueTime,
                Period,
                Dpc == null ? null : SystemNdis.boundAsCaller(() -> KeInsertQueueDpc(Dpc, null, null)));
    }

    /**
     * {@code KeCancelTimer(Timer)}: whether the timer was set and had not expired; refused above DISPATCH_LEVEL,
     * {@code FALSE} and the timer still set.
     */
    public static boolean KeCancelTimer(KTIMER Timer) {
        if (!atMostDispatch("KeCancelTimer")) {
            return false;
        }
        return Timer.timer.cancel();
    }

    /** {@code KeReadStateTimer(Timer)}. */
    public static boolean KeReadStateTimer(KTIMER Timer) {
        return Timer.timer.isSignaled();
    }

    // ---- work items ----

    /** {@code WORK_QUEUE_TYPE} {@code CriticalWorkQueue}: the same workers as the delayed queue here. */
    public static final int CriticalWorkQueue = 0;
    /** {@code DelayedWorkQueue}. */
    public static final int DelayedWorkQueue = 1;

    /** {@code IoAllocateWorkItem(DeviceObject)}: {@code NULL} when refused above DISPATCH_LEVEL. */
    public static @Nullable IO_WORKITEM IoAllocateWorkItem(DEVICE_OBJECT DeviceObject) {
        if (!atMostDispatch("IoAllocateWorkItem")) {
            return null;
        }
        return new IO_WORKITEM(DeviceObject);
    }

    /** {@code IoQueueWorkItem(IoWorkItem, WorkerRoutine, QueueType, Context)}: runs at PASSIVE_LEVEL. */
    public static void IoQueueWorkItem(
            IO_WORKITEM IoWorkItem, IO_WORKITEM_ROUTINE WorkerRoutine, int QueueType, @Nullable Object Context) {
        WorkQueue.queue(
                SystemNdis.verifier(),
                SystemNdis.boundAsCaller(() -> WorkerRoutine.call(IoWorkItem.device, Context)),
                WorkerRoutine,
                "IoQueueWorkItem");
    }

    /** {@code IoFreeWorkItem(IoWorkItem)}: nothing is held for a work item; kept for the port's sake. */
    public static void IoFreeWorkItem(IO_WORKITEM IoWorkItem) {
        // Nothing to free: the IO_WORKITEM is garbage once the driver drops it.
    }

    /**
     * The rule {@code IRQL <= DISPATCH_LEVEL} that {@code wdm.h}'s pages state for the event, timer and work item
     * routines, checked by the calling thread's verifier (the kernel objects behind them belong to no one {@code Ndis}).
     *
     * @return whether the call may go on
     */
    private static boolean atMostDispatch(String ddi) {
        return SystemNdis.verifier().irqlAtMost(Irql.DISPATCH_LEVEL, ddi, "wdm");
    }

    /** The rule {@code IRQL == PASSIVE_LEVEL} of the object manager and {@code Zw} routines, as {@link #atMostDispatch}. */
    private static boolean passiveOnly(String ddi) {
        return SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, ddi, "wdm");
    }

    // ---- executive pool ----

    /** {@code POOL_FLAG_USE_QUOTA}: accepted, no quota is charged. */
    public static final long POOL_FLAG_USE_QUOTA = 0x1L;
    /** {@code POOL_FLAG_UNINITIALIZED}: the memory is not zeroed. */
    public static final long POOL_FLAG_UNINITIALIZED = ExecutivePool.POOL_FLAG_UNINITIALIZED;
    /** {@code POOL_FLAG_CACHE_ALIGNED}: pool blocks are 16-byte aligned whatever is asked. */
    public static final long POOL_FLAG_CACHE_ALIGNED = 0x8L;
    /** {@code POOL_FLAG_RAISE_ON_FAILURE}: accepted; nbl4j's allocations fail only for a size of 0. */
    public static final long POOL_FLAG_RAISE_ON_FAILURE = 0x20L;
    /** {@code POOL_FLAG_NON_PAGED}. */
    public static final long POOL_FLAG_NON_PAGED = 0x40L;
    /** {@code POOL_FLAG_NON_PAGED_EXECUTE}. */
    public static final long POOL_FLAG_NON_PAGED_EXECUTE = 0x80L;
    /** {@code POOL_FLAG_PAGED}: IRQL &lt;= APC_LEVEL. */
    public static final long POOL_FLAG_PAGED = ExecutivePool.POOL_FLAG_PAGED;

    /**
     * {@code ExAllocatePool2(Flags, NumberOfBytes, Tag)}: tagged memory of the thread's NDIS instance, counted in the
     * same poolmon view as NDIS's, zeroed unless {@code POOL_FLAG_UNINITIALIZED}.
     *
     * @return the block, or {@code NULL}
     */
    public static @Nullable MemoryBlock ExAllocatePool2(long Flags, long NumberOfBytes, int Tag) {
        return ExecutivePool.allocate(SystemNdis.current(), Flags, NumberOfBytes, Tag);
    }

    /** {@code ExFreePoolWithTag(P, Tag)}: the tag is the one the block was allocated with, as on Windows. */
    public static void ExFreePoolWithTag(MemoryBlock P, int Tag) {
        ExecutivePool.free(SystemNdis.current(), P);
    }

    // ---- LIST_ENTRY ----

    /** {@code InitializeListHead(ListHead)}: an empty list, the head linked to itself. */
    public static void InitializeListHead(LIST_ENTRY ListHead) {
        ListHead.Flink = ListHead;
        ListHead.Blink = ListHead;
    }

    /** {@code IsListEmpty(ListHead)}. */
    public static boolean IsListEmpty(LIST_ENTRY ListHead) {
        return next(ListHead) == ListHead;
    }

    /** {@code InsertHeadList(ListHead, Entry)}. */
    public static void InsertHeadList(LIST_ENTRY ListHead, LIST_ENTRY Entry) {
        LIST_ENTRY first = next(ListHead);
        Entry.Flink = first;
        Entry.Blink = ListHead;
        first.Blink = Entry;
        ListHead.Flink = Entry;
    }

    /** {@code InsertTailList(ListHead, Entry)}. */
    public static void InsertTailList(LIST_ENTRY ListHead, LIST_ENTRY Entry) {
        LIST_ENTRY last = previous(ListHead);
        Entry.Flink = ListHead;
        Entry.Blink = last;
        last.Flink = Entry;
        ListHead.Blink = Entry;
    }

    /** {@code RemoveEntryList(Entry)}: unlinks it; returns whether the list is empty now. */
    public static boolean RemoveEntryList(LIST_ENTRY Entry) {
        LIST_ENTRY following = next(Entry);
        LIST_ENTRY preceding = previous(Entry);
        preceding.Flink = following;
        following.Blink = preceding;
        return following == preceding;
    }

    /** {@code RemoveHeadList(ListHead)}: unlinks and returns the first entry (the head itself if the list is empty). */
    public static LIST_ENTRY RemoveHeadList(LIST_ENTRY ListHead) {
        LIST_ENTRY first = next(ListHead);
        RemoveEntryList(first);
        return first;
    }

    /** {@code RemoveTailList(ListHead)}: unlinks and returns the last entry. */
    public static LIST_ENTRY RemoveTailList(LIST_ENTRY ListHead) {
        LIST_ENTRY last = previous(ListHead);
        RemoveEntryList(last);
        return last;
    }

    /**
     * {@code CONTAINING_RECORD(Address, Type, Field)}: the record an entry is embedded in, for an entry made with
     * {@code new LIST_ENTRY(this)} (see {@link LIST_ENTRY}). The field name has no use in Java and is dropped:
     * {@code CONTAINING_RECORD(entry, FILTER_MODULE, Link)} ports as {@code CONTAINING_RECORD(entry,
     * FILTER_MODULE.class)}.
     *
     * @throws IllegalArgumentException if the entry belongs to no record (a list head, or made without its record)
     * @throws ClassCastException if the record is not a {@code Type}
     */
    public static <T> T CONTAINING_RECORD(LIST_ENTRY Address, Class<T> Type) {
        Object record = Address.record();
        if (record == null) {
            throw new IllegalArgumentException("CONTAINING_RECORD of an entry made without its record (a list head?):"
                    + " embed it as new LIST_ENTRY(this)");
        }
        return Type.cast(record);
    }

    private static LIST_ENTRY next(LIST_ENTRY entry) {
        LIST_ENTRY next = entry.Flink;
        if (next == null) {
            throw new IllegalStateException("a LIST_ENTRY with a NULL Flink: InitializeListHead was not called");
        }
        return next;
    }

    private static LIST_ENTRY previous(LIST_ENTRY entry) {
        LIST_ENTRY previous = entry.Blink;
        if (previous == null) {
            throw new IllegalStateException("a LIST_ENTRY with a NULL Blink: InitializeListHead was not called");
        }
        return previous;
    }

    // ---- Rtl ----

    /** {@code RtlCompareMemory(Source1, Source2, Length)}: how many bytes from the start are equal. */
    public static long RtlCompareMemory(MemorySegment Source1, MemorySegment Source2, long Length) {
        long mismatch = MemorySegment.mismatch(Source1, 0, Length, Source2, 0, Length);
        return mismatch < 0 ? Length : mismatch;
    }

    /** {@code RtlUshortByteSwap(Source)}: {@code htons}/{@code ntohs} on a little-endian machine. */
    public static int RtlUshortByteSwap(int Source) {
        return Short.reverseBytes((short) Source) & 0xFFFF;
    }

    /** {@code RtlUlongByteSwap(Source)}: {@code htonl}/{@code ntohl} on a little-endian machine. */
    public static int RtlUlongByteSwap(int Source) {
        return Integer.reverseBytes(Source);
    }

    /** {@code RtlUlonglongByteSwap(Source)}. */
    public static long RtlUlonglongByteSwap(long Source) {
        return Long.reverseBytes(Source);
    }

    /**
     * {@code RtlIpv4StringToAddressW(S, Strict, &Terminator, &Addr)}: dotted decimal with four parts (the strict form;
     * nbl4j takes the same form when {@code Strict} is {@code FALSE}, without the octal, hexadecimal and short forms).
     * Writes the 4 bytes of {@code IN_ADDR} in network order to {@code Addr}.
     *
     * @param Terminator receives what follows the address in {@code S}
     * @return {@code STATUS_SUCCESS} or {@code STATUS_INVALID_PARAMETER}
     */
    public static int RtlIpv4StringToAddressW(String S, boolean Strict, Ref<String> Terminator, MemorySegment Addr) {
        int end = 0;
        while (end < S.length() && (Character.isDigit(S.charAt(end)) || S.charAt(end) == '.')) {
            end++;
        }
        String[] parts = S.substring(0, end).split("\\.", -1);
        if (parts.length != 4) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        MemorySegment.copy(MemorySegment.ofArray(address), 0, Addr, 0, 4);
        Terminator.set(S.substring(end));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code RtlIpv6StringToAddressW(S, &Terminator, &Addr)}: the text forms of RFC 4291 §2.2 (with {@code ::} and a
     * trailing dotted IPv4 part); writes the 16 bytes of {@code IN6_ADDR} to {@code Addr}.
     *
     * @return {@code STATUS_SUCCESS} or {@code STATUS_INVALID_PARAMETER}
     */
    public static int RtlIpv6StringToAddressW(String S, Ref<String> Terminator, MemorySegment Addr) {
        int end = 0;
        while (end < S.length() && (Character.digit(S.charAt(end), 16) >= 0 || ":.".indexOf(S.charAt(end)) >= 0)) {
            end++;
        }
        String text = S.substring(0, end);
        if (text.indexOf(':') < 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        byte[] address;
        try {
            InetAddress parsed = InetAddress.ofLiteral(text);
            address = parsed.getAddress();
            if (parsed instanceof Inet4Address) {
                // The JDK folds an IPv4-mapped literal (::ffff:a.b.c.d) into IPv4; IN6_ADDR keeps the mapped form.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(address, 0, mapped, 12, 4);
                address = mapped;
            }
        } catch (IllegalArgumentException e) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        MemorySegment.copy(MemorySegment.ofArray(address), 0, Addr, 0, 16);
        Terminator.set(S.substring(end));
        return NtStatus.STATUS_SUCCESS;
    }
}
