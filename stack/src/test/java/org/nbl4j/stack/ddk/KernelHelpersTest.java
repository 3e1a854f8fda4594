package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisKernel.*;
import static org.nbl4j.stack.ddk.Ntddk.*;
import static org.nbl4j.stack.ddk.Wdf.*;
import static org.nbl4j.stack.ddk.Wdm.APC_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.FALSE;
import static org.nbl4j.stack.ddk.Wdm.KeGetCurrentIrql;
import static org.nbl4j.stack.ddk.Wdm.PASSIVE_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.RtlZeroMemory;
import static org.nbl4j.stack.ddk.Wdm.TRUE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.kernel.DriverParameters;
import org.nbl4j.stack.kernel.Waits;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;

/**
 * The kernel helpers a ported driver calls, through their C names: locks exclude across threads and raise the IRQL,
 * events and timeouts, system threads, DPCs at DISPATCH_LEVEL, work items at PASSIVE_LEVEL, timers, lists and
 * {@code CONTAINING_RECORD}, the executive pool in poolmon, driver structures over pool blocks, the {@code Rtl}
 * helpers, and the WDF control device with its parameters file.
 */
class KernelHelpersTest {
    private Ndis ndis;
    private SystemNdis.Binding binding;

    @BeforeEach
    void bind() {
        ndis = Ndis.create();
        binding = SystemNdis.bind(ndis);
    }

    @AfterEach
    void unbind() {
        binding.close();
        ndis.close();
    }

    // ---- spin locks ----

    /** A driver's context with a counter that only its lock protects. */
    private static final class CounterContext {
        final KSPIN_LOCK Lock = new KSPIN_LOCK(); // never KeInitializeSpinLock'ed: zeroed locks must work
        long Count;
    }

    @Test
    @DisplayName("an in-stack queued spin lock excludes: two threads' 200,000 increments are all counted")
    void spinLockExcludesAcrossThreads() throws InterruptedException {
        CounterContext context = new CounterContext();
        AtomicInteger wrongIrql = new AtomicInteger();
        Runnable increment = () -> {
            for (int i = 0; i < 100_000; i++) {
                KLOCK_QUEUE_HANDLE handle = new KLOCK_QUEUE_HANDLE();
                KeAcquireInStackQueuedSpinLock(context.Lock, handle);
                if (KeGetCurrentIrql() != DISPATCH_LEVEL) {
                    wrongIrql.incrementAndGet();
                }
                long read = context.Count;
                Thread.onSpinWait(); // widen the window a lost update needs
                context.Count = read + 1;
                KeReleaseInStackQueuedSpinLock(handle);
            }
        };
        Thread first = Thread.ofPlatform().start(increment);
        Thread second = Thread.ofPlatform().start(increment);
        first.join();
        second.join();
        assertEquals(200_000, context.Count);
        assertEquals(0, wrongIrql.get(), "every holder ran at DISPATCH_LEVEL");
        assertEquals(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    @Test
    @DisplayName("KeAcquireSpinLock excludes with more threads than processors: holders descheduled, waiters yield and"
            + " sleep, every increment counted")
    void spinLockExcludesWithMoreThreadsThanProcessors() throws InterruptedException {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        KeInitializeSpinLock(lock);
        long[] count = {0};
        Runnable increment = () -> {
            for (int i = 0; i < 20_000; i++) {
                int oldIrql = KeAcquireSpinLockRaiseToDpc(lock);
                long read = count[0];
                if (i % 1000 == 0) {
                    Thread.yield(); // a holder that loses its processor: the waiters must get past their spinning
                }
                count[0] = read + 1;
                KeReleaseSpinLock(lock, oldIrql);
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3 * Runtime.getRuntime().availableProcessors(); t++) {
            threads.add(Thread.ofPlatform().start(increment));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(20_000L * threads.size(), count[0]);
    }

    @Test
    @DisplayName("KeAcquireSpinLock raises to DISPATCH_LEVEL and KeReleaseSpinLock restores the saved level")
    void acquireRaisesReleaseRestores() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        KeInitializeSpinLock(lock);
        Ref<Integer> apc = new Ref<>();
        Wdm.KeRaiseIrql(APC_LEVEL, apc);
        Ref<Integer> oldIrql = new Ref<>();
        KeAcquireSpinLock(lock, oldIrql);
        assertEquals(APC_LEVEL, oldIrql.value());
        assertEquals(DISPATCH_LEVEL, KeGetCurrentIrql());
        assertTrue(lock.isHeld());
        KeReleaseSpinLock(lock, oldIrql.value());
        assertEquals(APC_LEVEL, KeGetCurrentIrql());
        assertFalse(lock.isHeld());
        Wdm.KeLowerIrql(apc.value());
    }

    @Test
    @DisplayName("NDIS spin locks: NdisAcquireSpinLock saves the IRQL in the lock, NdisDpr* keep DISPATCH_LEVEL")
    void ndisSpinLocks() {
        NDIS_SPIN_LOCK lock = new NDIS_SPIN_LOCK();
        NdisAllocateSpinLock(lock);
        NdisAcquireSpinLock(lock);
        assertEquals(PASSIVE_LEVEL, lock.OldIrql);
        assertEquals(DISPATCH_LEVEL, KeGetCurrentIrql());
        NdisReleaseSpinLock(lock);
        assertEquals(PASSIVE_LEVEL, KeGetCurrentIrql());
        KSPIN_LOCK raised = new KSPIN_LOCK();
        int old = KeAcquireSpinLockRaiseToDpc(raised);
        assertEquals(PASSIVE_LEVEL, old);
        NdisDprAcquireSpinLock(lock);
        assertTrue(lock.SpinLock.isHeld());
        NdisDprReleaseSpinLock(lock);
        assertEquals(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeReleaseSpinLock(raised, old);
        NdisFreeSpinLock(lock);
    }

    // ---- events, waits, threads ----

    @Test
    @DisplayName("a relative timeout in 100 ns units times out; a set notification event releases every wait")
    void eventsAndTimeouts() {
        KEVENT event = new KEVENT();
        KeInitializeEvent(event, NotificationEvent, FALSE);
        long start = System.nanoTime();
        assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, -20 * 10_000L));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "waited the 20 ms");
        assertEquals(0, KeSetEvent(event, IO_NO_INCREMENT, FALSE));
        assertEquals(NtStatus.STATUS_SUCCESS, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, null));
        assertEquals(1, KeReadStateEvent(event), "a notification event stays signalled");
        KeClearEvent(event);
        assertEquals(0, KeResetEvent(event));

        KEVENT synchronization = new KEVENT();
        KeInitializeEvent(synchronization, SynchronizationEvent, TRUE);
        assertEquals(NtStatus.STATUS_SUCCESS, KeWaitForSingleObject(synchronization, Executive, KernelMode, FALSE, 0L));
        assertEquals(0, KeReadStateEvent(synchronization), "a synchronization event resets when it releases a wait");
    }

    @Test
    @DisplayName("NdisWaitEvent returns when another thread sets the event, and FALSE when its milliseconds pass")
    void ndisEvents() throws InterruptedException {
        NDIS_EVENT event = new NDIS_EVENT();
        NdisInitializeEvent(event);
        assertFalse(NdisWaitEvent(event, 5));
        Thread setter = Thread.ofPlatform().start(() -> NdisSetEvent(event));
        assertTrue(NdisWaitEvent(event, 0), "0 waits for ever, until the set");
        setter.join();
        NdisResetEvent(event);
        assertFalse(NdisWaitEvent(event, 1));
    }

    @Test
    @DisplayName("a system thread runs at PASSIVE_LEVEL bound to the creator's NDIS, ends by PsTerminateSystemThread")
    void systemThread() {
        KEVENT stop = new KEVENT();
        KeInitializeEvent(stop, NotificationEvent, FALSE);
        List<Object> seen = new ArrayList<>();
        Ref<HANDLE> handle = new Ref<>();
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                PsCreateSystemThread(
                        handle,
                        THREAD_ALL_ACCESS,
                        null,
                        null,
                        null,
                        context -> {
                            seen.add(context);
                            seen.add(KeGetCurrentIrql());
                            seen.add(SystemNdis.current());
                            KeWaitForSingleObject(stop, Executive, KernelMode, FALSE, null);
                            PsTerminateSystemThread(0x1234);
                            seen.add("not reached");
                        },
                        "ctx"));
        HANDLE threadHandle = handle.value();
        assertNotNull(threadHandle);
        Ref<PETHREAD> threadObject = new Ref<>();
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                ObReferenceObjectByHandle(threadHandle, SYNCHRONIZE, PsThreadType, KernelMode, threadObject, null));
        assertEquals(NtStatus.STATUS_SUCCESS, ZwClose(threadHandle));
        assertEquals(NtStatus.STATUS_INVALID_HANDLE, ZwClose(threadHandle));
        PETHREAD thread = threadObject.value();
        assertNotNull(thread);
        assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, -10_000L));
        KeSetEvent(stop, IO_NO_INCREMENT, FALSE);
        assertEquals(NtStatus.STATUS_SUCCESS, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, null));
        ObDereferenceObject(thread);
        assertEquals(List.of("ctx", PASSIVE_LEVEL, ndis), seen);
        assertEquals(0x1234, thread.thread.exitStatus());
        assertThrows(IllegalStateException.class, () -> PsTerminateSystemThread(0), "only a system thread may end");
    }

    // ---- DPCs, work items, timers ----

    @Test
    @DisplayName("a DPC runs once at DISPATCH_LEVEL however often it is queued before it runs")
    void dpcRunsAtDispatch() throws InterruptedException {
        ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        KDPC blocker = new KDPC();
        KeInitializeDpc(blocker, (d, c, a1, a2) -> awaitQuietly(release), null);
        KDPC dpc = new KDPC();
        KeInitializeDpc(
                dpc,
                (d, context, a1, a2) -> {
                    seen.add(context);
                    seen.add(a1);
                    seen.add(KeGetCurrentIrql());
                    seen.add(SystemNdis.current());
                },
                "context");
        assertTrue(KeInsertQueueDpc(blocker, null, null));
        assertTrue(KeInsertQueueDpc(dpc, "arg1", null));
        assertFalse(KeInsertQueueDpc(dpc, "again", null), "queued already");
        release.countDown();
        KeFlushQueuedDpcs();
        assertEquals(List.of("context", "arg1", DISPATCH_LEVEL, ndis), List.copyOf(seen));
    }

    @Test
    @DisplayName("a DPC queued during a receive indication runs after it, once, on the receive thread (Organization of"
            + " DPC Queues: the current processor, when it leaves DISPATCH_LEVEL work)")
    void dpcQueuedInAReceiveRunsAfterTheIndication() {
        List<String> events = new ArrayList<>();
        KDPC dpc = new KDPC();
        KeInitializeDpc(
                dpc,
                (d, c, a1, a2) -> events.add("dpc on " + Thread.currentThread().getName()),
                null);
        MemoryMiniport miniport = MemoryMiniport.builder().build();
        try (Adapter adapter = withReceiveFilter(miniport, "dpc-per-packet", chain -> {
            for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
                events.add("packet; queued " + KeInsertQueueDpc(dpc, null, null));
            }
        })) {
            for (int i = 0; i < 3; i++) {
                assertTrue(miniport.receive(new byte[64]));
            }
            assertEquals(3, adapter.poll(0, 16));
            String thread = Thread.currentThread().getName();
            assertEquals(
                    List.of("packet; queued true", "packet; queued false", "packet; queued false", "dpc on " + thread),
                    events);
        }
    }

    @Test
    @DisplayName("queueing a DPC per receive indication and running it allocates nothing once warm")
    void dpcPerIndicationAllocatesNothing() {
        int[] ran = {0};
        KDPC dpc = new KDPC();
        KeInitializeDpc(dpc, (d, c, a1, a2) -> ran[0]++, null);
        MemoryMiniport miniport = MemoryMiniport.builder().build();
        // From a segment: receive(byte[]) wraps its array in a segment per packet.
        MemorySegment packet = Arena.ofAuto().allocate(64);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Adapter adapter =
                withReceiveFilter(miniport, "dpc-per-indication", chain -> KeInsertQueueDpc(dpc, null, null))) {
            int indications = 20_000;
            long allocated = 0;
            for (int round = 0; round < 2; round++) { // the first round warms up: JIT, class loading, first uses
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < indications; i++) {
                    miniport.receive(packet, 0, 64);
                    adapter.poll(0, 16);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(2 * indications, ran[0], "one DPC run per indication");
            assertTrue(allocated < indications, allocated + " bytes for " + indications + " indications");
        }
    }

    @Test
    @DisplayName(
            "a DPC queued in a service nested in another (a handler that polls an adapter) runs after the outer one")
    void dpcQueuedInANestedServiceRunsAfterTheOuterOne() {
        List<String> events = new ArrayList<>();
        KDPC dpc = new KDPC();
        KeInitializeDpc(dpc, (d, c, a1, a2) -> events.add("dpc"), null);
        MemoryMiniport inner = MemoryMiniport.builder().build();
        MemoryMiniport outer = MemoryMiniport.builder().build();
        try (Adapter innerAdapter = withReceiveFilter(inner, "queues", chain -> {
                    events.add("inner packet");
                    KeInsertQueueDpc(dpc, null, null);
                });
                Adapter outerAdapter = withReceiveFilter(outer, "polls", chain -> {
                    innerAdapter.poll(0, 16);
                    events.add("inner service returned");
                })) {
            assertTrue(inner.receive(new byte[64]));
            assertTrue(outer.receive(new byte[64]));
            outerAdapter.poll(0, 16);
            assertEquals(List.of("inner packet", "inner service returned", "dpc"), events);
        }
    }

    @Test
    @DisplayName(
            "a DPC that throws after a receive indication does not keep the next one from running; the poll rethrows")
    void aThrowingDpcDoesNotStopTheQueue() {
        List<String> events = new ArrayList<>();
        KDPC failing = new KDPC();
        KeInitializeDpc(
                failing,
                (d, c, a1, a2) -> {
                    throw new IllegalStateException("the driver's bug");
                },
                null);
        KDPC next = new KDPC();
        KeInitializeDpc(next, (d, c, a1, a2) -> events.add("next ran"), null);
        MemoryMiniport miniport = MemoryMiniport.builder().build();
        try (Adapter adapter = withReceiveFilter(miniport, "two-dpcs", chain -> {
            KeInsertQueueDpc(failing, null, null);
            KeInsertQueueDpc(next, null, null);
        })) {
            assertTrue(miniport.receive(new byte[64]));
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> adapter.poll(0, 16));
            assertEquals("the driver's bug", thrown.getMessage());
            assertEquals(List.of("next ran"), events);
        }
    }

    @Test
    @DisplayName("KeFlushQueuedDpcs waits for a DPC queued on a receive thread that has not finished its indication")
    void flushWaitsForAReceiveThreadsDpcs() throws Exception {
        CountDownLatch inIndication = new CountDownLatch(1);
        CountDownLatch finishIndication = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        KDPC dpc = new KDPC();
        KeInitializeDpc(dpc, (d, c, a1, a2) -> ran.incrementAndGet(), null);
        MemoryMiniport miniport = MemoryMiniport.builder().build();
        try (Adapter adapter = withReceiveFilter(miniport, "slow-indication", chain -> {
            KeInsertQueueDpc(dpc, null, null);
            inIndication.countDown();
            awaitQuietly(finishIndication);
        })) {
            assertTrue(miniport.receive(new byte[64]));
            Thread receiver = Thread.ofPlatform().start(() -> {
                try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
                    adapter.poll(0, 16);
                }
            });
            try {
                assertTrue(inIndication.await(5, TimeUnit.SECONDS));
                Thread flusher = Thread.ofPlatform().start(() -> {
                    try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
                        KeFlushQueuedDpcs();
                    }
                });
                flusher.join(200);
                assertTrue(flusher.isAlive(), "the flush waits while the DPC is queued");
                assertEquals(0, ran.get());
                finishIndication.countDown();
                flusher.join(5_000);
                assertFalse(flusher.isAlive(), "the flush returned once the indication ended and the DPC ran");
                assertEquals(1, ran.get());
            } finally {
                finishIndication
                        .countDown(); // a failed check must not leave the receive thread (and the adapter) stuck
                receiver.join(5_000);
            }
        }
    }

    /**
     * An adapter over {@code miniport} with one filter, {@code filter}, whose FilterReceiveNetBufferLists runs
     * {@code onIndication} on each indicated chain and then returns it.
     */
    private Adapter withReceiveFilter(MemoryMiniport miniport, String filter, Consumer<NetBufferList> onIndication) {
        return Adapter.builder(ndis)
                .miniport(miniport)
                .lwf(filter, handle -> new LwfHandlers() {
                    @Override
                    public void receiveNetBufferLists(
                            LwfHandle from, NetBufferList chain, int port, int count, int receiveFlags) {
                        onIndication.accept(chain);
                        from.returnNetBufferLists(chain, 0);
                    }
                })
                .build();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("IoQueueWorkItem and NdisQueueIoWorkItem run their routines at PASSIVE_LEVEL")
    void workItems() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(2);
        ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
        DEVICE_OBJECT device = new DEVICE_OBJECT();
        IO_WORKITEM item = IoAllocateWorkItem(device);
        IoQueueWorkItem(
                item,
                (deviceObject, context) -> {
                    seen.add(deviceObject == device ? "device" : "another device");
                    seen.add(KeGetCurrentIrql());
                    done.countDown();
                },
                DelayedWorkQueue,
                null);
        NDIS_IO_WORKITEM ndisItem = NdisAllocateIoWorkItem(ndis);
        NdisQueueIoWorkItem(
                ndisItem,
                (context, handle) -> {
                    seen.add(context);
                    seen.add(handle == ndisItem ? "handle" : "another handle");
                    done.countDown();
                },
                "ndis context");
        assertTrue(done.await(5, TimeUnit.SECONDS));
        IoFreeWorkItem(item);
        NdisFreeIoWorkItem(ndisItem);
        assertTrue(seen.containsAll(List.of("device", PASSIVE_LEVEL, "ndis context", "handle")), seen::toString);
    }

    @Test
    @DisplayName("KeSetTimer signals the timer and queues its DPC; KeCancelTimer stops one that has not expired")
    void kernelTimer() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        KDPC dpc = new KDPC();
        KeInitializeDpc(dpc, (d, c, a1, a2) -> fired.countDown(), null);
        KTIMER timer = new KTIMER();
        KeInitializeTimer(timer);
        assertFalse(KeSetTimer(timer, -10 * 10_000L, dpc));
        assertEquals(NtStatus.STATUS_SUCCESS, KeWaitForSingleObject(timer, Executive, KernelMode, FALSE, null));
        assertTrue(KeReadStateTimer(timer));
        assertTrue(fired.await(5, TimeUnit.SECONDS));

        KTIMER later = new KTIMER();
        KeInitializeTimerEx(later, SynchronizationTimer);
        assertFalse(KeSetTimerEx(later, -60 * 10_000_000L, 0, null));
        assertTrue(KeCancelTimer(later));
        assertFalse(KeCancelTimer(later));
    }

    @Test
    @DisplayName("a thread's before-wait action runs before each kernel wait that may block, not before a zero-timeout"
            + " test, and not once removed")
    void beforeWaitRunsBeforeEachBlockingWait() {
        KEVENT event = new KEVENT();
        KeInitializeEvent(event, NotificationEvent, FALSE);
        List<String> ran = new ArrayList<>();
        Waits.setBeforeWait(() -> ran.add("before"));
        try {
            assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, -10_000L));
            assertEquals(List.of("before"), ran, "a relative timeout of 1 ms may block");
            assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, 0L));
            assertEquals(List.of("before"), ran, "a zero timeout only tests");
            KeDelayExecutionThread(KernelMode, FALSE, -10_000L);
            assertEquals(List.of("before", "before"), ran, "KeDelayExecutionThread sleeps");
            Waits.setBeforeWait(null);
            assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, -10_000L));
            assertEquals(2, ran.size(), "removed");
        } finally {
            Waits.setBeforeWait(null);
        }
    }

    @Test
    @DisplayName("an absolute timeout (100 ns since 1601) waits until that time, and not at all once it has passed")
    void absoluteTimeout() {
        KEVENT event = new KEVENT();
        KeInitializeEvent(event, NotificationEvent, FALSE);
        long now = 116_444_736_000_000_000L + System.currentTimeMillis() * 10_000L;
        long start = System.nanoTime();
        assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, now - 10_000_000L));
        assertTrue(System.nanoTime() - start < 50_000_000L, "a time in the past: no wait");
        start = System.nanoTime();
        assertEquals(STATUS_TIMEOUT, KeWaitForSingleObject(event, Executive, KernelMode, FALSE, now + 1_000_000L));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= 80_000_000L && waited < 5_000_000_000L, "100 ms from now: waited " + waited + " ns");
    }

    @Test
    @DisplayName(
            "KeSetTimer with a KDPC that KeInitializeDpc never set up throws at the call, not on the timer's thread")
    void timerWithUninitializedDpc() {
        KTIMER timer = new KTIMER();
        KeInitializeTimer(timer);
        IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> KeSetTimer(timer, -10 * 10_000L, new KDPC()));
        assertTrue(thrown.getMessage().contains("KeInitializeDpc"), thrown.getMessage());
        assertFalse(KeCancelTimer(timer), "the timer was not set");
    }

    @Test
    @DisplayName("an NDIS timer object calls its function at DISPATCH_LEVEL, periodically until cancelled")
    void ndisTimerObject() throws InterruptedException {
        CountDownLatch three = new CountDownLatch(3);
        ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
        NDIS_TIMER_CHARACTERISTICS characteristics = new NDIS_TIMER_CHARACTERISTICS();
        NdisH.NdisZeroMemory(characteristics, characteristics.sizeof());
        characteristics.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
        characteristics.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
        characteristics.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
        characteristics.AllocationTag = CLiteral.tag("rmiT");
        characteristics.FunctionContext = "default";
        characteristics.TimerFunction = (s1, context, s2, s3) -> {
            seen.add(context);
            seen.add(KeGetCurrentIrql());
            three.countDown();
        };
        Ref<NDIS_TIMER> timer = new Ref<>();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(ndis, characteristics, timer));
        NDIS_TIMER object = timer.value();
        assertNotNull(object);
        assertFalse(NdisSetTimerObject(object, -1 * 10_000L, 2, null));
        assertTrue(three.await(5, TimeUnit.SECONDS));
        assertTrue(NdisCancelTimerObject(object), "a periodic timer is set until cancelled");
        NdisFreeTimerObject(object);
        assertEquals(List.of("default", DISPATCH_LEVEL), List.copyOf(seen).subList(0, 2));

        characteristics.TimerFunction = null;
        assertEquals(NtStatus.NDIS_STATUS_INVALID_PARAMETER, NdisAllocateTimerObject(ndis, characteristics, timer));
    }

    // ---- LIST_ENTRY and CONTAINING_RECORD ----

    /** A driver's record linked into a list through an embedded entry, as C embeds a LIST_ENTRY. */
    private static final class FILTER_MODULE {
        final LIST_ENTRY Link = new LIST_ENTRY(this);
        final String Name;

        FILTER_MODULE(String name) {
            Name = name;
        }
    }

    @Test
    @DisplayName("the list macros keep a circular list, and CONTAINING_RECORD gets each record back from its entry")
    void listsAndContainingRecord() {
        LIST_ENTRY modules = new LIST_ENTRY();
        InitializeListHead(modules);
        assertTrue(IsListEmpty(modules));
        FILTER_MODULE a = new FILTER_MODULE("a");
        FILTER_MODULE b = new FILTER_MODULE("b");
        FILTER_MODULE c = new FILTER_MODULE("c");
        InsertTailList(modules, b.Link);
        InsertTailList(modules, c.Link);
        InsertHeadList(modules, a.Link);
        List<String> names = new ArrayList<>();
        for (LIST_ENTRY link = modules.Flink; link != modules; link = link.Flink) {
            names.add(CONTAINING_RECORD(link, FILTER_MODULE.class).Name);
        }
        assertEquals(List.of("a", "b", "c"), names);
        assertFalse(RemoveEntryList(b.Link));
        assertSame(c, CONTAINING_RECORD(RemoveTailList(modules), FILTER_MODULE.class));
        assertSame(a, CONTAINING_RECORD(RemoveHeadList(modules), FILTER_MODULE.class));
        assertTrue(IsListEmpty(modules));
        assertThrows(IllegalArgumentException.class, () -> CONTAINING_RECORD(modules, FILTER_MODULE.class));
        assertThrows(IllegalStateException.class, () -> IsListEmpty(new LIST_ENTRY()), "never initialised");
    }

    // ---- pool and structures over pool ----

    /**
     * A driver structure laid over a tagged pool block, so that poolmon counts it under the driver's tag: each field
     * is an accessor at its C offset ({@code typedef struct { ULONG Flags; ULONG64 Packets; } FLOW_STATS;}).
     */
    private record FLOW_STATS(MemorySegment memory) implements NdisStruct {
        static final int SIZEOF = 16;

        int Flags() {
            return memory.get(ValueLayout.JAVA_INT, 0);
        }

        void Flags(int flags) {
            memory.set(ValueLayout.JAVA_INT, 0, flags);
        }

        long Packets() {
            return memory.get(ValueLayout.JAVA_LONG, 8);
        }

        void Packets(long packets) {
            memory.set(ValueLayout.JAVA_LONG, 8, packets);
        }

        @Override
        public int sizeof() {
            return SIZEOF;
        }

        @Override
        public void zero() {
            memory.asSlice(0, SIZEOF).fill((byte) 0);
        }
    }

    @Test
    @DisplayName("ExAllocatePool2 memory shows under the driver's tag in poolmon, zeroed, with a structure over it")
    void executivePoolAndStructuresOverIt() {
        int tag = CLiteral.tag("tsFS");
        MemoryBlock block = ExAllocatePool2(POOL_FLAG_NON_PAGED, FLOW_STATS.SIZEOF, tag);
        assertNotNull(block);
        PoolTag poolTag = new PoolTag(tag);
        assertEquals(1, ndis.poolUsage().diff(poolTag));
        FLOW_STATS stats = new FLOW_STATS(block.segment());
        assertEquals(0, stats.Packets(), "ExAllocatePool2 zeroes");
        stats.Flags(7);
        stats.Packets(stats.Packets() + 1);
        assertEquals(1, block.segment().get(ValueLayout.JAVA_LONG, 8), "the field is the pool memory");
        RtlZeroMemory(stats, stats.sizeof());
        assertEquals(0, stats.Flags());
        ExFreePoolWithTag(block, tag);
        assertEquals(0, ndis.poolUsage().diff(poolTag));

        MemoryBlock ndisBlock = NdisH.NdisAllocateMemoryWithTagPriority(ndis, 64, tag, Wdm.NormalPoolPriority);
        assertNotNull(ndisBlock);
        assertEquals(1, ndis.poolUsage().diff(poolTag), "NDIS's allocations count under the same tag");
        NdisH.NdisFreeMemoryWithTagPriority(ndis, ndisBlock, tag);
    }

    // ---- Rtl ----

    @Test
    @DisplayName("RtlCompareMemory counts equal leading bytes; byte swaps are htons and htonl")
    void rtlHelpers() {
        MemorySegment one = MemorySegment.ofArray(new byte[] {1, 2, 3, 4});
        MemorySegment other = MemorySegment.ofArray(new byte[] {1, 2, 9, 4});
        assertEquals(2, RtlCompareMemory(one, other, 4));
        assertEquals(4, RtlCompareMemory(one, one, 4));
        assertEquals(0x3412, RtlUshortByteSwap(0x1234));
        assertEquals(0x78563412, RtlUlongByteSwap(0x12345678));
        assertEquals(0x0807060504030201L, RtlUlonglongByteSwap(0x0102030405060708L));
    }

    @Test
    @DisplayName("RtlIpv4StringToAddressW and RtlIpv6StringToAddressW parse into network order and give the rest")
    void addressStrings() {
        MemorySegment v4 = MemorySegment.ofArray(new byte[4]);
        Ref<String> rest = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, RtlIpv4StringToAddressW("192.0.2.1:80", TRUE, rest, v4));
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, v4.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(":80", rest.value());
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, RtlIpv4StringToAddressW("192.0.2", TRUE, rest, v4));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, RtlIpv4StringToAddressW("256.0.0.1", TRUE, rest, v4));

        MemorySegment v6 = MemorySegment.ofArray(new byte[16]);
        assertEquals(NtStatus.STATUS_SUCCESS, RtlIpv6StringToAddressW("2001:db8::1%4", rest, v6));
        assertEquals(0x20, v6.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(0x01, v6.get(ValueLayout.JAVA_BYTE, 15));
        assertEquals("%4", rest.value());
        assertEquals(NtStatus.STATUS_SUCCESS, RtlIpv6StringToAddressW("::ffff:192.0.2.1", rest, v6));
        assertEquals((byte) 0xFF, v6.get(ValueLayout.JAVA_BYTE, 10), "the mapped form is kept");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, RtlIpv6StringToAddressW("1:2:3", rest, v6));
    }

    // ---- WDF ----

    @Test
    @DisplayName("a callout DriverEntry's WDF part: control device, device object, parameters from the user's file")
    void wdfControlDeviceAndParameters(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("parameters.txt");
        Files.writeString(file, """
                # the driver's Parameters key
                InspectInbound = 1
                Mask = 0xFFFFFFFF
                Name = "inspect"
                """);
        String previous = System.setProperty(DriverParameters.PROPERTY, file.toString());
        try {
            AtomicInteger unloads = new AtomicInteger();
            WDF_DRIVER_CONFIG config = new WDF_DRIVER_CONFIG();
            WDF_DRIVER_CONFIG_INIT(config, null);
            config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
            config.EvtDriverUnload = driver -> unloads.incrementAndGet();
            Ref<WDFDRIVER> driver = new Ref<>();
            assertEquals(
                    NtStatus.STATUS_SUCCESS, WdfDriverCreate(null, null, WDF_NO_OBJECT_ATTRIBUTES, config, driver));
            WDFDRIVER wdfDriver = driver.value();
            assertNotNull(wdfDriver);

            Ref<WDFDEVICE_INIT> init = new Ref<>(WdfControlDeviceInitAllocate(wdfDriver, SDDL_DEVOBJ_KERNEL_ONLY));
            Ref<WDFDEVICE> device = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, WdfDeviceCreate(init, WDF_NO_OBJECT_ATTRIBUTES, device));
            assertNull(init.value(), "WdfDeviceCreate consumes the init");
            WDFDEVICE wdfDevice = device.value();
            assertNotNull(wdfDevice);
            assertTrue(wdfDevice.isInitializing());
            WdfControlFinishInitializing(wdfDevice);
            assertFalse(wdfDevice.isInitializing());
            assertSame(WdfDeviceWdmGetDeviceObject(wdfDevice), WdfDeviceWdmGetDeviceObject(wdfDevice));

            Ref<WDFKEY> key = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, WdfDriverOpenParametersRegistryKey(wdfDriver, KEY_READ, null, key));
            WDFKEY parameters = key.value();
            assertNotNull(parameters);
            Ref<Integer> value = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, WdfRegistryQueryULong(parameters, "inspectinbound", value));
            assertEquals(1, value.value());
            assertEquals(NtStatus.STATUS_SUCCESS, WdfRegistryQueryULong(parameters, "Mask", value));
            assertEquals(0xFFFFFFFF, value.value());
            assertEquals(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, WdfRegistryQueryULong(parameters, "Name", value));
            assertEquals(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, WdfRegistryQueryULong(parameters, "Missing", value));
            WdfRegistryClose(parameters);
            WdfObjectDelete(wdfDevice);
            wdfDriver.unload();
            assertEquals(1, unloads.get());
        } finally {
            if (previous == null) {
                System.clearProperty(DriverParameters.PROPERTY);
            } else {
                System.setProperty(DriverParameters.PROPERTY, previous);
            }
        }
    }
}
