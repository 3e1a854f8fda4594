package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link Rule} constant declares about itself, kept in one value so that the rule enums of every layer hold
 * one field each and {@link Rule} answers from it.
 *
 * @param section where the rule is stated, e.g. {@code ndis-buffers §5.2}
 * @param summary the rule in one line
 * @param kind whether breaking it is an argument error or a state error
 * @param bugcheck the bugcheck Windows raises for it, without its second parameter, or {@code null}
 */
public record RuleDefinition(
        String section,
        String summary,
        RuleKind kind,
        @Nullable Bugcheck bugcheck) {}
