package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.live.Host;
import org.nbl4j.cli.live.LiveSummary;
import org.nbl4j.io.device.DeviceSockets;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.samples.forwardinject.UserVerdictCallout;
import org.nbl4j.samples.forwardinject.UserVerdictIoctl;
import picocli.CommandLine;

/**
 * Issue 16, must-show 1: seed 000 end to end, live. {@code nbl4j route} runs in-process between two TUN devices, each
 * moved into a namespace of its own (documentation addresses), with the {@link UserVerdictCallout} driver; its device
 * is a socket in {@code --device-dir}, where the Python application {@code user_verdicts.py} (a process outside the
 * JVM, over {@code nbl4j_device.py}) decides every forwarded packet: TCP port 5002 blocked, the marker rewritten in the
 * UDP flow of port 6001, the rest permitted. The hosts see exactly that, byte for byte: the connection to 5002 never
 * reaches host B, each 6001 datagram comes back with its markers rewritten once (on the way there) and checksummed
 * right (the kernel delivered it), 6002 datagrams and a 200 kB TCP echo on 5001 come back unchanged. Every packet is
 * answered in time: no default verdict, no refused verdict.
 *
 * <p>Then the application is killed with SIGKILL in the middle of a paced TCP echo and a UDP stream (once it has decided
 * {@value #MID_TRANSFER} of their packets): both complete
 * unchanged under the default verdict (permit), no UDP echo is lost and none waits longer than the clone budget; the
 * driver's counters (read through a second handle) show its pending RECEIVE requests cancelled, nothing held and only
 * the new handle open; the route ends with exit status 0, every pool at 0, no violation (so no
 * {@code CLONE_HELD_TOO_LONG}).
 */
class RouteVerdictLiveTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String HOST_B = "198.51.100.2";
    private static final Duration CLONE_BUDGET = Duration.ofSeconds(1);
    /** Packets the application decides in the second phase before it is killed: the transfers are under way. */
    private static final long MID_TRANSFER = 100;

    private static final Path TRAFFIC =
            Path.of("src", "test", "python", "verdict_traffic.py").toAbsolutePath();
    private static final Path APPLICATION = Path.of("..", "samples", "src", "main", "python", "user_verdicts.py")
            .toAbsolutePath();

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void applicationDecidesThenDiesAndTheDefaultTakesOver() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "python3");
        long pid = ProcessHandle.current().pid() % 1_000_000;
        int run = COUNTER.incrementAndGet();
        String deviceA = "nbv" + pid + "a" + run;
        String deviceB = "nbv" + pid + "b" + run;
        Path devices = directory.resolve("devices");

        CommandLine line = new CommandLine(new Nbl4jCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        RouteCommand route = line.getSubcommands().get("route").getCommand();
        int[] exit = {-1};
        Thread router = Thread.ofPlatform()
                .name("nbl4j route under test")
                .start(() -> exit[0] = line.execute(
                        "route",
                        "--interface",
                        "name=" + deviceA + ",address=192.0.2.1/24",
                        "--interface",
                        "name=" + deviceB + ",address=198.51.100.1/24",
                        "--callout",
                        UserVerdictCallout.class.getName(),
                        "--clone-budget",
                        CLONE_BUDGET.toMillis() + "ms",
                        "--device-dir",
                        devices.toString(),
                        "--duration",
                        "170")); // a bound in case the test dies before stopping it
        Path socket = DeviceSockets.socketPath(devices, UserVerdictIoctl.LINK_NAME);
        Host hostA = null;
        Host hostB = null;
        Lines server = null;
        Lines application = null;
        String blockedPort;
        String echo;
        String rewrittenFlow;
        String otherFlow;
        Map<String, Long> beforeKill;
        Map<String, Long> afterKill;
        String streamed;
        String pacedEcho;
        try {
            assertTrue(route.awaitRouting(20_000), () -> "route did not start: " + err);
            assertTrue(out.toString().contains("device \\dosdevices\\userverdict at " + socket), out::toString);
            assertTrue(Files.exists(socket), "the link is a socket in --device-dir");
            hostA = Host.create("nbl4j-verdict-" + pid + "-a" + run);
            hostB = Host.create("nbl4j-verdict-" + pid + "-b" + run);
            hostA.adopt(deviceA, "192.0.2.2/24", "192.0.2.1");
            hostB.adopt(deviceB, HOST_B + "/24", "198.51.100.1");
            server = Lines.start(hostB.inside("python3", TRAFFIC.toString(), "server", "--seconds", "120"));
            server.await("listening");
            application = Lines.start(List.of(
                    "python3",
                    APPLICATION.toString(),
                    "--device",
                    socket.toString(),
                    "--block-tcp-port",
                    "5002",
                    "--rewrite-udp-port",
                    "6001",
                    "--marker",
                    "MARKER",
                    "--replacement",
                    "nbl4j!",
                    "--default",
                    "permit",
                    "--timeout-ms",
                    "250",
                    // Enough pended requests that the traffic cannot use them all up between the kill and the
                    // connection's end, so that some are still pending to be cancelled.
                    "--receives",
                    "128"));
            application.await("ready");

            // The application decides.
            blockedPort = traffic(hostA, "blocked-tcp", HOST_B, "5002");
            echo = traffic(hostA, "tcp-echo", HOST_B, "5001", "200000");
            rewrittenFlow = traffic(hostA, "udp-echo", HOST_B, "6001", "20");
            otherFlow = traffic(hostA, "udp-echo", HOST_B, "6002", "20");
            hostA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", HOST_B);
            beforeKill = statistics(socket);

            // The application dies mid-transfer.
            Process stream = hostA.start("python3", TRAFFIC.toString(), "udp-stream", HOST_B, "6002", "4", "10");
            Process paced = hostA.start(
                    "python3", TRAFFIC.toString(), "tcp-echo", HOST_B, "5001", "1000000", "--pace-ms", "40");
            awaitTaken(socket, beforeKill.get("taken") + MID_TRANSFER);
            application.process.destroyForcibly(); // SIGKILL: the kernel closes its socket
            assertTrue(application.process.waitFor(10, TimeUnit.SECONDS));
            streamed = Commands.finish(stream, Duration.ofSeconds(30)).output().strip();
            pacedEcho = Commands.finish(paced, Duration.ofSeconds(60)).output().strip();
            afterKill = statistics(socket);
        } finally {
            if (application != null) {
                application.close();
            }
            if (server != null) {
                server.close();
            }
            route.stop();
            router.join(TimeUnit.SECONDS.toMillis(60));
            for (Host host : new Host[] {hostA, hostB}) {
                if (host != null) {
                    host.close();
                }
            }
        }
        String context = out + "\n" + err + "\nbefore the kill: " + beforeKill + "\nafter: " + afterKill
                + "\napplication: " + application.text() + "\nserver: " + server.text();

        // The run's numbers, for docs/samples.md.
        System.out.println("user verdicts before the kill: " + beforeKill + "\nafter: " + afterKill + "\nstream: "
                + streamed + "\napplication: " + application.text());

        // Host B never saw the blocked port; the counters agree with what the hosts saw.
        assertEquals("blocked", blockedPort, context);
        assertEquals("ok 200000", echo, context);
        checkUdpEchoes(rewrittenFlow, true);
        checkUdpEchoes(otherFlow, false);
        assertFalse(server.text().contains("accepted 5002"), context);
        assertTrue(server.text().contains("accepted 5001"), context);
        assertTrue(beforeKill.get("blocked") >= 1, context); // the SYN and its retransmissions
        assertEquals(20, beforeKill.get("modified"), context);
        assertEquals(0, beforeKill.get("defaultedOnTimeout"), "every packet answered in time: " + context);
        assertEquals(0, beforeKill.get("refusedVerdicts"), context);
        assertEquals(
                0, beforeKill.get("defaultedUnheld"), "every forwarded packet went to the application: " + context);
        assertEquals(2, beforeKill.get("openHandles"), "the application's and this one: " + context);
        assertEquals(128, beforeKill.get("pendingReceives"), context);

        // After the kill: traffic went on under the default within the budget, the application's requests cancelled.
        assertEquals("ok 1000000", pacedEcho, context);
        String[] stream = streamed.split(" ");
        assertEquals("lost", stream[4], streamed);
        assertEquals("0", stream[5], "no UDP echo lost: " + streamed);
        assertTrue(Long.parseLong(stream[7]) < CLONE_BUDGET.toMillis(), "longest gap within the budget: " + streamed);
        assertTrue(afterKill.get("cancelledReceives") >= 1, context);
        assertEquals(0, afterKill.get("pendingReceives"), context);
        assertEquals(0, afterKill.get("held"), context);
        assertEquals(1, afterKill.get("openHandles"), "only the handle reading them: " + context);
        assertTrue(afterKill.get("defaultedUnheld") > 0, "packets after the kill were not held: " + context);

        assertEquals(0, exit[0], context);
        LiveSummary summary = LiveSummary.parse(out.toString());
        assertTrue(summary.clean(), context);
        assertTrue(summary.poolsAtZero(), () -> "pools not at 0: " + summary.poolDiffs());
        assertFalse(out.toString().contains("CLONE_HELD_TOO_LONG"), context);
        assertEquals(summary.injected(), summary.completed(), context);
    }

    /** Waits (at most 20 s) until the driver has taken {@code taken} packets: the transfers are under way. */
    private static void awaitTaken(Path socket, long taken) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (statistics(socket).get("taken") < taken) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the transfers did not start: fewer than " + taken + " packets taken");
            }
            Thread.sleep(20);
        }
    }

    /** Each line "SENT ECHO" (hex): the echo is the datagram as sent, or with each marker rewritten once. */
    private static void checkUdpEchoes(String lines, boolean rewritten) {
        List<String> echoes = lines.lines().toList();
        assertEquals(20, echoes.size(), lines);
        for (String echo : echoes) {
            String[] hex = echo.split(" ");
            String sent = new String(HexFormat.of().parseHex(hex[0]), StandardCharsets.US_ASCII);
            String expected = rewritten ? sent.replace("MARKER", "nbl4j!") : sent;
            assertFalse(hex[1].equals("-"), "echo lost: " + echo);
            assertEquals(expected, new String(HexFormat.of().parseHex(hex[1]), StandardCharsets.US_ASCII));
        }
    }

    private static String traffic(Host host, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", TRAFFIC.toString()));
        command.addAll(List.of(arguments));
        return host.exec(command.toArray(String[]::new)).strip();
    }

    /** The driver's counters, read through a handle of their own by the application in its statistics mode. */
    private static Map<String, Long> statistics(Path socket) throws IOException, InterruptedException {
        String output = Commands.run("python3", APPLICATION.toString(), "--device", socket.toString(), "--statistics");
        Map<String, Long> counters = new HashMap<>();
        for (String pair : output.strip().split(" ")) {
            String[] nameValue = pair.split("=");
            counters.put(nameValue[0], Long.parseLong(nameValue[1]));
        }
        return counters;
    }

    /** A process whose output lines are collected as they come, so that a test can wait for one. */
    private record Lines(Process process, List<String> lines) implements AutoCloseable {
        static Lines start(List<String> command) throws IOException {
            Process process = Commands.start(command);
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(reading failed: " + e + ")");
                }
            });
            return new Lines(process, lines);
        }

        void await(String line) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!lines.contains(line)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("no '" + line + "' from the process: " + text());
                }
                Thread.sleep(20);
            }
        }

        String text() {
            return String.join("\n", lines);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
