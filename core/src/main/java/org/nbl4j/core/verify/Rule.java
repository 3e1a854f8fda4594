package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * A rule a driver can break, with the place in the spec that states it, the bugcheck Windows raises for it, and its
 * {@link RuleKind}, which decides what breaking it does. A rule is broken in one way only: through
 * {@link Verifier#report}.
 *
 * <p>Each layer declares the rules it checks itself, as an enum that implements this interface: core's are the NDIS
 * buffer model's ({@link BufferRule}); the stack declares the rules of its filter path and of WFP, of which core
 * knows nothing. Windows spreads the same rules over the NDIS NBL tracker, Driver Verifier's NDIS rules and SDV.
 */
public interface Rule {
    /** The rule's constant name, e.g. {@code NBL_DOUBLE_FREE}: reports, events and the docs name it so. */
    String name();

    /** Where the rule is stated, e.g. {@code ndis-buffers §5.2}. */
    String section();

    /** The rule in one line. */
    String summary();

    /** Whether breaking the rule is an argument error (always thrown) or a state error (the policy decides). */
    RuleKind kind();

    /** The bugcheck Windows raises for this rule, with {@code parameter2}, or {@code null} if it has none. */
    @Nullable
    Bugcheck bugcheck(long parameter2);
}
