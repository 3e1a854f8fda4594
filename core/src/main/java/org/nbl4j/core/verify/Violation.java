package org.nbl4j.core.verify;

import java.util.List;
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
 * @param thrown whether it was thrown, as a {@link RuleViolation}, at the code that broke the rule. Not when the
 *     policy only logs or collects it, when it was noted at shutdown, and not when the held-clone watchdog's timer found
 *     it with nobody to throw at: a test harness (the JUnit extension) must report those itself, as the code under test
 *     never saw them.
 */
public record Violation(
        Rule rule,
        @Nullable Bugcheck bugcheck,
        String detail,
        Site site,
        @Nullable BufferTrack buffer,
        boolean thrown) {

    /**
     * The whole report, top-down as a driver writer reads it: the rule first; then one line each for the object and
     * what happened to it, the driver's line that broke the rule (or, when none is on the stack, the thread that found
     * it), the driver's line that allocated the buffer, and the fix; then Windows' bugcheck and the driver's frames of
     * each site.
     */
    public String describe() {
        return describe(1);
    }

    /**
     * The report of {@code count} equal violations (this rule, at this driver line), as poolmon groups allocations by
     * tag: the first line starts with {@code count x} when there is more than one.
     */
    String describe(int count) {
        StringBuilder text = new StringBuilder();
        if (count > 1) {
            text.append(count).append(" x ");
        }
        text.append(rule.name())
                .append(" (")
                .append(rule.section())
                .append("): ")
                .append(rule.summary())
                .append('\n');
        field(text, "object", detail);
        if (site.frames().isEmpty()) {
            // Found with nothing of the driver's, nor of nbl4j's above its core, on the stack: the held-clone
            // watchdog's timer, for one. The thread says who noticed; the object and allocated lines say the rest.
            field(text, "found by", "thread " + site.thread());
        } else {
            field(text, "broken at", site.headline());
        }
        if (buffer != null) {
            field(text, "allocated", buffer.allocation().headline());
        }
        field(text, "fix", RuleFixes.of(rule));
        if (bugcheck != null) {
            field(text, "Windows", "bugcheck " + bugcheck);
        }
        frames(text, "  frames where it broke:\n", site);
        if (buffer != null) {
            frames(text, "  " + buffer.description() + " allocated at:\n", buffer.allocation());
            Site free = buffer.free();
            if (free != null) {
                text.append("  first freed at:\n").append(free.describe());
            }
            touches(text, buffer.touches());
        }
        return text.toString();
    }

    /** The touch trail, oldest first; a run of touches at the same frames is one entry with its count. */
    private static void touches(StringBuilder text, List<Site> touches) {
        for (int i = 0; i < touches.size(); ) {
            Site touch = touches.get(i);
            int run = 1;
            while (i + run < touches.size() && touches.get(i + run).frames().equals(touch.frames())) {
                run++;
            }
            text.append(run > 1 ? "  touched " + run + " times at:\n" : "  touched at:\n")
                    .append(touch.describe());
            i += run;
        }
    }

    /** A site's frames under {@code heading}, or nothing when the site has none to show. */
    private static void frames(StringBuilder text, String heading, Site site) {
        String frames = site.describe();
        if (!frames.isEmpty()) {
            text.append(heading).append(frames);
        }
    }

    /** One {@code name: value} line, the value's further lines indented under it. */
    private static void field(StringBuilder text, String name, String value) {
        String label = String.format("  %-11s", name + ":");
        String indent = " ".repeat(label.length());
        text.append(label).append(value.strip().replace("\n", "\n" + indent)).append('\n');
    }

    @Override
    public String toString() {
        return rule.name() + ": " + detail + " at " + site.headline();
    }
}
