package org.nbl4j.core.verify;

/**
 * A broken {@link Rule}, thrown by {@link Verifier#report} at the call that broke it, before anything is changed, so
 * that no structure is left half-modified. An argument error is always thrown; a state error is thrown under
 * {@link ViolationPolicy#THROW}. Either way the verifier has recorded it in {@link Verifier#violations()} first.
 */
public final class RuleViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Violation violation;

    /** The exception for a violation the verifier recorded, with its sites in the message. */
    RuleViolation(Violation violation) {
        super(violation.describe());
        this.violation = violation;
    }

    /** The verifier's full report: rule, bugcheck, detail and sites. */
    public Violation violation() {
        return violation;
    }

    /** The rule that was broken. */
    public Rule rule() {
        return violation.rule();
    }
}
