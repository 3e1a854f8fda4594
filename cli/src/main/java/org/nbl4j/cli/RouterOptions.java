package org.nbl4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ConfigParser;
import org.nbl4j.cli.replay.RouterConfig;
import org.nbl4j.stack.ip.OffloadMode;
import picocli.CommandLine.Option;

/**
 * The options that describe a router ({@link RouterConfig}): the configuration file, interfaces, routes, callout
 * drivers, verifier level, clone budget, Windows profile, task offloads and how reports show sites. Shared by the
 * replaying subcommands and {@code nbl4j route}; a picocli mixin.
 */
final class RouterOptions {
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
                            + " Repeatable.")
    List<String> callouts = new ArrayList<>();

    @Option(
            names = "--verifier",
            paramLabel = "off|standard|full",
            description = "The verifier level (default: standard; full tracks every NBL with its allocation site).")
    @Nullable
    String verifier;

    @Option(
            names = "--clone-budget",
            paramLabel = "<ms>|<n>s",
            description = "How long a callout may hold a clone before the held-clone watchdog reports it"
                    + " (CLONE_HELD_TOO_LONG; default: 1s). The watchdog looks by itself every 100 ms.")
    @Nullable
    String cloneBudget;

    @Option(
            names = "--profile",
            paramLabel = "windows10|windows7",
            description = "Which Windows the WFP layer behaves like (default: windows10).")
    @Nullable
    String profile;

    @Option(
            names = "--infrastructure",
            paramLabel = "<prefix>",
            description = "A package or class-name prefix (e.g. com.acme.util.) whose frames reports should not name as"
                    + " the driver's, like nbl4j's own, the JDK's and nbl4j's libraries'. Repeatable.")
    List<String> infrastructure = new ArrayList<>();

    @Option(
            names = "--applications",
            paramLabel = "<interface>",
            description = "Host mode (docs/wfp.md): the interface facing the host's applications. What arrives on it"
                    + " is sent by the host through the ALE, datagram-data and transport layers; what arrives for the"
                    + " host's addresses goes up through them to it. In a replay, packets from a host address are"
                    + " offered to it.")
    @Nullable
    String applications;

    @Option(
            names = "--trace",
            paramLabel = "driver|full",
            description = "How much of each site reports show (default: driver, the driver's frames and the DDI they"
                    + " called; full adds every frame).")
    @Nullable
    String trace;

    @Option(
            names = "--offload",
            paramLabel = "windows|throughput|off",
            description = "Task offloads (docs/offloads.md). route: windows asks the TUN devices for checksum offload"
                    + " only and keeps RSC off on the forwarding interfaces, as Windows does; throughput also asks for"
                    + " TSO/USO and forwards coalesced packets whole with LSO, beyond what Windows allows; off (the"
                    + " default) opens the devices without the virtio-net header. run: a capture's coalesced packets"
                    + " are offered as RSC indications and follow the same rules.")
    String offload = "off";

    /** The {@code --offload} value as the IP layer's mode. */
    OffloadMode offloadMode() throws BadInputException {
        return switch (offload) {
            case "off" -> OffloadMode.OFF;
            case "windows" -> OffloadMode.WINDOWS;
            case "throughput" -> OffloadMode.THROUGHPUT;
            default -> throw new BadInputException("--offload " + offload + ": windows, throughput or off");
        };
    }

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
        if (cloneBudget != null) {
            parser.option("clone-budget", cloneBudget);
        }
        if (profile != null) {
            parser.option("profile", profile);
        }
        for (String value : infrastructure) {
            parser.option("infrastructure", value);
        }
        if (trace != null) {
            parser.option("trace", trace);
        }
        if (applications != null) {
            parser.option("applications", applications);
        }
        return parser.build();
    }
}
