package org.nbl4j.core.verify;

/**
 * What happens when the verifier finds a broken rule. Whatever the policy, the illegal operation itself is refused,
 * so that no structure is corrupted.
 */
public enum ViolationPolicy {
    /** Throw a {@link RuleViolation} at the call that broke the rule: the default, like a bugcheck. */
    THROW,
    /** Log the violation and let the program go on (the illegal call does nothing). */
    LOG,
    /** Keep the violation for {@link Verifier#violations()} and let the program go on. */
    COLLECT
}
