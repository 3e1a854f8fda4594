package org.nbl4j.stack.kernel;

import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Site;
import org.nbl4j.core.verify.Verifier;

/**
 * What the stack does with an exception that a driver's routine let out on one of the threads that play the kernel's
 * (a receive queue's, a device connection's): Windows would bugcheck ({@link KernelRule#DRIVER_ROUTINE_THREW}), nbl4j
 * reports it at the driver's line, taken from the exception's own stack, and lets the thread go on.
 */
public final class DriverExceptions {
    private DriverExceptions() {}

    /**
     * Reports {@code thrown}, which escaped {@code where} (e.g. "the service of wire1's queue"). A rule's own report
     * under the THROW policy ({@link RuleViolation}) names the driver's line already and is rethrown as it is; with the
     * verifier off nothing can be reported and {@code thrown} is rethrown, ending the thread as before.
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
