package org.nbl4j.stack.device;

import static org.nbl4j.core.verify.RuleKind.SHUTDOWN;
import static org.nbl4j.core.verify.RuleKind.STATE;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleDefinition;
import org.nbl4j.core.verify.RuleKind;

/**
 * The rules of the I/O manager that the stack's device objects check: how an IRP is completed, pended, cancelled and
 * read, and what a driver must have finished before it deletes a device or unloads. Windows checks them with Driver
 * Verifier's I/O verification and the bugchecks named here.
 */
public enum DeviceRule implements Rule {
    IRP_COMPLETED_TWICE(
            "issue 16 (IoCompleteRequest)",
            "IoCompleteRequest on an IRP that was already completed",
            STATE,
            new Bugcheck(Bugcheck.MULTIPLE_IRP_COMPLETE_REQUESTS, "MULTIPLE_IRP_COMPLETE_REQUESTS", 0, 0)),
    IRP_COMPLETED_HOLDING_SPIN_LOCK(
            "issue 16 (IoCompleteRequest: \"Never call IoCompleteRequest while holding a spin lock\")",
            "IoCompleteRequest called while the calling thread held a spin lock: the completion runs other drivers'"
                    + " routines and user mode's hand-off under it, which can deadlock",
            STATE),
    IRP_PENDED_WITHOUT_CANCEL_ROUTINE(
            "issue 16 (IoSetCancelRoutine, IoCsqInsertIrp)",
            "a dispatch routine returned STATUS_PENDING for an IRP it had not completed and that had no cancel routine"
                    + " (neither IoSetCancelRoutine nor a cancel-safe queue): closing the handle could not cancel it",
            STATE),
    IRP_PENDING_AT_UNLOAD(
            "issue 16 (DriverUnload)",
            "an IRP dispatched to one of the driver's devices was still pending when its DriverUnload returned",
            SHUTDOWN,
            new Bugcheck(
                    Bugcheck.DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
                    "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS",
                    0,
                    0)),
    IRP_BUFFER_AFTER_COMPLETION(
            "issue 16 (IoCompleteRequest)",
            "an IRP's SystemBuffer, MdlAddress, UserBuffer or Type3InputBuffer read after the IRP was completed",
            STATE),
    DEVICE_DELETED_WITH_OPEN_HANDLES(
            "issue 16 (IoDeleteDevice)",
            "IoDeleteDevice on a device that user mode still has open handles to (CLOSE has not come for them)",
            STATE);

    private final RuleDefinition definition;

    DeviceRule(String section, String summary, RuleKind kind) {
        this(section, summary, kind, null);
    }

    DeviceRule(String section, String summary, RuleKind kind, @Nullable Bugcheck bugcheck) {
        this.definition = new RuleDefinition(section, summary, kind, bugcheck);
    }

    @Override
    public RuleDefinition definition() {
        return definition;
    }
}
