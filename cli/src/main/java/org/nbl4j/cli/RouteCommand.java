package org.nbl4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ConfiguredRouter;
import org.nbl4j.cli.replay.InterfaceSpec;
import org.nbl4j.cli.replay.JsonReport;
import org.nbl4j.cli.replay.ReplaySummary;
import org.nbl4j.cli.replay.RouterConfig;
import org.nbl4j.cli.replay.RouterReport;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.io.device.DeviceSockets;
import org.nbl4j.io.host.ProcSocketOwners;
import org.nbl4j.io.tun.TunDevice;
import org.nbl4j.io.tun.TunException;
import org.nbl4j.io.tun.TunMiniport;
import org.nbl4j.io.tun.TunOffloads;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ip.OffloadMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nbl4j route}: the router of {@code run}, live. Each configured interface is a TUN device of its name under a
 * {@link TunMiniport}, with one receive thread per queue; the router forwards until Ctrl-C or {@code --duration}, then
 * unloads its callout drivers, closes (in-flight NBLs back first) and prints the summary {@code run} prints.
 */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description = {
            "Routes live between TUN devices, one per configured interface (named after it), until Ctrl-C or"
                    + " --duration; then prints the same summary as run.",
            "Needs root (CAP_NET_ADMIN) and /dev/net/tun. Move or configure the devices with ip once it says it is"
                    + " routing."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:no leak and no violation",
            "1:a leak or a verifier violation",
            "2:bad input, or the TUN devices could not be opened"
        })
class RouteCommand implements Callable<Integer> {
    /** How long a Ctrl-C waits for the summary before the JVM exits anyway. */
    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    @Mixin
    RouterOptions router = new RouterOptions();

    @Option(
            names = "--queues",
            paramLabel = "N",
            description = "Receive queues per TUN device (IFF_MULTI_QUEUE), each with its own thread (default: 1).")
    int queues = 1;

    @Option(
            names = "--duration",
            paramLabel = "<seconds>",
            description = "Stops routing after this many seconds (default: until Ctrl-C).")
    @Nullable
    Double duration;

    @Option(
            names = "--device-dir",
            paramLabel = "<dir>",
            description = "Where the callout drivers' symbolic links appear as Unix-domain sockets for user mode"
                    + " (docs/devices.md); created if missing (default: $XDG_RUNTIME_DIR/nbl4j/devices, or"
                    + " <tmpdir>/nbl4j-<user>/devices).")
    @Nullable
    Path deviceDir;

    @Option(
            names = "--report",
            paramLabel = "<file.json>",
            description = "Also writes the summary as JSON (docs/cli.md), as run --report does.")
    @Nullable
    Path report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private OffloadMode offloadMode = OffloadMode.OFF;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch routing = new CountDownLatch(1);
    private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();

    /**
     * Whether this is {@code nbl4j host}: the same run, with an interface that must face the applications
     * ({@code --applications}).
     */
    boolean hostRole() {
        return false;
    }

    /** Asks a running route to stop as Ctrl-C does; it then prints its summary and returns. */
    void stop() {
        stopRequested.countDown();
    }

    /** Waits until the devices are open and the router started, at most {@code timeoutMillis}. */
    boolean awaitRouting(long timeoutMillis) throws InterruptedException {
        return routing.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        // Registered before anything is built, removed only once the status is known: a Ctrl-C at any point stops the
        // route in order and lets the summary print, instead of ending the JVM halfway through the build or the close.
        Thread hook = Thread.ofPlatform().name("nbl4j route Ctrl-C").unstarted(this::stopAtShutdown);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int status = route();
            exitStatus.complete(status);
            return status;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            // Without a status the hook would wait its whole budget before the JVM exits.
            exitStatus.completeExceptionally(e);
            throw e;
        } finally {
            removeHook(hook);
        }
    }

    private int route() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (queues < 1) {
                throw new BadInputException("--queues " + queues + ": at least 1");
            }
            if (duration != null && !(duration > 0)) {
                throw new BadInputException("--duration " + duration + ": must be more than 0 seconds");
            }
            offloadMode = router.offloadMode();
            RouterConfig config = router.routerConfig();
            if (hostRole() && config.applications() == null) {
                throw new BadInputException(
                        "--applications <interface>: the host needs the interface that faces its applications");
            }
            RouterReport routed = route(config, out);
            out.print(ReplaySummary.renderLive(routed));
            out.flush();
            if (report != null) {
                Files.writeString(report, JsonReport.renderLive(routed));
            }
            return routed.clean() ? ReplayCommand.CLEAN : ReplayCommand.DIRTY;
        } catch (BadInputException | TunException e) {
            err.println("nbl4j " + spec.name() + ": " + e.getMessage());
            err.flush();
            return ReplayCommand.BAD_INPUT;
        }
    }

    private RouterReport route(RouterConfig config, PrintWriter out)
            throws BadInputException, IOException, InterruptedException {
        Path deviceDirectory = deviceDir != null ? deviceDir : DeviceSockets.defaultDirectory();
        try {
            Files.createDirectories(deviceDirectory);
        } catch (IOException e) {
            throw new BadInputException("--device-dir " + deviceDirectory + ": cannot create it (" + e + ")", e);
        }
        Ndis ndis = ConfiguredRouter.ndis(config);
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            long start = System.nanoTime();
            ConfiguredRouter<TunMiniport> built =
                    ConfiguredRouter.build(config, ndis, UnaryOperator.identity(), this::open);
            built.router().ip().setOffloadMode(offloadMode);
            if (config.applications() != null) {
                // The applications' TUN device is named after its interface, and names their namespace.
                built.router().ip().setSocketOwners(new ProcSocketOwners(config.applications()));
            }
            // The bindings are inheritable: the queue threads router.start() makes, and the device sockets' connection
            // threads, run driver code against them.
            DeviceSockets sockets = new DeviceSockets(built.io(), deviceDirectory);
            try (SystemWfp.Binding _ = SystemWfp.bind(built.engine());
                    SystemIo.Binding _ = SystemIo.bind(built.io())) {
                try {
                    sockets.start();
                    built.loadDrivers();
                    built.router().start();
                    String role = hostRole()
                            ? "hosting live for the applications on " + config.applications() + ", between "
                            : "routing live between ";
                    out.println(role + names(config) + " (" + queues + " queue(s) each); "
                            + (duration == null ? "Ctrl-C stops" : "stops after " + duration + " s"));
                    for (String link : built.io().symbolicLinks()) {
                        out.println("device " + link + " at " + DeviceSockets.socketPath(deviceDirectory, link));
                    }
                    if (offloadMode != OffloadMode.OFF) {
                        for (TunMiniport miniport : built.miniports()) {
                            out.println("offload " + router.offload + ": " + miniport.name() + " granted "
                                    + miniport.deviceOffloads());
                        }
                    }
                    out.flush();
                    routing.countDown();
                    awaitStop();
                } finally {
                    // Handles first (pending IRPs cancelled, CLEANUP, CLOSE): Windows unloads no driver while user
                    // mode has handles open on its devices.
                    sockets.close();
                }
                built.unloadDrivers();
            }
            return built.closeAndReport(
                    ndis,
                    System.nanoTime() - start,
                    i -> built.miniports().get(i).statistics().receivedPackets(),
                    i -> built.miniports().get(i).statistics().receiveDiscards());
        } finally {
            ndis.close();
        }
    }

    /**
     * What to ask a TUN device for under an offload mode, for an interface that forwards (every interface of
     * {@code route} does): Windows disables RSC on a forwarding interface, so under {@link OffloadMode#WINDOWS} the
     * kernel is not asked for TSO/USO (it segments before handing packets over) and only checksum offload is used.
     */
    static TunOffloads deviceOffloads(OffloadMode mode, boolean forwarding) {
        return switch (mode) {
            case OFF -> TunOffloads.NONE;
            case WINDOWS -> forwarding ? TunOffloads.CHECKSUM : TunOffloads.ALL;
            case THROUGHPUT -> TunOffloads.ALL;
        };
    }

    private TunMiniport open(InterfaceSpec spec) throws TunException {
        TunDevice device = TunDevice.open(spec.name(), queues, true, deviceOffloads(offloadMode, true));
        try {
            return new TunMiniport(device, spec.mtu());
        } catch (TunException | RuntimeException e) {
            device.close(); // the miniport did not take the device
            throw e;
        }
    }

    private void awaitStop() throws InterruptedException {
        if (duration == null) {
            stopRequested.await();
        } else {
            stopRequested.await((long) (duration * 1e9), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Ctrl-C or SIGTERM: stops the route, waits while it unloads, closes and prints its summary, and exits with its
     * status rather than the signal's.
     */
    private void stopAtShutdown() {
        stop();
        try {
            int status = exitStatus.get(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            Runtime.getRuntime().halt(status);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // the JVM exits with the signal's status
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C came: the hook is running, and the status it waits for is already set
        }
    }

    private static String names(RouterConfig config) {
        StringJoiner names = new StringJoiner(", ");
        config.interfaces().forEach(each -> names.add(each.name()));
        return names.toString();
    }
}
