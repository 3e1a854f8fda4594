package org.nbl4j.stack.kernel;

import static org.nbl4j.core.verify.RuleKind.STATE;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleDefinition;
import org.nbl4j.core.verify.RuleKind;

/**
 * The rules of the kernel's spin locks and waits that a driver can break. On Windows, Driver Verifier's DDI compliance
 * rules and Static Driver Verifier check them (their pages are cited per rule); a recursive acquire is a deadlock or
 * bugcheck 0xF.
 */
public enum KernelRule implements Rule {
    SPIN_LOCK_WRONG_IRQL(
            "learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkereleasespinlock",
            "a spin lock released at another IRQL than DISPATCH_LEVEL, or acquired AtDpcLevel below it",
            STATE,
            new Bugcheck(
                    Bugcheck.DRIVER_VERIFIER_DETECTED_VIOLATION, "DRIVER_VERIFIER_DETECTED_VIOLATION", 0x00020015, 0)),
    SPIN_LOCK_RECURSIVE_ACQUIRE(
            "learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xf--spin-lock-already-owned",
            "a spin lock acquired again by the thread that holds it: a deadlock on Windows",
            STATE,
            new Bugcheck(0xF, "SPIN_LOCK_ALREADY_OWNED", 0, 0)),
    SPIN_LOCK_NOT_OWNED(
            "learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x10--spin-lock-not-owned",
            "a spin lock released by a thread that does not hold it",
            STATE,
            new Bugcheck(0x10, "SPIN_LOCK_NOT_OWNED", 0, 0)),
    SPIN_LOCK_HELD_AT_RETURN(
            "learn.microsoft.com/windows-hardware/drivers/devtest/wdm-spinlockdpc",
            "a driver's handler (classifyFn, a filter handler, a DPC, a work item) returned with a spin lock it"
                    + " acquired still held",
            STATE),
    DRIVER_ROUTINE_THREW(
            "learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x1e--kmode-exception-not-handled",
            "a driver's routine threw an exception nothing caught: on a receive queue's thread (the miniport's"
                    + " service, the filters, callouts and DPCs it led to), a device connection's (a dispatch routine),"
                    + " a work item's, the DPC thread (a DPC queued outside a service, a timer's) or a system thread",
            STATE,
            new Bugcheck(Bugcheck.KMODE_EXCEPTION_NOT_HANDLED, "KMODE_EXCEPTION_NOT_HANDLED", 0, 0)),
    WAIT_AT_DISPATCH(
            "learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkewaitformultipleobjects",
            "a wait with a timeout other than zero (or none) at DISPATCH_LEVEL or above",
            STATE);

    private final RuleDefinition definition;

    KernelRule(String section, String summary, RuleKind kind) {
        this(section, summary, kind, null);
    }

    KernelRule(String section, String summary, RuleKind kind, @Nullable Bugcheck bugcheck) {
        this.definition = new RuleDefinition(section, summary, kind, bugcheck);
    }

    @Override
    public RuleDefinition definition() {
        return definition;
    }
}
