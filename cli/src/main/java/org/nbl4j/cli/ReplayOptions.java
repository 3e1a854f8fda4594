package org.nbl4j.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.CaptureSource;
import org.nbl4j.cli.replay.PacketSelection;
import org.nbl4j.cli.replay.RouterConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every replaying subcommand shares ({@code run}, {@code poolmon}, {@code nbl}): what to replay, the router
 * to replay it through ({@link RouterOptions}), and where its output goes. A picocli mixin.
 */
final class ReplayOptions {
    @Option(
            names = "--capture",
            paramLabel = "<file>",
            description = "The pcap or pcapng file to replay (default: the bundled capture, docs/bundled-capture.md).")
    @Nullable
    Path capture;

    @Mixin
    RouterOptions router = new RouterOptions();

    @Option(
            names = "--packets",
            paramLabel = "arriving|all",
            description = "Which captured packets to offer: arriving (default) drops those the capture saw leaving"
                    + " the router (reverse-path check), all offers every one to the interface it was captured on.")
    String packets = "arriving";

    @Option(
            names = "--output-dir",
            paramLabel = "<dir>",
            description = "Writes what each interface transmits to <dir>/<interface>.pcapng (raw IP, nanosecond"
                    + " timestamps of the packets replayed).")
    @Nullable
    Path outputDirectory;

    @Option(names = "--progress", description = "Shows the progress bar on stderr even when stderr is not a terminal.")
    boolean progress;

    /** The router configuration: the file first, then the options, in the order given. */
    RouterConfig routerConfig() throws BadInputException {
        return router.routerConfig();
    }

    PacketSelection selection() throws BadInputException {
        return switch (packets) {
            case "arriving" -> PacketSelection.ARRIVING;
            case "all" -> PacketSelection.ALL;
            default -> throw new BadInputException("--packets '" + packets + "': expected arriving or all");
        };
    }

    CaptureSource source() {
        return new CaptureSource(capture);
    }
}
