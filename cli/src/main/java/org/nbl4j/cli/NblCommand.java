package org.nbl4j.cli;

import java.io.PrintWriter;
import java.util.Set;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import org.nbl4j.cli.replay.ReplaySummary;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.diagnostics.IdNamer;
import org.nbl4j.core.diagnostics.NblDump;
import org.nbl4j.core.diagnostics.NblDumpOption;
import org.nbl4j.core.diagnostics.PendingNblsReport;
import org.nbl4j.stack.router.Router;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nbl4j nbl}: replays like {@code run} and prints {@code !ndiskd}-style views: {@code !ndiskd.pendingnbls} of
 * the NBLs still held once the router is drained, and {@code !ndiskd.nbl} dumps of sampled NBLs as their miniport
 * transmits them.
 */
@Command(
        name = "nbl",
        mixinStandardHelpOptions = true,
        description = {
            "Replays like run and prints !ndiskd-style NBL views.",
            "Default: --pending. Ids are sequential in order of first appearance."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no leak and no violation", "1:a leak or a verifier violation", "2:bad input"})
final class NblCommand extends ReplayCommand {
    @Option(
            names = "--pending",
            description = "!ndiskd.pendingnbls once the router is drained: NBLs not back in their pools and who holds"
                    + " them (all of them with --verifier full, a sample with standard, none with off).")
    boolean pending;

    @Option(
            names = "--sample",
            paramLabel = "N",
            description = "Dumps every N-th NBL a miniport transmits (!ndiskd.nbl), as the wire gets it.")
    int sample;

    @Option(
            names = "--switches",
            paramLabel = "<switches>",
            description = "The !ndiskd.nbl switches of the sampled dumps (default: ${DEFAULT-VALUE}).",
            defaultValue = "-data")
    String switches = "-data";

    private final StringBuilder text = new StringBuilder();
    private final IdNamer ids = PendingNblsReport.sameIdsAsNbls(IdNamer.sequential());

    @Override
    ReplayObserver observer() throws BadInputException {
        if (sample < 0) {
            throw new BadInputException("--sample " + sample + ": expected a positive count");
        }
        NblDump dump = NblDump.withIds(ids);
        Set<NblDumpOption> options;
        try {
            options = NblDumpOption.parse(switches);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--switches '" + switches + "': " + e.getMessage(), e);
        }
        boolean showPending = pending || sample == 0;
        return new ReplayObserver() {
            private long transmitted;

            @Override
            public void transmitted(String interfaceName, NetBufferList nbl) {
                transmitted++;
                if (sample > 0 && transmitted % sample == 0) {
                    text.append("transmitted on ")
                            .append(interfaceName)
                            .append(" (NBL ")
                            .append(transmitted)
                            .append(")\n")
                            .append(dump.dump(nbl, options))
                            .append('\n');
                }
            }

            @Override
            public void drained(Router router) {
                if (showPending) {
                    text.append("!ndiskd.pendingnbls once the router is drained:\n")
                            .append(PendingNblsReport.withIds(ids).render(router.ndis()));
                }
            }
        };
    }

    @Override
    void print(PrintWriter out, ReplayResult result) {
        out.print(text);
        if (!result.clean()) {
            out.print(ReplaySummary.verdict(result));
        }
    }
}
