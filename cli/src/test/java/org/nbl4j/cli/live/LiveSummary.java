package org.nbl4j.cli.live;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary {@code nbl4j route} prints when it stops, read back into numbers so that the tests can hold it against
 * what the hosts sent (docs/cli.md, {@code nbl4j route}).
 *
 * @param interfaces per interface name, its row of the interface table
 * @param counts the IP layer's rows ({@code forwarded}, {@code delivered locally}, {@code discards}, ...)
 * @param discards discards by {@code IP_DISCARD_REASON} name
 * @param injected WFP injections accepted
 * @param completed WFP injections completed
 * @param indications WFP indications by layer name
 * @param poolDiffs the poolmon Diff of every tag once the router was closed
 * @param verdict the verdict line
 */
public record LiveSummary(
        Map<String, InterfaceRow> interfaces,
        Map<String, Long> counts,
        Map<String, Long> discards,
        long injected,
        long completed,
        Map<String, Long> indications,
        Map<String, Long> poolDiffs,
        String verdict) {

    /** One row of the interface table. */
    public record InterfaceRow(long received, long ipIn, long ipOut, long transmitted, long dropped) {}

    private static final Pattern INTERFACE_ROW = Pattern.compile("^  (\\S+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+)$");
    private static final Pattern COUNT_ROW = Pattern.compile("^(\\S.*?) +(\\d+)$");
    private static final Pattern NESTED_ROW = Pattern.compile("^  (\\S+) +(\\d+)$");
    private static final Pattern INJECTIONS = Pattern.compile("^WFP injected / completed +(\\d+) / (\\d+)$");
    private static final Pattern POOL_ROW =
            Pattern.compile("^ (\\S+) +\\S+ +(\\d+) +(\\d+) +(-?\\d+) +(-?\\d+) +(\\d+)$");

    /** Reads a printed summary; fails on one that lacks a part. */
    public static LiveSummary parse(String text) {
        Map<String, InterfaceRow> interfaces = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Long> discards = new LinkedHashMap<>();
        Map<String, Long> indications = new LinkedHashMap<>();
        Map<String, Long> poolDiffs = new LinkedHashMap<>();
        long injected = -1;
        long completed = -1;
        String verdict = null;
        String section = "";
        for (String line : text.split("\n")) {
            Matcher matcher;
            if (line.startsWith("  interface ")) {
                section = "interfaces";
            } else if (line.isBlank()) {
                section = section.equals("interfaces") ? "" : section;
            } else if (line.startsWith("poolmon ")) {
                section = "poolmon";
            } else if (line.startsWith("verdict")) {
                verdict = line;
                section = "";
            } else if (section.equals("interfaces") && (matcher = INTERFACE_ROW.matcher(line)).matches()) {
                interfaces.put(
                        matcher.group(1),
                        new InterfaceRow(
                                number(matcher, 2),
                                number(matcher, 3),
                                number(matcher, 4),
                                number(matcher, 5),
                                number(matcher, 6)));
            } else if (section.equals("poolmon") && (matcher = POOL_ROW.matcher(line)).matches()) {
                poolDiffs.put(matcher.group(1), number(matcher, 4));
            } else if ((matcher = INJECTIONS.matcher(line)).matches()) {
                injected = number(matcher, 1);
                completed = number(matcher, 2);
            } else if (line.startsWith("WFP indications by layer")) {
                section = "indications";
            } else if ((matcher = NESTED_ROW.matcher(line)).matches()) {
                (section.equals("indications") ? indications : discards).put(matcher.group(1), number(matcher, 2));
            } else if ((matcher = COUNT_ROW.matcher(line)).matches()) {
                counts.put(matcher.group(1), number(matcher, 2));
                section = matcher.group(1).equals("discards") ? "discards" : "";
            }
        }
        if (interfaces.isEmpty() || injected < 0 || poolDiffs.isEmpty() || verdict == null) {
            throw new IllegalArgumentException("not a complete nbl4j route summary:\n" + text);
        }
        return new LiveSummary(interfaces, counts, discards, injected, completed, indications, poolDiffs, verdict);
    }

    /** An IP-layer row, failing if the summary has none of that name. */
    public long count(String label) {
        Long value = counts.get(label);
        if (value == null) {
            throw new IllegalArgumentException("no row '" + label + "' in " + counts.keySet());
        }
        return value;
    }

    /** The row of an interface, failing if the summary has none of that name. */
    public InterfaceRow interfaceRow(String name) {
        InterfaceRow row = interfaces.get(name);
        if (row == null) {
            throw new IllegalArgumentException("no interface '" + name + "' in " + interfaces.keySet());
        }
        return row;
    }

    /** Whether every pool tag's Diff is 0 once the router was closed. */
    public boolean poolsAtZero() {
        return poolDiffs.values().stream().allMatch(diff -> diff == 0);
    }

    /** The verdict of a clean run. */
    public boolean clean() {
        return verdict.endsWith(": no leak, no violation");
    }

    private static long number(Matcher matcher, int group) {
        return Long.parseLong(matcher.group(group));
    }
}
