package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * A broken rule as the verifier reports it: the rule, the bugcheck Windows would raise, what happened, where, and for
 * a tracked buffer where it was allocated and (for a second free) where it was first freed.
 *
 * @param rule the rule
 * @param bugcheck Windows' bugcheck for it, or {@code null}
 * @param detail what happened
 * @param site where the rule was broken
 * @param buffer the tracked buffer involved, or {@code null}
 */
public record Violation(
        Rule rule,
        @Nullable Bugcheck bugcheck,
        String detail,
        Site site,
        @Nullable BufferTrack buffer) {

    /** The whole report: rule, bugcheck, detail, the breaking site, and the buffer's allocation and first free. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append(rule.name())
                .append(" (")
                .append(rule.section())
                .append("): ")
                .append(rule.summary());
        text.append('\n').append("  ").append(detail).append('\n');
        if (bugcheck != null) {
            text.append("  Windows: bugcheck ").append(bugcheck).append('\n');
        }
        text.append("  at:\n").append(site.describe());
        if (buffer != null) {
            text.append("  ").append(buffer.description()).append(" allocated at:\n");
            text.append(buffer.allocation().describe());
            Site free = buffer.free();
            if (free != null) {
                text.append("  first freed at:\n").append(free.describe());
            }
            for (Site touch : buffer.touches()) {
                text.append("  touched at:\n").append(touch.describe());
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return rule.name() + ": " + detail + " at " + site;
    }
}
