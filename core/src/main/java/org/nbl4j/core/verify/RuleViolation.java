package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * A broken {@link Rule}: thrown at the call that broke it, before anything is changed, so that no structure is left
 * half-modified.
 */
public final class RuleViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Rule rule;
    private final @Nullable Violation violation;

    public RuleViolation(Rule rule, String detail) {
        super(rule.name() + " (" + rule.section() + "): " + rule.summary() + ": " + detail);
        this.rule = rule;
        this.violation = null;
    }

    /** The exception for a violation the verifier found, with its sites in the message. */
    public RuleViolation(Violation violation) {
        super(violation.describe());
        this.rule = violation.rule();
        this.violation = violation;
    }

    /** The verifier's full report, when the verifier found the violation (with sites), else {@code null}. */
    public @Nullable Violation violation() {
        return violation;
    }

    /** The rule that was broken. */
    public Rule rule() {
        return rule;
    }
}
