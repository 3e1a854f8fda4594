package org.nbl4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import org.nbl4j.cli.replay.ReplaySummary;
import org.nbl4j.core.diagnostics.PoolmonSort;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.stack.router.Router;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nbl4j poolmon}: replays like {@code run} and prints only the poolmon table, taken once the router is closed
 * or, with {@code --drained}, while it still holds its pools after the last packet.
 */
@Command(
        name = "poolmon",
        mixinStandardHelpOptions = true,
        description = "Replays like run and prints only the poolmon table (pool usage by tag).",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no leak and no violation", "1:a leak or a verifier violation", "2:bad input"})
final class PoolmonCommand extends ReplayCommand {
    @Option(
            names = "--sort",
            paramLabel = "tag|allocs|frees|diff|bytes|per-alloc",
            description = "Sort key, like poolmon's /t /a /f /d /b /m (default: tag).")
    String sort = "tag";

    @Option(
            names = "--include",
            paramLabel = "<tag pattern>",
            description = "Only tags matching the pattern (* and ?), like poolmon /i. Repeatable.")
    List<String> include = new ArrayList<>();

    @Option(
            names = "--exclude",
            paramLabel = "<tag pattern>",
            description = "Leaves out tags matching the pattern, like poolmon /x. Repeatable.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--totals", description = "Adds a Total row, like poolmon /e.")
    boolean totals;

    @Option(
            names = "--drained",
            description = "Shows the table after the last packet, while the router is still up and holds its pools.")
    boolean drained;

    private @Nullable PoolUsageSnapshot atDrain;
    private @Nullable PoolmonTable table;

    @Override
    ReplayObserver observer() throws BadInputException {
        table = table();
        return new ReplayObserver() {
            @Override
            public void drained(Router router) {
                atDrain = router.ndis().poolUsage();
            }
        };
    }

    private PoolmonTable table() throws BadInputException {
        PoolmonSort key = switch (sort) {
            case "tag" -> PoolmonSort.TAG;
            case "allocs" -> PoolmonSort.ALLOCS;
            case "frees" -> PoolmonSort.FREES;
            case "diff" -> PoolmonSort.DIFF;
            case "bytes" -> PoolmonSort.BYTES;
            case "per-alloc" -> PoolmonSort.PER_ALLOC;
            default ->
                throw new BadInputException(
                        "--sort '" + sort + "': expected tag, allocs, frees, diff, bytes or per-alloc");
        };
        PoolmonTable built = PoolmonTable.create().sortedBy(key).withTotals(totals);
        try {
            for (String pattern : include) {
                built = built.including(pattern);
            }
            for (String pattern : exclude) {
                built = built.excluding(pattern);
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException("tag pattern: " + e.getMessage(), e);
        }
        return built;
    }

    @Override
    void print(PrintWriter out, ReplayResult result) {
        PoolmonTable shown = table != null ? table : PoolmonTable.create();
        if (drained && atDrain != null) {
            out.print(shown.render(atDrain));
        } else {
            out.print(shown.render(result.poolUsage()));
        }
        if (!result.clean()) {
            out.print(ReplaySummary.verdict(result));
        }
    }
}
