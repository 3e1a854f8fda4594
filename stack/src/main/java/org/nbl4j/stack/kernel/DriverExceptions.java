package org.nbl4j.stack.kernel;

import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Site;
import org.nbl4j.core.verify.Verifier;

/**
 * What the stack does with an exception that a driver's routine let out on one of the threads that play the kernel's:
 * Windows would bugcheck ({@link KernelRule#DRIVER_ROUTINE_THREW}), nbl4j reports it at the driver's line, taken from
 * the exception's own stack, and lets the thread go on. Those threads: a receive queue's (the service, and the DPCs it
 * led to), a device connection's (a dispatch routine, CLEANUP, CLOSE), a work queue's worker ({@link WorkQueue}),
 * nbl4j's DPC thread ({@link Dpc}: DPCs queued outside a service, timers' DPCs among them), and a system thread
 * ({@link SystemThread}), which ends as {@code PsTerminateSystemThread} would end it. The timer's own thread
 * ({@link KernelTimer}) runs no driver code: an expiry only queues the DPC.
 */
public final class DriverExceptions {
    private DriverExceptions() {}

    /**
     * Reports {@code thrown}, which escaped {@code where} (e.g. "the service of wire1's queue", "the DPC routine of
     * ..."). A rule's own report under the THROW policy ({@link RuleViolation}) names the driver's line already and is
     * rethrown as it is; with the verifier off nothing can be reported and {@code thrown} is rethrown: a receive
     * queue's thread and a system thread end, and the executor behind a worker or the DPC thread replaces the thread
     * (the uncaught exception is printed).
     */
    public static void report(Verifier verifier, RuntimeException thrown, String where) {
        if (thrown instanceof RuleViolation || !verifier.enabled()) {
            throw thrown;
        }
        verifier.report(
                KernelRule.DRIVER_ROUTINE_THREW,
                thrown + " escaped " + where,
                Site.thrownAt(thrown, verifier.settings(), null));
    }
}
