package org.nbl4j.core.verify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.nbl4j.core.memory.PoolTag;

/**
 * The tracked buffers still allocated, grouped the two ways a driver writer needs: by pool tag (what poolmon would
 * show) and by allocation site (the line to fix).
 *
 * @param outstanding every tracked buffer not yet freed, oldest first
 */
public record LeakReport(List<BufferTrack> outstanding) {

    public LeakReport {
        outstanding = List.copyOf(outstanding);
    }

    /** Whether nothing tracked is outstanding. */
    public boolean isEmpty() {
        return outstanding.isEmpty();
    }

    /** Outstanding buffers per tag, in tag order. */
    public Map<PoolTag, List<BufferTrack>> byTag() {
        return outstanding.stream().collect(Collectors.groupingBy(BufferTrack::tag, TreeMap::new, Collectors.toList()));
    }

    /** Outstanding buffers per allocation site ({@link Site#where()}), the site with most buffers first. */
    public Map<String, List<BufferTrack>> bySite() {
        Map<String, List<BufferTrack>> grouped = outstanding.stream()
                .collect(Collectors.groupingBy(track -> track.allocation().where()));
        Map<String, List<BufferTrack>> ordered = new LinkedHashMap<>();
        grouped.entrySet().stream()
                .sorted((a, b) ->
                        Integer.compare(b.getValue().size(), a.getValue().size()))
                .forEach(entry -> ordered.put(entry.getKey(), entry.getValue()));
        return ordered;
    }

    /** The part of the report for one tag. */
    public String describe(PoolTag tag) {
        return new LeakReport(outstanding.stream()
                        .filter(track -> track.tag().equals(tag))
                        .toList())
                .describe();
    }

    /**
     * The report as text, top-down: how many are outstanding, then one block per allocation site whose first line is
     * the count and the buffer, followed by the driver's allocating line, who holds it, the last touch, and the
     * driver's frames of the allocation.
     */
    public String describe() {
        if (outstanding.isEmpty()) {
            return "no tracked buffer is outstanding\n";
        }
        StringBuilder text = new StringBuilder();
        text.append(outstanding.size()).append(" tracked buffer(s) outstanding\n");
        for (Map.Entry<String, List<BufferTrack>> entry : bySite().entrySet()) {
            BufferTrack first = entry.getValue().getFirst();
            text.append(entry.getValue().size())
                    .append(" x ")
                    .append(first.description())
                    .append(" [")
                    .append(first.tag())
                    .append("]\n");
            text.append("  allocated:  ").append(first.allocation().headline()).append('\n');
            Object holder = first.holder();
            text.append("  held by:    ")
                    .append(holder == null ? "its allocator" : holder)
                    .append(" (")
                    .append(first.state())
                    .append(")\n");
            List<Site> touches = first.touches();
            if (!touches.isEmpty()) {
                text.append("  last touch: ")
                        .append(touches.getLast().headline())
                        .append('\n');
            }
            text.append("  allocated at:\n").append(first.allocation().describe());
        }
        return text.toString();
    }
}
