package org.nbl4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.CaptureSource;
import org.nbl4j.cli.replay.ConfigParser;
import org.nbl4j.cli.replay.PacketSelection;
import org.nbl4j.cli.replay.RouterConfig;
import picocli.CommandLine.Option;

/**
 * The options every replaying subcommand shares ({@code run}, {@code poolmon}, {@code nbl}): what to replay, the router
 * to replay it through, and where its output goes. A picocli mixin.
 */
final class ReplayOptions {
    @Option(
            names = "--capture",
            paramLabel = "<file>",
            description = "The pcap or pcapng file to replay (default: the bundled capture, docs/bundled-capture.md).")
    @Nullable
    Path capture;

    @Option(
            names = "--config",
            paramLabel = "<file>",
            description = "A router configuration file (docs/cli.md); the options below add to it or override it.")
    @Nullable
    Path config;

    @Option(
            names = "--interface",
            paramLabel = "name=N,address=CIDR,...,mtu=N,forwarding=on|off",
            description = "Adds a router interface; repeat address= for several addresses, mtu is 1500 and"
                    + " forwarding on by default. Repeatable. Without any interface the bundled capture's router is"
                    + " used (r-a, r-b).")
    List<String> interfaces = new ArrayList<>();

    @Option(
            names = "--route",
            paramLabel = "CIDR[,via=ADDR],interface=NAME",
            description = "Adds a route leaving by the named interface, through a next hop or on-link. Repeatable.")
    List<String> routes = new ArrayList<>();

    @Option(
            names = "--callout",
            paramLabel = "<class>",
            description =
                    "A class implementing org.nbl4j.stack.wfp.CalloutDriver that registers WFP callouts and filters."
                            + " Repeatable. PENDING: refused until the router exposes its WFP filter engine.")
    List<String> callouts = new ArrayList<>();

    @Option(
            names = "--verifier",
            paramLabel = "off|standard|full",
            description = "The verifier level (default: standard; full tracks every NBL with its allocation site).")
    @Nullable
    String verifier;

    @Option(
            names = "--profile",
            paramLabel = "windows10|windows7",
            description = "Which Windows the WFP layer behaves like (default: windows10). Takes effect once WFP is"
                    + " wired into the router.")
    @Nullable
    String profile;

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
        ConfigParser parser = new ConfigParser();
        if (config != null) {
            parser.file(config);
        }
        for (String value : interfaces) {
            parser.option("interface", value);
        }
        for (String value : routes) {
            parser.option("route", value);
        }
        for (String value : callouts) {
            parser.option("callout", value);
        }
        if (verifier != null) {
            parser.option("verifier", verifier);
        }
        if (profile != null) {
            parser.option("profile", profile);
        }
        return parser.build();
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
