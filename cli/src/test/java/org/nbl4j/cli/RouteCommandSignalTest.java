package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.live.Host;
import org.nbl4j.cli.live.LiveSummary;
import org.nbl4j.cli.live.RouteProcess;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.samples.forwardinject.ForwardInjectCallout;

/**
 * How {@code nbl4j route} ends (docs/cli.md): on Ctrl-C (SIGINT), on SIGTERM, and at the end of {@code --duration}, it
 * unloads its callouts, closes the router, prints the summary, and exits with the summary's status (0 when clean), not
 * the signal's. The command runs in a JVM of its own ({@link RouteProcess}) between two namespaces with IPv4 only, so
 * that after two pings the hosts have sent exactly 4 packets to forward.
 */
class RouteCommandSignalTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration END = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    @BeforeEach
    void needsTheLiveTools() {
        TestTools.requireTun();
        TestTools.require("ip", "ping", "env");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void ctrlCPrintsTheSummaryAndExitsWithItsStatus() throws Exception {
        LiveSummary summary =
                routeThenStop("INT", List.of("--queues", "2", "--callout", ForwardInjectCallout.class.getName()));
        assertEquals(4, summary.injected());
        assertEquals(4, summary.completed());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigtermPrintsTheSummaryAndExitsWithItsStatus() throws Exception {
        LiveSummary summary = routeThenStop("TERM", List.of("--callout", ForwardInjectCallout.class.getName()));
        assertEquals(4, summary.injected());
        assertEquals(4, summary.completed());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void durationEndsTheRouteByItself() throws Exception {
        // Long enough for the namespaces and the pings even on a loaded machine; the route then ends on its own.
        routeThenStop(null, List.of("--duration", "8"));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void ctrlCInTheMiddleOfATransferStillReturnsEveryBuffer() throws Exception {
        TestTools.require("iperf3");
        try (Hosts hosts = new Hosts();
                RouteProcess route = RouteProcess.start(
                        directory,
                        hosts.routeOptions(
                                List.of("--queues", "2", "--callout", ForwardInjectCallout.class.getName())))) {
            route.awaitRouting(START);
            hosts.adopt();
            Process server = hosts.b.start("iperf3", "-s", "-1", "-B", "198.51.100.2");
            Process client = null;
            try {
                Thread.sleep(300);
                client = hosts.a.start("iperf3", "-c", "198.51.100.2", "-t", "30", "--connect-timeout", "3000");
                Thread.sleep(1500); // the transfer runs: queues busy, injections in flight
                route.signal("INT");
                int status = route.awaitExit(END);
                String output = route.output() + route.errors();
                assertEquals(0, status, output);
                LiveSummary summary = LiveSummary.parse(route.output());
                assertTrue(summary.clean(), output);
                assertTrue(summary.poolsAtZero(), () -> "pools not at 0: " + summary.poolDiffs());
                assertTrue(summary.count("forwarded") > 0);
                assertEquals(summary.injected(), summary.completed());
            } finally {
                if (client != null) {
                    client.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts the route, lets host A ping host B twice, then stops the route with {@code signal} (or lets
     * {@code --duration} end it when null), and checks the summary: the 4 echoes forwarded, every pool back to 0, a
     * clean verdict, exit status 0.
     */
    private LiveSummary routeThenStop(@Nullable String signal, List<String> options) throws Exception {
        try (Hosts hosts = new Hosts();
                RouteProcess route = RouteProcess.start(directory, hosts.routeOptions(options))) {
            route.awaitRouting(START);
            hosts.adopt();
            hosts.a.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.2");
            if (signal != null) {
                route.signal(signal);
            }
            int status = route.awaitExit(END);
            String output = route.output();
            assertEquals(0, status, output + route.errors());
            LiveSummary summary = LiveSummary.parse(output);
            assertTrue(summary.clean(), output);
            assertTrue(summary.poolsAtZero(), output);
            assertEquals(4, summary.count("forwarded"), output);
            assertEquals(0, summary.count("delivered locally"), output);
            assertEquals(0, summary.count("discards"), output);
            for (LiveSummary.InterfaceRow row : summary.interfaces().values()) {
                assertEquals(new LiveSummary.InterfaceRow(2, 2, 2, 2, 0), row, output);
            }
            return summary;
        }
    }

    /** Two hosts with IPv4 only (IPv6 stays off: {@link Host}), and the route options naming their devices. */
    private static final class Hosts implements AutoCloseable {
        final String deviceA;
        final String deviceB;
        final Host a;
        final Host b;

        Hosts() throws Exception {
            long pid = ProcessHandle.current().pid() % 1_000_000;
            int run = COUNTER.incrementAndGet();
            deviceA = "nbs" + pid + "a" + run;
            deviceB = "nbs" + pid + "b" + run;
            a = Host.create("nbl4j-signal-" + pid + "-a" + run);
            try {
                b = Host.create("nbl4j-signal-" + pid + "-b" + run);
            } catch (Exception e) {
                a.close();
                throw e;
            }
        }

        List<String> routeOptions(List<String> more) {
            List<String> options = new ArrayList<>(List.of(
                    "--interface",
                    "name=" + deviceA + ",address=192.0.2.1/24",
                    "--interface",
                    "name=" + deviceB + ",address=198.51.100.1/24"));
            options.addAll(more);
            return options;
        }

        void adopt() throws Exception {
            a.adopt(deviceA, "192.0.2.2/24", "192.0.2.1");
            b.adopt(deviceB, "198.51.100.2/24", "198.51.100.1");
        }

        @Override
        public void close() throws Exception {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }
}
