package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisKernel.NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
import static org.nbl4j.stack.ddk.NdisKernel.NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
import static org.nbl4j.stack.ddk.NdisKernel.NDIS_TIMER_CHARACTERISTICS_REVISION_1;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAllocateIoWorkItem;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAllocateTimerObject;
import static org.nbl4j.stack.ddk.NdisKernel.NdisFreeIoWorkItem;
import static org.nbl4j.stack.ddk.NdisKernel.NdisFreeTimerObject;
import static org.nbl4j.stack.ddk.NdisKernel.NdisQueueIoWorkItem;
import static org.nbl4j.stack.ddk.NdisKernel.NdisSetTimerObject;
import static org.nbl4j.stack.ddk.Ntddk.DelayedWorkQueue;
import static org.nbl4j.stack.ddk.Ntddk.Executive;
import static org.nbl4j.stack.ddk.Ntddk.IoAllocateWorkItem;
import static org.nbl4j.stack.ddk.Ntddk.IoFreeWorkItem;
import static org.nbl4j.stack.ddk.Ntddk.IoQueueWorkItem;
import static org.nbl4j.stack.ddk.Ntddk.KeFlushQueuedDpcs;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeTimer;
import static org.nbl4j.stack.ddk.Ntddk.KeInsertQueueDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeSetTimer;
import static org.nbl4j.stack.ddk.Ntddk.KeWaitForSingleObject;
import static org.nbl4j.stack.ddk.Ntddk.KernelMode;
import static org.nbl4j.stack.ddk.Wdm.FALSE;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.kernel.KernelRule;

/**
 * {@link KernelRule#DRIVER_ROUTINE_THREW} on the threads nbl4j runs a driver's deferred routines on: a work queue's
 * worker, the DPC thread (a DPC queued from a passive thread, a timer's DPC, an NDIS timer routine) and a system
 * thread. Each routine is queued through the DDI a driver calls, with this class counted as the driver's code, so that
 * the report names the line that threw; the verifier only collects, so that the thread can be seen to go on.
 * Without the catch around the routine (in {@code WorkQueue}, {@code Dpc}, {@code SystemThread}) nothing is reported
 * and the thread ends, and these tests fail; so does the KeSetTimer one if the timer's DPC is queued bound to the
 * timer's thread rather than to the thread that set the timer.
 */
class DriverRoutineThrewTest {
    private static final String DRIVER = DriverRoutineThrewTest.class.getSimpleName() + ".java:";
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private Ndis ndis;
    private SystemNdis.Binding binding;

    @BeforeEach
    void bind() {
        ndis = Ndis.create(VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(DriverRoutineThrewTest.class.getName()));
        binding = SystemNdis.bind(ndis);
    }

    @AfterEach
    void unbind() {
        binding.close();
        ndis.close();
    }

    /** The line of the caller of this method in this file. */
    private static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    /** A DPC whose routine throws (the driver's bug), and the line that throws, where its report must point. */
    private record ThrowingDpc(KDPC dpc, int line) {}

    /** A {@link ThrowingDpc} whose routine records its thread in {@code failed} before it throws. */
    private static ThrowingDpc throwingDpc(AtomicReference<Thread> failed) {
        KDPC dpc = new KDPC();
        int at = line() + 5;
        KeInitializeDpc(
                dpc,
                (d, c, a1, a2) -> {
                    failed.set(Thread.currentThread());
                    throw new IllegalStateException("the driver's bug");
                },
                null);
        return new ThrowingDpc(dpc, at);
    }

    /**
     * Waits for the one DRIVER_ROUTINE_THREW report, which comes from another thread, and checks that it names the
     * exception, what it escaped and this file's line {@code thrownAt}.
     */
    private Violation reported(String escaped, int thrownAt) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<Violation> thrown = threw();
        while (thrown.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
            thrown = threw();
        }
        List<Violation> all = ndis.verifier().violations();
        assertEquals(1, thrown.size(), all::toString);
        Violation violation = thrown.getFirst();
        assertTrue(
                violation.detail().startsWith("java.lang.IllegalStateException: the driver's bug escaped " + escaped),
                violation.detail());
        assertTrue(violation.site().where().endsWith(DRIVER + thrownAt + ")"), violation.site()::headline);
        assertEquals(0x1E, violation.bugcheck().code());
        return violation;
    }

    private List<Violation> threw() {
        return ndis.verifier().violations().stream()
                .filter(v -> v.rule() == KernelRule.DRIVER_ROUTINE_THREW)
                .toList();
    }

    @Test
    @DisplayName("an IoQueueWorkItem routine that throws: reported at its line, and its worker goes on")
    void ioWorkItemThrows() throws InterruptedException {
        DEVICE_OBJECT device = new DEVICE_OBJECT();
        IO_WORKITEM failing = IoAllocateWorkItem(device);
        AtomicReference<Thread> worker = new AtomicReference<>();
        int at = line() + 5;
        IoQueueWorkItem(
                failing,
                (deviceObject, context) -> {
                    worker.set(Thread.currentThread());
                    throw new IllegalStateException("the driver's bug");
                },
                DelayedWorkQueue,
                null);
        Violation violation = reported("the work routine of ", at);
        assertTrue(violation.detail().endsWith(" queued by IoQueueWorkItem"), violation.detail());
        workerLivesOn(worker.get());
        CountDownLatch next = new CountDownLatch(1);
        IO_WORKITEM item = IoAllocateWorkItem(device);
        IoQueueWorkItem(item, (deviceObject, context) -> next.countDown(), DelayedWorkQueue, null);
        assertTrue(next.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the next work item ran");
        IoFreeWorkItem(failing);
        IoFreeWorkItem(item);
    }

    @Test
    @DisplayName("an NdisQueueIoWorkItem routine that throws: reported at its line, and its worker goes on")
    void ndisWorkItemThrows() throws InterruptedException {
        NDIS_IO_WORKITEM failing = NdisAllocateIoWorkItem(ndis);
        AtomicReference<Thread> worker = new AtomicReference<>();
        int at = line() + 5;
        NdisQueueIoWorkItem(
                failing,
                (context, handle) -> {
                    worker.set(Thread.currentThread());
                    throw new IllegalStateException("the driver's bug");
                },
                null);
        Violation violation = reported("the work routine of ", at);
        assertTrue(violation.detail().endsWith(" queued by NdisQueueIoWorkItem"), violation.detail());
        workerLivesOn(worker.get());
        CountDownLatch next = new CountDownLatch(1);
        NDIS_IO_WORKITEM item = NdisAllocateIoWorkItem(ndis);
        NdisQueueIoWorkItem(item, (context, handle) -> next.countDown(), null);
        assertTrue(next.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the next work item ran");
        NdisFreeIoWorkItem(failing);
        NdisFreeIoWorkItem(item);
    }

    /**
     * The worker that ran the throwing routine is still there to take the next one (a worker that let the exception
     * out would end, and the pool would start another).
     */
    private static void workerLivesOn(Thread worker) throws InterruptedException {
        assertNotNull(worker);
        worker.join(200);
        assertTrue(worker.isAlive(), "the worker goes on");
    }

    @Test
    @DisplayName(
            "a DPC queued from a passive thread that throws: reported at its line; the DPC thread runs the next one")
    void dpcThrows() throws InterruptedException {
        AtomicReference<Thread> failed = new AtomicReference<>();
        AtomicReference<Thread> ran = new AtomicReference<>();
        ThrowingDpc throwing = throwingDpc(failed);
        KDPC failing = throwing.dpc();
        int at = throwing.line();
        KDPC next = new KDPC();
        KeInitializeDpc(next, (d, c, a1, a2) -> ran.set(Thread.currentThread()), null);
        assertTrue(KeInsertQueueDpc(failing, null, null));
        assertTrue(KeInsertQueueDpc(next, null, null));
        KeFlushQueuedDpcs();
        reported("the DPC routine of ", at);
        assertNotNull(failed.get());
        assertSame(failed.get(), ran.get(), "the DPC thread that ran the failing DPC ran the next one");
    }

    @Test
    @DisplayName("the DPC of a KeSetTimer that throws: reported at its line; the DPC thread runs the next timer's DPC")
    void timerDpcThrows() throws InterruptedException {
        AtomicReference<Thread> failed = new AtomicReference<>();
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch nextRan = new CountDownLatch(1);
        ThrowingDpc throwing = throwingDpc(failed);
        KDPC failing = throwing.dpc();
        int at = throwing.line();
        startTheTimerThreadBoundElsewhere();
        KTIMER first = new KTIMER();
        KeInitializeTimer(first);
        assertFalse(KeSetTimer(first, -10_000L, failing));
        reported("the DPC routine of ", at);
        KDPC next = new KDPC();
        KeInitializeDpc(
                next,
                (d, c, a1, a2) -> {
                    ran.set(Thread.currentThread());
                    nextRan.countDown();
                },
                null);
        KTIMER second = new KTIMER();
        KeInitializeTimer(second);
        assertFalse(KeSetTimer(second, -10_000L, next));
        assertTrue(nextRan.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the next timer's DPC ran");
        assertNotNull(failed.get());
        assertSame(failed.get(), ran.get(), "the DPC thread that ran the failing DPC ran the next one");
    }

    /**
     * Makes sure that the timer's one thread exists and was not started bound to this test's NDIS instance (a thread
     * inherits its starter's binding), so that a timer's DPC queued bound to the timer's thread instead of the thread
     * that set the timer would report elsewhere.
     */
    private static void startTheTimerThreadBoundElsewhere() {
        try (Ndis elsewhere = Ndis.create();
                SystemNdis.Binding _ = SystemNdis.bind(elsewhere)) {
            KTIMER timer = new KTIMER();
            KeInitializeTimer(timer);
            KeSetTimer(timer, -10_000L, null);
            KeWaitForSingleObject(timer, Executive, KernelMode, FALSE, null);
        }
    }

    @Test
    @DisplayName(
            "an NdisSetTimerObject timer routine that throws: reported at its line; the timer set again still runs it")
    void ndisTimerRoutineThrows() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Thread> failed = new AtomicReference<>();
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch nextRan = new CountDownLatch(1);
        NDIS_TIMER_CHARACTERISTICS characteristics = new NDIS_TIMER_CHARACTERISTICS();
        characteristics.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
        characteristics.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
        characteristics.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
        int at = line() + 4;
        characteristics.TimerFunction = (s1, context, s2, s3) -> {
            if (calls.incrementAndGet() == 1) {
                failed.set(Thread.currentThread());
                throw new IllegalStateException("the driver's bug");
            }
            ran.set(Thread.currentThread());
            nextRan.countDown();
        };
        Ref<NDIS_TIMER> timer = new Ref<>();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(ndis, characteristics, timer));
        NDIS_TIMER object = timer.value();
        assertNotNull(object);
        assertFalse(NdisSetTimerObject(object, -10_000L, 0, null));
        reported("the timer routine of ", at);
        assertFalse(NdisSetTimerObject(object, -10_000L, 0, null), "the first setting expired");
        assertTrue(nextRan.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the next expiry's routine ran");
        NdisFreeTimerObject(object);
        assertNotNull(failed.get());
        assertSame(failed.get(), ran.get(), "the DPC thread that ran the failing routine ran the next one");
    }

    @Test
    @DisplayName(
            "a system thread's start routine that throws: reported at its line; the thread ends, its waiter returns")
    void systemThreadThrows() throws InterruptedException {
        int at = line() + 2;
        PETHREAD thread = SystemThreads.runToEnd(context -> {
            throw new IllegalStateException("the driver's bug");
        });
        Violation violation = reported("the start routine of nbl4j-system-", at);
        assertTrue(violation.detail().endsWith(", started by PsCreateSystemThread"), violation.detail());
        assertEquals(NtStatus.STATUS_SUCCESS, thread.thread.exitStatus());
    }

    @Test
    @DisplayName("with the verifier off a DPC that throws is not reported, and the DPCs queued after it still run")
    void withTheVerifierOffTheDpcThreadIsReplaced() throws InterruptedException {
        try (Ndis off = Ndis.create(VerifierSettings.off());
                SystemNdis.Binding _ = SystemNdis.bind(off)) {
            KDPC failing = new KDPC();
            KeInitializeDpc(
                    failing,
                    (d, c, a1, a2) -> {
                        throw new IllegalStateException("the driver's bug, printed as uncaught");
                    },
                    null);
            CountDownLatch nextRan = new CountDownLatch(1);
            KDPC next = new KDPC();
            KeInitializeDpc(next, (d, c, a1, a2) -> nextRan.countDown(), null);
            assertTrue(KeInsertQueueDpc(failing, null, null));
            assertTrue(KeInsertQueueDpc(next, null, null));
            assertTrue(nextRan.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the next DPC ran");
            assertEquals(List.of(), off.verifier().violations());
        }
    }
}
