package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAcquireSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisReleaseSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisWaitEvent;
import static org.nbl4j.stack.ddk.Ntddk.Executive;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireInStackQueuedSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireSpinLockAtDpcLevel;
import static org.nbl4j.stack.ddk.Ntddk.KeFlushQueuedDpcs;
import static org.nbl4j.stack.ddk.Ntddk.KeInitializeDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeInsertQueueDpc;
import static org.nbl4j.stack.ddk.Ntddk.KeReleaseSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeWaitForSingleObject;
import static org.nbl4j.stack.ddk.Ntddk.KernelMode;
import static org.nbl4j.stack.ddk.Ntddk.STATUS_TIMEOUT;
import static org.nbl4j.stack.ddk.Wdm.DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.FALSE;
import static org.nbl4j.stack.ddk.Wdm.KeGetCurrentIrql;
import static org.nbl4j.stack.ddk.Wdm.KeLowerIrql;
import static org.nbl4j.stack.ddk.Wdm.KeRaiseIrql;
import static org.nbl4j.stack.ddk.Wdm.PASSIVE_LEVEL;

import java.util.concurrent.atomic.AtomicReference;
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
        Violation violation = refused(KernelRule.SPIN_LOCK_WRONG_IRQL, () -> KeReleaseSpinLock(lock, oldIrql.value()));
        assertTrue(violation.site().where().contains(DRIVER), violation.site()::headline);
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
        NdisAcquireSpinLock(lock);
        Violation violation = refused(KernelRule.SPIN_LOCK_RECURSIVE_ACQUIRE, () -> NdisAcquireSpinLock(lock));
        assertTrue(violation.site().where().contains(DRIVER), violation.site()::headline);
        assertTrue(violation.detail().contains("acquired by NdisAcquireSpinLock at"), violation.detail());
        assertTrue(violation.detail().contains(DRIVER), "names where the first acquire was: " + violation.detail());
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
            Violation violation = refused(
                    KernelRule.WAIT_AT_DISPATCH,
                    () -> KeWaitForSingleObject(event, Executive, KernelMode, FALSE, -10_000L));
            assertTrue(violation.site().where().contains(DRIVER), violation.site()::headline);
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
            Violation violation = refused(KernelRule.WAIT_AT_DISPATCH, () -> NdisWaitEvent(event, 1));
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
        KeInitializeDpc(dpc, (d, context, a1, a2) -> KeAcquireSpinLockAtDpcLevel(lock), null);
        assertTrue(KeInsertQueueDpc(dpc, null, null));
        KeFlushQueuedDpcs();
        Violation violation = only(KernelRule.SPIN_LOCK_HELD_AT_RETURN);
        assertTrue(violation.detail().startsWith("the DPC routine of "), violation.detail());
        assertTrue(violation.detail().contains("acquired by KeAcquireSpinLockAtDpcLevel at"), violation.detail());
        assertTrue(violation.detail().contains(DRIVER), violation.detail());
    }

    @Test
    @DisplayName("FilterSendNetBufferListsComplete that returns holding a lock: SPIN_LOCK_HELD_AT_RETURN")
    void filterHandlerReturnsHoldingALock() {
        KLOCK_QUEUE_HANDLE lockHandle = new KLOCK_QUEUE_HANDLE();
        KSPIN_LOCK lock = new KSPIN_LOCK();
        AtomicReference<LwfHandle> attached = new AtomicReference<>();
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
            assertTrue(detail.contains(DRIVER), detail);
            if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
                KeLowerIrql(PASSIVE_LEVEL); // the poll ran on this thread: undo the raise the handler left
            }
            pool.close();
        }
    }

    /** The one violation of {@code rule} the verifier collected (the DPC thread's throw is its own). */
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
}
