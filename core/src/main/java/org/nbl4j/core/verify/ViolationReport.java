package org.nbl4j.core.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Violations grouped the way poolmon groups allocations by tag: equal violations (the same rule broken at the same
 * driver line) are one entry with a count, so a driver that repeats one mistake a thousand times reads it once.
 *
 * @param groups the groups, in the order their first violation was reported
 */
public record ViolationReport(List<Group> groups) {

    /**
     * Violations of one rule at one driver line.
     *
     * @param first the first of them, whose object and sites the report shows
     * @param count how many there were
     */
    public record Group(Violation first, int count) {
        /** The report of the group: {@link Violation#describe()}, its first line counted. */
        public String describe() {
            return first.describe(count);
        }
    }

    public ViolationReport {
        groups = List.copyOf(groups);
    }

    /** Groups {@code violations} by rule and by the driver line that broke it ({@link Site#where()}). */
    public static ViolationReport of(List<Violation> violations) {
        Map<String, Violation> firsts = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Violation violation : violations) {
            String key = violation.rule().name() + " at " + violation.site().where();
            firsts.putIfAbsent(key, violation);
            counts.merge(key, 1, Integer::sum);
        }
        List<Group> groups = new ArrayList<>();
        firsts.forEach((key, first) -> groups.add(new Group(first, counts.get(key))));
        return new ViolationReport(groups);
    }

    /** Whether there is no violation. */
    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** How many violations the groups hold together. */
    public int count() {
        return groups.stream().mapToInt(Group::count).sum();
    }

    /** Every group's report, one after the other, or {@code no violation}. */
    public String describe() {
        if (groups.isEmpty()) {
            return "no violation\n";
        }
        StringBuilder text = new StringBuilder();
        for (Group group : groups) {
            text.append(group.describe());
        }
        return text.toString();
    }
}
