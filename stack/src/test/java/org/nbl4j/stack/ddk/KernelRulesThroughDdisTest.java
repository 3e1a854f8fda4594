package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAcquireSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisReleaseSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisWaitEvent;
import static org.nbl4j.stack.ddk.Ntddk.DelayedWorkQueue;
import static org.nbl4j.stack.ddk.Ntddk.Executive;
import static org.nbl4j.stack.ddk.Ntddk.IO_NO_INCREMENT;
import static org.nbl4j.stack.ddk.Ntddk.IoAllocateWorkItem;
import static org.nbl4j.stack.ddk.Ntddk.IoQueueWorkItem;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireInStackQueuedSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireSpinLockAtDpcLevel;
import static org.nbl4j.stack.ddk.Ntddk.KeCancelTimer;
import static org.nbl4j.stack.ddk.Ntddk.KeClearEvent;
import static org.nbl4j.stack.ddk.Ntddk.KeFlushQueuedDpcs;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeEvent;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeTimer;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeTimerEx;
import static org.nbl4j.stack.ddk.Ntddk.KeInsertQueueDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeReadStateEvent;
import static org.nbl4j.stack.ddk.Ntddk.KeReleaseSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeResetEvent;
import static org.nbl4j.stack.ddk.Ntddk.KeSetEvent;
import static org.nbl4j.stack.ddk.Ntddk.KeSetTimer;
import static org.nbl4j.stack.ddk.Ntddk.KeSetTimerEx;
import static org.nbl4j.stack.ddk.Ntddk.KeWaitForSingleObject;
import static org.nbl4j.stack.ddk.Ntddk.KernelMode;
import static org.nbl4j.stack.ddk.Ntddk.NotificationEvent;
import static org.nbl4j.stack.ddk.Ntddk.ObReferenceObjectByHandle;
import static org.nbl4j.stack.ddk.Ntddk.PsCreateSystemThread;
import static org.nbl4j.stack.ddk.Ntddk.PsThreadType;
import static org.nbl4j.stack.ddk.Ntddk.STATUS_TIMEOUT;
import static org.nbl4j.stack.ddk.Ntddk.SynchronizationTimer;
import static org.nbl4j.stack.ddk.Ntddk.THREAD_ALL_ACCESS;
import static org.nbl4j.stack.ddk.Ntddk.ZwClose;
import static org.nbl4j.stack.ddk.Wdf.SDDL_DEVOBJ_KERNEL_ONLY;
import static org.nbl4j.stack.ddk.Wdf.WdfControlDeviceInitAllocate;
import static org.nbl4j.stack.ddk.Wdf.WdfControlFinishInitializing;
import static org.nbl4j.stack.ddk.Wdf.WdfDeviceWdmGetDeviceObject;
import static org.nbl4j.stack.ddk.Wdf.WdfObjectDelete;
import static org.nbl4j.stack.ddk.Wdf.WdfRegistryQueryULong;
import static org.nbl4j.stack.ddk.Wdm.DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.FALSE;
import static org.nbl4j.stack.ddk.Wdm.HIGH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.KeGetCurrentIrql;
import static org.nbl4j.stack.ddk.Wdm.KeLowerIrql;
import static org.nbl4j.stack.ddk.Wdm.KeRaiseIrql;
import static org.nbl4j.stack.ddk.Wdm.PASSIVE_LEVEL;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.kernel.DriverParameters;
import org.nbl4j.stack.kernel.KernelRule;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;

/**
 * The spin lock and wait rules ({@link KernelRule}) as a ported driver breaks them: through the DDIs of the facade,
 * with the full verifier, this class counted as the driver's code so that each report names its line. Removing a
 * rule's check from {@code org.nbl4j.stack.kernel} ({@code SpinLock}, {@code Waits}, {@code HeldSpinLocks}) or the
 * hook from the place that calls the handler lets the call through and fails the test.
 */
class KernelRulesThroughDdisTest {
    private static final String DRIVER = KernelRulesThroughDdisTest.class.getSimpleName() + ".java:";

    private Ndis ndis;
    private SystemNdis.Binding binding;

    @BeforeEach
    void bind() {
        ndis = Ndis.create(VerifierSettings.full().withDriverCode(KernelRulesThroughDdisTest.class.getName()));
        binding = SystemNdis.bind(ndis);
    }

    @AfterEach
    void unbind() {
        assertEquals(PASSIVE_LEVEL, KeGetCurrentIrql(), "every test restores the IRQL");
        binding.close();
        ndis.close();
    }

    /** The line of the caller of this method in this file. */
    private static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    /** Asserts that {@code violation} names this file's line {@code at} first, as the driver's line. */
    private static void namesLine(Violation violation, int at) {
        assertTrue(violation.site().where().endsWith(DRIVER + at + ")"), violation.site()::headline);
    }

    /** Runs {@code ddi}, which must be refused with {@code rule}; returns the violation. */
    private static Violation refused(Rule rule, Executable ddi) {
        RuleViolation thrown = assertThrows(RuleViolation.class, ddi);
        assertEquals(rule, thrown.rule(), thrown::getMessage);
        return thrown.violation();
    }

    @Test
    @DisplayName("KeReleaseSpinLock after the driver lowered the IRQL below DISPATCH_LEVEL: SPIN_LOCK_WRONG_IRQL")
    void releasedAtTheWrongIrql() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        Ref<Integer> oldIrql = new Ref<>();
        KeAcquireSpinLock(lock, oldIrql);
        assertEquals(DISPATCH_LEVEL, KeGetCurrentIrql(), "acquiring raised to DISPATCH_LEVEL");
        KeLowerIrql(PASSIVE_LEVEL); // the driver's bug: it lowers while it holds the lock
        int at = line() + 1;
        Violation violation = refused(KernelRule.SPIN_LOCK_WRONG_IRQL, () -> KeReleaseSpinLock(lock, oldIrql.value()));
        namesLine(violation, at);
        assertTrue(violation.detail().contains("KeReleaseSpinLock requires DISPATCH_LEVEL"), violation.detail());
        assertTrue(lock.isHeld(), "the THROW policy refused the release");
        Ref<Integer> unused = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, unused);
        KeReleaseSpinLock(lock, PASSIVE_LEVEL);
        assertFalse(lock.isHeld());
    }

    @Test
    @DisplayName("KeAcquireSpinLockAtDpcLevel at PASSIVE_LEVEL: SPIN_LOCK_WRONG_IRQL")
    void acquiredAtDpcLevelBelowDispatch() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        Violation violation = refused(KernelRule.SPIN_LOCK_WRONG_IRQL, () -> KeAcquireSpinLockAtDpcLevel(lock));
        assertTrue(violation.site().where().contains(DRIVER), violation.site()::headline);
        assertFalse(lock.isHeld());
    }

    @Test
    @DisplayName("NdisAcquireSpinLock twice on one thread: SPIN_LOCK_RECURSIVE_ACQUIRE (a deadlock on Windows)")
    void acquiredTwice() {
        NDIS_SPIN_LOCK lock = new NDIS_SPIN_LOCK(); // never NdisAllocateSpinLock'ed, as real drivers do
        int first = line() + 1;
        NdisAcquireSpinLock(lock);
        int at = line() + 1;
        Violation violation = refused(KernelRule.SPIN_LOCK_RECURSIVE_ACQUIRE, () -> NdisAcquireSpinLock(lock));
        namesLine(violation, at);
        assertTrue(violation.detail().contains("acquired by NdisAcquireSpinLock at"), violation.detail());
        assertTrue(
                violation.detail().contains(DRIVER + first + ")"),
                "names where the first acquire was: " + violation.detail());
        assertEquals(0xF, violation.bugcheck().code());
        NdisReleaseSpinLock(lock);
        assertFalse(lock.SpinLock.isHeld());
    }

    @Test
    @DisplayName("KeWaitForSingleObject with a timeout at DISPATCH_LEVEL: WAIT_AT_DISPATCH; a zero timeout is fine")
    void waitAtDispatch() {
        KEVENT event = new KEVENT();
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, oldIrql);
        try {
            assertEquals(
                    STATUS_TIMEOUT,
                    KeWaitForSingleObject(event, Executive, KernelMode, FALSE, 0L),
                    "a test without waiting is allowed at DISPATCH_LEVEL");
            int at = line() + 3;
            Violation violation = refused(
                    KernelRule.WAIT_AT_DISPATCH,
                    () -> KeWaitForSingleObject(event, Executive, KernelMode, FALSE, -10_000L));
            namesLine(violation, at);
            refused(
                    KernelRule.WAIT_AT_DISPATCH,
                    () -> KeWaitForSingleObject(event, Executive, KernelMode, FALSE, null));
        } finally {
            KeLowerIrql(oldIrql.value());
        }
    }

    @Test
    @DisplayName("NdisWaitEvent at DISPATCH_LEVEL: WAIT_AT_DISPATCH")
    void ndisWaitAtDispatch() {
        NDIS_EVENT event = new NDIS_EVENT();
        NdisKernel.NdisInitializeEvent(event);
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, oldIrql);
        try {
            int at = line() + 1;
            Violation violation = refused(KernelRule.WAIT_AT_DISPATCH, () -> NdisWaitEvent(event, 1));
            namesLine(violation, at);
            assertTrue(violation.detail().contains("NdisWaitEvent"), violation.detail());
        } finally {
            KeLowerIrql(oldIrql.value());
        }
    }

    @Test
    @DisplayName("KeFlushQueuedDpcs at DISPATCH_LEVEL: IRQL_TOO_HIGH (on the DPC thread it would wait for ever)")
    void flushAtDispatch() {
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(DISPATCH_LEVEL, oldIrql);
        try {
            Violation violation = refused(BufferRule.IRQL_TOO_HIGH, () -> KeFlushQueuedDpcs());
            assertTrue(violation.detail().contains("nf-wdm-keflushqueueddpcs"), violation.detail());
        } finally {
            KeLowerIrql(oldIrql.value());
        }
    }

    @Test
    @DisplayName("a DPC routine that returns holding its spin lock: SPIN_LOCK_HELD_AT_RETURN, naming the acquire")
    void dpcReturnsHoldingALock() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        KDPC dpc = new KDPC();
        int acquire = line() + 1;
        KeInitializeDpc(dpc, (d, context, a1, a2) -> KeAcquireSpinLockAtDpcLevel(lock), null);
        assertTrue(KeInsertQueueDpc(dpc, null, null));
        KeFlushQueuedDpcs();
        Violation violation = heldAtReturn("the DPC routine of ", acquire);
        assertTrue(violation.detail().contains("acquired by KeAcquireSpinLockAtDpcLevel at"), violation.detail());
    }

    @Test
    @DisplayName("an IoQueueWorkItem routine that returns holding its spin lock: SPIN_LOCK_HELD_AT_RETURN")
    void workRoutineReturnsHoldingALock() throws InterruptedException {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        int acquire = line() + 3;
        IoQueueWorkItem(
                IoAllocateWorkItem(new DEVICE_OBJECT()),
                (device, context) -> KeAcquireSpinLock(lock, new Ref<>()),
                DelayedWorkQueue,
                null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ndis.verifier().violations().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        heldAtReturn("the work routine of ", acquire);
    }

    @Test
    @DisplayName("a system thread's start routine that returns holding its spin lock: SPIN_LOCK_HELD_AT_RETURN")
    void startRoutineReturnsHoldingALock() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        int acquire = line() + 1;
        SystemThreads.runToEnd(context -> KeAcquireSpinLock(lock, new Ref<>()));
        heldAtReturn("the start routine of nbl4j-system-", acquire);
    }

    @Test
    @DisplayName("FilterSendNetBufferListsComplete that returns holding a lock: SPIN_LOCK_HELD_AT_RETURN")
    void filterHandlerReturnsHoldingALock() {
        KLOCK_QUEUE_HANDLE lockHandle = new KLOCK_QUEUE_HANDLE();
        KSPIN_LOCK lock = new KSPIN_LOCK();
        AtomicReference<LwfHandle> attached = new AtomicReference<>();
        int acquire = line() + 8;
        try (Adapter adapter = Adapter.builder(ndis)
                .miniport(MemoryMiniport.builder().build())
                .lwf("leaky-lock", handle -> {
                    attached.set(handle);
                    return new LwfHandlers() {
                        @Override
                        public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int flags) {
                            KeAcquireInStackQueuedSpinLock(lock, lockHandle); // and no release: the bug
                            NdisH.NdisFreeNetBufferList(chain);
                        }
                    };
                })
                .build()) {
            LwfHandle lwf = attached.get();
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Klck"), 256));
            assertNotNull(pool);
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            NetBuffer nb = nbl.firstNetBuffer();
            assertNotNull(nb);
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(20, 0, null));
            nbl.setSourceHandle(lwf);
            NdisH.NdisFSendNetBufferLists(lwf, nbl, NdisH.NDIS_DEFAULT_PORT_NUMBER, 0);
            RuleViolation thrown = assertThrows(RuleViolation.class, () -> adapter.poll(0, 16));
            assertEquals(KernelRule.SPIN_LOCK_HELD_AT_RETURN, thrown.rule(), thrown::getMessage);
            String detail = thrown.violation().detail();
            assertTrue(
                    detail.startsWith("FilterSendNetBufferListsComplete of leaky-lock")
                            && detail.contains("returned holding 1"),
                    detail);
            assertTrue(detail.contains("acquired by KeAcquireInStackQueuedSpinLock at"), detail);
            assertTrue(detail.contains(DRIVER + acquire + ")"), () -> "names the acquire: " + detail);
            // The poll ran on this thread: release the lock the bug left held, which also undoes its raise, so that
            // the next test on this thread holds nothing.
            if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
                KeRaiseIrql(DISPATCH_LEVEL, new Ref<>());
            }
            lockHandle.OldIrql = PASSIVE_LEVEL;
            Ntddk.KeReleaseInStackQueuedSpinLock(lockHandle);
            pool.close();
        }
    }

    /**
     * Runs {@code ddi} at {@code level}, where it must be refused as IRQL_TOO_HIGH naming the driver's line, the rule
     * ({@code == PASSIVE_LEVEL} when refused at DISPATCH_LEVEL, {@code <= DISPATCH_LEVEL} at HIGH_LEVEL) and the page
     * of {@code header} that states it.
     */
    private static void refusedAt(int level, String name, String header, Executable ddi) {
        Ref<Integer> oldIrql = new Ref<>();
        KeRaiseIrql(level, oldIrql);
        try {
            Violation violation = refused(BufferRule.IRQL_TOO_HIGH, ddi);
            String rule = level == DISPATCH_LEVEL ? "== PASSIVE_LEVEL" : "<= DISPATCH_LEVEL";
            assertTrue(violation.detail().contains(name + " requires IRQL " + rule), violation.detail());
            assertTrue(
                    violation
                            .detail()
                            .contains("/ddi/" + header + "/nf-" + header + "-" + name.toLowerCase(Locale.ROOT)),
                    violation.detail());
            assertTrue(violation.site().where().contains(DRIVER), violation.site()::headline);
        } finally {
            KeLowerIrql(oldIrql.value());
        }
    }

    @Test
    @DisplayName("the event routines above DISPATCH_LEVEL: IRQL_TOO_HIGH, and the event is left as it was")
    void eventsAboveDispatch() {
        KEVENT event = new KEVENT();
        KeInitializeEvent(event, NotificationEvent, FALSE);
        refusedAt(HIGH_LEVEL, "KeSetEvent", "wdm", () -> KeSetEvent(event, IO_NO_INCREMENT, FALSE));
        refusedAt(HIGH_LEVEL, "KeClearEvent", "wdm", () -> KeClearEvent(event));
        refusedAt(HIGH_LEVEL, "KeResetEvent", "wdm", () -> KeResetEvent(event));
        refusedAt(HIGH_LEVEL, "KeReadStateEvent", "wdm", () -> KeReadStateEvent(event));
        assertEquals(0, KeReadStateEvent(event), "the refused KeSetEvent did not signal");

        NDIS_EVENT ndisEvent = new NDIS_EVENT();
        NdisKernel.NdisInitializeEvent(ndisEvent);
        refusedAt(HIGH_LEVEL, "NdisSetEvent", "ndis", () -> NdisKernel.NdisSetEvent(ndisEvent));
        refusedAt(HIGH_LEVEL, "NdisResetEvent", "ndis", () -> NdisKernel.NdisResetEvent(ndisEvent));
    }

    @Test
    @DisplayName("the timer routines above their IRQL: IRQL_TOO_HIGH, and no timer is set or cancelled")
    void timersAboveTheirIrql() {
        KTIMER timer = new KTIMER();
        refusedAt(HIGH_LEVEL, "KeInitializeTimer", "wdm", () -> KeInitializeTimer(timer));
        refusedAt(HIGH_LEVEL, "KeInitializeTimerEx", "wdm", () -> KeInitializeTimerEx(timer, SynchronizationTimer));
        refusedAt(HIGH_LEVEL, "KeSetTimer", "wdm", () -> KeSetTimer(timer, -60 * 10_000_000L, null));
        refusedAt(HIGH_LEVEL, "KeSetTimerEx", "wdm", () -> KeSetTimerEx(timer, -60 * 10_000_000L, 0, null));
        refusedAt(HIGH_LEVEL, "KeCancelTimer", "wdm", () -> KeCancelTimer(timer));
        assertFalse(KeCancelTimer(timer), "the refused sets set nothing");

        NDIS_TIMER_CHARACTERISTICS characteristics = new NDIS_TIMER_CHARACTERISTICS();
        characteristics.Header.Type = NdisKernel.NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
        characteristics.Header.Revision = NdisKernel.NDIS_TIMER_CHARACTERISTICS_REVISION_1;
        characteristics.Header.Size = NdisKernel.NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
        characteristics.TimerFunction = (s1, context, s2, s3) -> {};
        Ref<NDIS_TIMER> ndisTimer = new Ref<>();
        refusedAt(
                DISPATCH_LEVEL,
                "NdisAllocateTimerObject",
                "ndis",
                () -> NdisKernel.NdisAllocateTimerObject(ndis, characteristics, ndisTimer));
        assertNull(ndisTimer.value(), "the refused allocation made no timer");
        assertEquals(
                NtStatus.NDIS_STATUS_SUCCESS, NdisKernel.NdisAllocateTimerObject(ndis, characteristics, ndisTimer));
        NDIS_TIMER allocated = ndisTimer.value();
        assertNotNull(allocated);
        refusedAt(HIGH_LEVEL, "NdisCancelTimerObject", "ndis", () -> NdisKernel.NdisCancelTimerObject(allocated));
        refusedAt(DISPATCH_LEVEL, "NdisFreeTimerObject", "ndis", () -> NdisKernel.NdisFreeTimerObject(allocated));
        NdisKernel.NdisFreeTimerObject(allocated);
    }

    @Test
    @DisplayName("IoAllocateWorkItem and NdisAllocateIoWorkItem above DISPATCH_LEVEL: IRQL_TOO_HIGH")
    void workItemsAboveDispatch() {
        DEVICE_OBJECT device = new DEVICE_OBJECT();
        refusedAt(HIGH_LEVEL, "IoAllocateWorkItem", "wdm", () -> IoAllocateWorkItem(device));
        refusedAt(HIGH_LEVEL, "NdisAllocateIoWorkItem", "ndis", () -> NdisKernel.NdisAllocateIoWorkItem(ndis));
    }

    @Test
    @DisplayName("ObReferenceObjectByHandle and ZwClose at DISPATCH_LEVEL: IRQL_TOO_HIGH, the handle stays open")
    void objectManagerAtDispatch() {
        Ref<HANDLE> handle = new Ref<>();
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                PsCreateSystemThread(handle, THREAD_ALL_ACCESS, null, null, null, context -> {}, null));
        HANDLE threadHandle = handle.value();
        assertNotNull(threadHandle);
        Ref<PETHREAD> thread = new Ref<>();
        refusedAt(
                DISPATCH_LEVEL,
                "ObReferenceObjectByHandle",
                "wdm",
                () -> ObReferenceObjectByHandle(
                        threadHandle, THREAD_ALL_ACCESS, PsThreadType, KernelMode, thread, null));
        assertNull(thread.value(), "the refused reference referenced nothing");
        refusedAt(DISPATCH_LEVEL, "ZwClose", "wdm", () -> ZwClose(threadHandle));
        assertEquals(NtStatus.STATUS_SUCCESS, ZwClose(threadHandle), "the refused ZwClose left the handle open");
    }

    @Test
    @DisplayName("the WDF routines above their IRQL: IRQL_TOO_HIGH, and the device and key are left as they were")
    void wdfAboveItsIrql() {
        WDFDRIVER driver = new WDFDRIVER(null);
        refusedAt(
                DISPATCH_LEVEL,
                "WdfControlDeviceInitAllocate",
                "wdfcontrol",
                () -> WdfControlDeviceInitAllocate(driver, SDDL_DEVOBJ_KERNEL_ONLY));
        WDFDEVICE device = new WDFDEVICE(driver);
        refusedAt(HIGH_LEVEL, "WdfControlFinishInitializing", "wdfcontrol", () -> WdfControlFinishInitializing(device));
        refusedAt(HIGH_LEVEL, "WdfDeviceWdmGetDeviceObject", "wdfdevice", () -> WdfDeviceWdmGetDeviceObject(device));
        refusedAt(HIGH_LEVEL, "WdfObjectDelete", "wdfobject", () -> WdfObjectDelete(device));
        assertTrue(device.isInitializing(), "neither refused call finished the device");
        WDFKEY key = new WDFKEY(DriverParameters.of(Map.of("Mask", "0x1")));
        Ref<Integer> value = new Ref<>();
        refusedAt(
                DISPATCH_LEVEL,
                "WdfRegistryQueryULong",
                "wdfregistry",
                () -> WdfRegistryQueryULong(key, "Mask", value));
        assertNull(value.value(), "the refused query wrote nothing");
    }

    /** The one violation of {@code rule} the verifier collected (the DPC thread's throw is its own). */
    /**
     * The one SPIN_LOCK_HELD_AT_RETURN reported: for the routine whose description starts with {@code routine}, naming
     * the acquire on this file's line {@code acquire}.
     */
    private Violation heldAtReturn(String routine, int acquire) {
        Violation violation = only(KernelRule.SPIN_LOCK_HELD_AT_RETURN);
        assertTrue(violation.detail().startsWith(routine), violation.detail());
        assertTrue(violation.detail().contains(DRIVER + acquire + ")"), "names the acquire: " + violation.detail());
        return violation;
    }

    private Violation only(Rule rule) {
        var matching = ndis.verifier().violations().stream()
                .filter(v -> v.rule() == rule)
                .toList();
        assertEquals(1, matching.size(), () -> ndis.verifier().violations().toString());
        return matching.getFirst();
    }

    @Test
    @DisplayName("with the verifier off, lowering under a lock and waiting at DISPATCH are not checked")
    void offChecksNothing() {
        try (Ndis off = Ndis.create(VerifierSettings.off().withPolicy(ViolationPolicy.THROW));
                SystemNdis.Binding _ = SystemNdis.bind(off)) {
            KSPIN_LOCK lock = new KSPIN_LOCK();
            Ref<Integer> oldIrql = new Ref<>();
            KeAcquireSpinLock(lock, oldIrql);
            KeLowerIrql(PASSIVE_LEVEL);
            KeReleaseSpinLock(lock, PASSIVE_LEVEL);
            assertEquals(0, off.verifier().violations().size());
        }
    }

    /** Which of its data handlers the leaky filter returns from holding its lock. */
    private enum LeakyHandler {
        SEND,
        RECEIVE,
        RETURN
    }

    /**
     * A filter that frees its own NBLs when they come back and passes the others on as the defaults do; in
     * {@code leaky}'s handler it also acquires {@code lock} after passing the NBLs on and returns holding it: the bug.
     */
    private static LwfHandlers filter(@Nullable LeakyHandler leaky, KSPIN_LOCK lock, KLOCK_QUEUE_HANDLE lockHandle) {
        return new LwfHandlers() {
            @Override
            public void sendNetBufferLists(LwfHandle from, NetBufferList chain, int portNumber, int sendFlags) {
                LwfHandlers.super.sendNetBufferLists(from, chain, portNumber, sendFlags);
                leaksIn(LeakyHandler.SEND);
            }

            @Override
            public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int flags) {
                if (chain.sourceHandle() == from) {
                    NdisH.NdisFreeNetBufferList(chain);
                } else {
                    LwfHandlers.super.sendNetBufferListsComplete(from, chain, flags);
                }
            }

            @Override
            public void receiveNetBufferLists(
                    LwfHandle from, NetBufferList chain, int portNumber, int count, int receiveFlags) {
                LwfHandlers.super.receiveNetBufferLists(from, chain, portNumber, count, receiveFlags);
                leaksIn(LeakyHandler.RECEIVE);
            }

            @Override
            public void returnNetBufferLists(LwfHandle from, NetBufferList chain, int returnFlags) {
                if (chain.sourceHandle() == from) {
                    NdisH.NdisFreeNetBufferList(chain);
                } else {
                    LwfHandlers.super.returnNetBufferLists(from, chain, returnFlags);
                }
                leaksIn(LeakyHandler.RETURN);
            }

            private void leaksIn(LeakyHandler handler) {
                if (handler == leaky) {
                    KeAcquireInStackQueuedSpinLock(lock, lockHandle); // and no release: the bug
                }
            }
        };
    }

    /**
     * Three filters, "top", "leaky-lock" and "bottom", over a memory miniport: {@code origin} sends (from "top") or
     * indicates (from "bottom" or "leaky-lock" itself) one NBL so that it passes {@code leaky}'s handler of
     * "leaky-lock", which must be reported as returning with its lock held.
     */
    private void filterReturnsHoldingALockIn(LeakyHandler leaky, String origin, String handlerName) {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        KLOCK_QUEUE_HANDLE lockHandle = new KLOCK_QUEUE_HANDLE();
        Map<String, LwfHandle> handles = new ConcurrentHashMap<>();
        try (Adapter adapter = Adapter.builder(ndis)
                .miniport(MemoryMiniport.builder().build())
                .lwf("top", handle -> {
                    handles.put("top", handle);
                    return filter(null, lock, lockHandle);
                })
                .lwf("leaky-lock", handle -> {
                    handles.put("leaky-lock", handle);
                    return filter(leaky, lock, lockHandle);
                })
                .lwf("bottom", handle -> {
                    handles.put("bottom", handle);
                    return filter(null, lock, lockHandle);
                })
                .build()) {
            LwfHandle from = handles.get(origin);
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Klck"), 256));
            assertNotNull(pool);
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            NetBuffer nb = nbl.firstNetBuffer();
            assertNotNull(nb);
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(20, 0, null));
            nbl.setSourceHandle(from);
            Violation violation = refused(
                    KernelRule.SPIN_LOCK_HELD_AT_RETURN,
                    leaky == LeakyHandler.SEND
                            ? () -> NdisH.NdisFSendNetBufferLists(from, nbl, NdisH.NDIS_DEFAULT_PORT_NUMBER, 0)
                            : () -> NdisH.NdisFIndicateReceiveNetBufferLists(
                                    from, nbl, NdisH.NDIS_DEFAULT_PORT_NUMBER, 1, 0));
            assertTrue(
                    violation.detail().startsWith(handlerName + " of leaky-lock")
                            && violation.detail().contains("returned holding 1"),
                    violation.detail());
            Ntddk.KeReleaseInStackQueuedSpinLock(lockHandle); // back to PASSIVE_LEVEL, where the lock was taken
            if (leaky == LeakyHandler.SEND) {
                adapter.poll(0, 16); // the miniport completes the send: "top" frees it
            }
            assertFalse(nbl.isAllocated(), "the NBL went round and its origin freed it");
            pool.close();
        }
    }

    @Test
    @DisplayName("FilterSendNetBufferLists that returns holding a lock: SPIN_LOCK_HELD_AT_RETURN")
    void filterSendReturnsHoldingALock() {
        filterReturnsHoldingALockIn(LeakyHandler.SEND, "top", "FilterSendNetBufferLists");
    }

    @Test
    @DisplayName("FilterReceiveNetBufferLists that returns holding a lock: SPIN_LOCK_HELD_AT_RETURN")
    void filterReceiveReturnsHoldingALock() {
        filterReturnsHoldingALockIn(LeakyHandler.RECEIVE, "bottom", "FilterReceiveNetBufferLists");
    }

    @Test
    @DisplayName("FilterReturnNetBufferLists that returns holding a lock: SPIN_LOCK_HELD_AT_RETURN")
    void filterReturnReturnsHoldingALock() {
        filterReturnsHoldingALockIn(LeakyHandler.RETURN, "leaky-lock", "FilterReturnNetBufferLists");
    }
}
