package org.nbl4j.core.verify;

/**
 * A broken {@link Rule}: thrown at the call that broke it, before anything is changed, so that no structure is left
 * half-modified.
 */
public final class RuleViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Rule rule;

    public RuleViolation(Rule rule, String detail) {
        super(rule.name() + " (" + rule.section() + "): " + rule.summary() + ": " + detail);
        this.rule = rule;
    }

    /** The rule that was broken. */
    public Rule rule() {
        return rule;
    }
}
