package org.nbl4j.core.verify;

/**
 * What breaking a {@link Rule} does. The kind belongs to the rule, not to the place that finds it: the same rule is
 * answered the same way wherever it is broken.
 */
public enum RuleKind {
    /**
     * The call is malformed in itself: a length, delta or flag out of range, heap memory, another allocator's or a
     * freed pool's handle, a chain that loops, a reserved slot. Windows returns an error or bugchecks on such input
     * whatever Driver Verifier does; nbl4j records the violation and throws it at every level and under every
     * {@link ViolationPolicy}, before anything is changed.
     */
    ARGUMENT,
    /**
     * The call is well formed, but what happened to the object before forbids it now: freed already, held by another
     * component, not restored to how it was allocated, at the wrong IRQL, in the wrong filter state. The
     * {@link ViolationPolicy} decides: throw, log or only collect; whatever it is, the call is refused.
     */
    STATE,
    /**
     * Found when nothing can be refused any more (NDIS shutting down with allocations outstanding): recorded and
     * logged, never thrown, whatever the policy, so that the shutdown completes.
     */
    SHUTDOWN
}
