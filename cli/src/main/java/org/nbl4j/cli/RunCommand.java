package org.nbl4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.JsonReport;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import org.nbl4j.cli.replay.ReplaySummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nbl4j run}: the main job. Replays a capture through a router and prints the summary: packets read, skipped
 * and offered, per-interface counts, the IP layer's counters and discards, poolmon once the router is closed, and the
 * verifier's verdict; with {@code --report}, the same as JSON ({@link JsonReport}).
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Replays a capture through a router and reports what happened to every packet and buffer.",
            "Without options: the bundled capture through its two-interface router."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no leak and no violation", "1:a leak or a verifier violation", "2:bad input"})
final class RunCommand extends ReplayCommand {
    @Option(
            names = {"-q", "--quiet"},
            description = "Prints only the verdict (and no progress bar).")
    boolean quiet;

    @Option(
            names = "--report",
            paramLabel = "<file.json>",
            description = "Also writes the report as JSON (docs/cli.md): summary counts, poolmon with tracked counts,"
                    + " violations by rule and site, leaks by tag and site, the verdict.")
    @Nullable
    Path report;

    @Override
    boolean quiet() {
        return quiet;
    }

    @Override
    ReplayObserver observer() {
        return ReplayObserver.NONE;
    }

    @Override
    void print(PrintWriter out, ReplayResult result) throws IOException {
        out.print(quiet ? ReplaySummary.verdict(result) : ReplaySummary.render(result));
        if (report != null) {
            Files.writeString(report, JsonReport.render(result));
        }
    }
}
