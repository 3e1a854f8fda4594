package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.core.memory.PoolUsageSnapshot;

/**
 * Renders a {@link PoolUsageSnapshot} as the tag table of {@code poolmon.exe} (§2.1): one row per tag with the columns
 * Tag, Type, Allocs, Frees, Diff, Bytes and Per Alloc.
 *
 * <p>Given an earlier snapshot, {@link #render(PoolUsageSnapshot, PoolUsageSnapshot)} adds poolmon's bracketed change
 * columns after Allocs, Frees and Bytes, as on poolmon's live screen:
 *
 * <pre>
 *  Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc
 *
 *  Io   Nonp    1021112 (   1)   1020985 (   1)      127   91912 (     0)    723
 * </pre>
 *
 * Without one, {@link #render(PoolUsageSnapshot)} prints no change columns, like the snapshot file of
 * {@code poolmon /n}. Columns have poolmon's widths and grow, for every row alike, when a number needs more room.
 *
 * <p>A table is an immutable set of poolmon options; each option method returns a new table:
 *
 * <table>
 *   <caption>poolmon options</caption>
 *   <tr><th>poolmon</th><th>here</th></tr>
 *   <tr><td>{@code /t /a /f /d /b /m}</td><td>{@link #sortedBy(PoolmonSort)}</td></tr>
 *   <tr><td>{@code /(}</td><td>{@link #sortedByChange(boolean)}</td></tr>
 *   <tr><td>{@code /iTag}</td><td>{@link #including(String)}</td></tr>
 *   <tr><td>{@code /xTag}</td><td>{@link #excluding(String)}</td></tr>
 *   <tr><td>{@code /e}</td><td>{@link #withTotals(boolean)}</td></tr>
 * </table>
 *
 * <p>The Memory/Commit header lines of the live screen describe the whole machine and have no nbl4j counterpart; all
 * nbl4j memory is nonpaged ({@link PoolUsage#TYPE}), so {@code /p} has none either. Equal sort keys fall back to tag
 * order. The layout of poolmon's totals is not documented: here it is a row labelled {@code Total}, after a blank
 * line, that sums the rows shown (Per Alloc is total Bytes over total Diff). The change of Diff is the change of
 * Allocs minus that of Frees; the change of Per Alloc, used only for sorting, is the difference of the two Per Allocs.
 */
public final class PoolmonTable {
    private static final PoolmonTable DEFAULT = new PoolmonTable(PoolmonSort.TAG, false, List.of(), List.of(), false);

    private final PoolmonSort sort;
    private final boolean byChange;
    private final List<TagPattern> includes;
    private final List<TagPattern> excludes;
    private final boolean totals;

    private PoolmonTable(
            PoolmonSort sort, boolean byChange, List<TagPattern> includes, List<TagPattern> excludes, boolean totals) {
        this.sort = sort;
        this.byChange = byChange;
        this.includes = includes;
        this.excludes = excludes;
        this.totals = totals;
    }

    /** poolmon's defaults: every tag, sorted by tag, no totals. */
    public static PoolmonTable create() {
        return DEFAULT;
    }

    /** This table sorted by {@code sort} ({@code /t /a /f /d /b /m}); numeric sorts put the largest first. */
    public PoolmonTable sortedBy(PoolmonSort sort) {
        return new PoolmonTable(sort, byChange, includes, excludes, totals);
    }

    /**
     * This table sorted by the change of the sort key since the earlier snapshot ({@code /(}) rather than by its
     * value. Needs an earlier snapshot to render. {@link PoolmonSort#TAG} has no change and stays alphabetical.
     */
    public PoolmonTable sortedByChange(boolean byChange) {
        return new PoolmonTable(sort, byChange, includes, excludes, totals);
    }

    /**
     * This table showing only tags that match {@code pattern} ({@code /iTag}), or any of the included patterns when
     * called more than once. {@code *} matches any characters, {@code ?} one.
     *
     * @throws IllegalArgumentException if the pattern starts with {@code *}, is empty, is not printable ASCII or
     *     has more than four characters besides {@code *}
     */
    public PoolmonTable including(String pattern) {
        return new PoolmonTable(sort, byChange, plus(includes, TagPattern.of(pattern)), excludes, totals);
    }

    /**
     * This table leaving out tags that match {@code pattern} ({@code /xTag}); exclusion wins over inclusion.
     *
     * @throws IllegalArgumentException as {@link #including(String)}
     */
    public PoolmonTable excluding(String pattern) {
        return new PoolmonTable(sort, byChange, includes, plus(excludes, TagPattern.of(pattern)), totals);
    }

    /** This table with or without a totals row under the tags ({@code /e}). */
    public PoolmonTable withTotals(boolean totals) {
        return new PoolmonTable(sort, byChange, includes, excludes, totals);
    }

    /**
     * The table without change columns, as in a {@code poolmon /n} snapshot file.
     *
     * @throws IllegalStateException if the table sorts by change, which needs an earlier snapshot
     */
    public String render(PoolUsageSnapshot snapshot) {
        return render(snapshot, null);
    }

    /**
     * The table with the change since {@code earlier} in brackets after Allocs, Frees and Bytes, as on poolmon's
     * live screen. A tag absent from {@code earlier} counts from zero; a {@code null} {@code earlier} renders as
     * {@link #render(PoolUsageSnapshot)}.
     *
     * @throws IllegalStateException if the table sorts by change and {@code earlier} is {@code null}
     */
    public String render(PoolUsageSnapshot snapshot, @Nullable PoolUsageSnapshot earlier) {
        if (earlier == null && byChange && sort != PoolmonSort.TAG) {
            throw new IllegalStateException("sorting by change needs an earlier snapshot");
        }
        List<Row> rows = new ArrayList<>();
        for (PoolUsage now : snapshot.usages()) {
            if (shown(now.tag())) {
                PoolUsage before =
                        earlier == null ? null : earlier.usage(now.tag()).orElse(new PoolUsage(now.tag(), 0, 0, 0));
                rows.add(Row.of(now.tag().toString(), now, before));
            }
        }
        rows.sort(comparator());
        Row total = totals ? Row.total(rows) : null;
        return new Layout(earlier != null, rows, total).format();
    }

    private boolean shown(PoolTag tag) {
        String name = tag.toString();
        if (!includes.isEmpty() && includes.stream().noneMatch(p -> p.matches(name))) {
            return false;
        }
        return excludes.stream().noneMatch(p -> p.matches(name));
    }

    private Comparator<Row> comparator() {
        Comparator<Row> byTag = Comparator.comparing(Row::tag);
        if (sort == PoolmonSort.TAG) {
            return byTag;
        }
        int column = switch (sort) {
            case ALLOCS -> 0;
            case FREES -> 1;
            case DIFF -> 2;
            case BYTES -> 3;
            case PER_ALLOC, TAG -> 4;
        };
        Comparator<Row> byKey = byChange
                ? Comparator.comparingLong((Row r) -> r.change(column))
                : Comparator.comparingLong((Row r) -> r.value(column));
        return byKey.reversed().thenComparing(byTag);
    }

    private static List<TagPattern> plus(List<TagPattern> patterns, TagPattern added) {
        List<TagPattern> more = new ArrayList<>(patterns);
        more.add(added);
        return List.copyOf(more);
    }

    /** One line of numbers: values and changes of Allocs, Frees, Diff, Bytes, Per Alloc (changes 0 if none). */
    private record Row(String tag, long[] values, long[] changes) {
        static Row of(String tag, PoolUsage now, @Nullable PoolUsage before) {
            long[] values = {now.allocs(), now.frees(), now.diff(), now.bytes(), now.perAlloc()};
            long[] changes = new long[5];
            if (before != null) {
                PoolUsage delta = now.minus(before);
                changes = new long[] {
                    delta.allocs(),
                    delta.frees(),
                    delta.allocs() - delta.frees(),
                    delta.bytes(),
                    now.perAlloc() - before.perAlloc()
                };
            }
            return new Row(tag, values, changes);
        }

        static Row total(List<Row> rows) {
            long[] values = new long[5];
            long[] changes = new long[5];
            for (Row row : rows) {
                for (int i = 0; i < 4; i++) {
                    values[i] += row.values[i];
                    changes[i] += row.changes[i];
                }
            }
            values[4] = values[2] == 0 ? 0 : values[3] / values[2];
            return new Row("Total", values, changes);
        }

        long value(int column) {
            return values[column];
        }

        long change(int column) {
            return changes[column];
        }
    }

    /** Column widths for one rendering: poolmon's, widened to the widest number and header. */
    private static final class Layout {
        private static final String[] NAMES = {"Allocs", "Frees", "Diff", "Bytes", "Per Alloc"};
        /** poolmon's widths ({@code %9ld (%4ld) %9ld (%4ld) %8ld %7ld (%6ld) %6ld}). */
        private static final int[] VALUE_WIDTHS = {9, 9, 8, 7, 6};

        private static final int[] CHANGE_WIDTHS = {4, 4, 0, 6, 0};

        private final boolean changes;
        private final List<Row> rows;
        private final @Nullable Row total;
        private final int[] valueWidths = VALUE_WIDTHS.clone();
        private final int[] changeWidths = CHANGE_WIDTHS.clone();

        Layout(boolean changes, List<Row> rows, @Nullable Row total) {
            this.changes = changes;
            this.rows = rows;
            this.total = total;
            List<Row> all = new ArrayList<>(rows);
            if (total != null) {
                all.add(total);
            }
            for (Row row : all) {
                for (int i = 0; i < 5; i++) {
                    valueWidths[i] = Math.max(
                            valueWidths[i], Long.toString(row.values[i]).length());
                    if (changeWidths[i] > 0) {
                        changeWidths[i] = Math.max(
                                changeWidths[i], Long.toString(row.changes[i]).length());
                    }
                }
            }
            // Each header name is right-aligned over its number and needs a space before it; what lies before the
            // number is its separating space and, on the live screen, the previous column's "(change)".
            for (int i = 0; i < 5; i++) {
                int room = 1 + valueWidths[i] + (i > 0 ? changeArea(i - 1) : 0);
                int needed = NAMES[i].length() + 1;
                if (room < needed) {
                    valueWidths[i] += needed - room;
                }
            }
        }

        private int changeArea(int column) {
            return changes && changeWidths[column] > 0 ? 3 + changeWidths[column] : 0;
        }

        String format() {
            StringBuilder out = new StringBuilder();
            StringBuilder header = new StringBuilder(" Tag  Type ");
            for (int i = 0; i < 5; i++) {
                int end = header.length() + (i > 0 ? changeArea(i - 1) : 0) + 1 + valueWidths[i];
                header.append(" ".repeat(end - header.length() - NAMES[i].length()))
                        .append(NAMES[i]);
            }
            out.append(header).append("\n\n");
            for (Row row : rows) {
                out.append(String.format(" %-4s %-5s", row.tag(), PoolUsage.TYPE));
                numbers(out, row);
            }
            if (total != null) {
                out.append('\n').append(String.format(" %-10s", total.tag()));
                numbers(out, total);
            }
            return out.toString();
        }

        private void numbers(StringBuilder out, Row row) {
            for (int i = 0; i < 5; i++) {
                out.append(' ').append(pad(row.values[i], valueWidths[i]));
                if (changeArea(i) > 0) {
                    out.append(" (")
                            .append(pad(row.changes[i], changeWidths[i]))
                            .append(')');
                }
            }
            out.append('\n');
        }

        private static String pad(long value, int width) {
            String text = Long.toString(value);
            return " ".repeat(Math.max(0, width - text.length())) + text;
        }
    }
}
