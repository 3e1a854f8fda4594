package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.stack.ddk.KLOCK_QUEUE_HANDLE;
import org.nbl4j.stack.ddk.KSPIN_LOCK;
import org.nbl4j.stack.ddk.Ntddk;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.kernel.KernelRule;

/**
 * The engine checks, after each classifyFn returns, that the callout released the spin locks it acquired: a classifyFn
 * that keeps one deadlocks the next packet on Windows. Removing the {@code HeldSpinLocks} hook from
 * {@code Arbitration.callOut} fails this test.
 */
class ClassifyHeldSpinLockTest {
    @Test
    @DisplayName("a classifyFn that returns holding its spin lock: SPIN_LOCK_HELD_AT_RETURN naming the callout")
    void classifyReturnsHoldingALock() {
        KSPIN_LOCK lock = new KSPIN_LOCK();
        KLOCK_QUEUE_HANDLE handle = new KLOCK_QUEUE_HANDLE();
        try (WfpTestStack stack = new WfpTestStack()) {
            UUID key = UUID.randomUUID();
            stack.engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
                Ntddk.KeAcquireInStackQueuedSpinLock(lock, handle); // the bug: no release on this path
                out.setActionType(ActionType.PERMIT);
            }));
            stack.engine.addFilter(FilterSpec.callout(Layer.INBOUND_IPPACKET_V4, ActionType.CALLOUT_UNKNOWN, key));
            NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
            Irql before = Irql.current();
            RuleViolation thrown = assertThrows(
                    RuleViolation.class,
                    () -> stack.engine.classify(HookPoint.INBOUND_IPPACKET, packet, WfpTestStack.v4Facts(17)));
            assertEquals(KernelRule.SPIN_LOCK_HELD_AT_RETURN, thrown.rule());
            String detail = thrown.violation().detail();
            assertTrue(detail.startsWith("classifyFn of " + key + " returned holding 1 spin lock"), detail);
            assertTrue(detail.contains("KeAcquireInStackQueuedSpinLock"), detail);
            // The test thread ran the classify: release the lock the bug left held (the next test on this thread must
            // hold nothing) and undo the raise it left.
            if (Irql.current() != Irql.DISPATCH_LEVEL) {
                Irql.raise(Irql.DISPATCH_LEVEL);
            }
            handle.OldIrql = before.level();
            Ntddk.KeReleaseInStackQueuedSpinLock(handle);
            stack.engine.containers().release(packet);
            stack.free(packet);
        }
    }
}
