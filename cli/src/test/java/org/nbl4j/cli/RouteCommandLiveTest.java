package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.samples.forwardinject.ForwardInjectCallout;
import picocli.CommandLine;

/**
 * {@code nbl4j route} as a real router between two Linux hosts: the command runs in-process with two TUN interfaces
 * and the forward-inject callout; each device is moved into a namespace of its own (documentation addresses), the hosts
 * ping each other (v4, v6, and 4000-byte pings they fragment) and run a bounded iperf3, and the summary printed once
 * the command is stopped must account for that traffic with every pool back to 0.
 */
class RouteCommandLiveTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void routesTwoNamespacesThroughTheForwardInjectCallout() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(available("ip") && available("ping"), "needs iproute2 and iputils-ping");
        long pid = ProcessHandle.current().pid() % 1_000_000;
        int run = COUNTER.incrementAndGet();
        String deviceA = "nbr" + pid + "a" + run;
        String deviceB = "nbr" + pid + "b" + run;
        String hostA = "nbl4j-route-" + pid + "-a" + run;
        String hostB = "nbl4j-route-" + pid + "-b" + run;

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
                        "name=" + deviceA + ",address=192.0.2.1/24,address=2001:db8:1::1/64",
                        "--interface",
                        "name=" + deviceB + ",address=198.51.100.1/24,address=2001:db8:2::1/64",
                        "--callout",
                        ForwardInjectCallout.class.getName(),
                        "--queues",
                        "2",
                        "--duration",
                        "150")); // a bound in case the test dies before stopping it
        boolean namespacesMade = false;
        try {
            assertTrue(route.awaitRouting(20_000), () -> "route did not start: " + err);
            run("ip", "netns", "add", hostA);
            run("ip", "netns", "add", hostB);
            namespacesMade = true;
            adopt(hostA, deviceA, "192.0.2.2/24", "2001:db8:1::2/64", "192.0.2.1", "2001:db8:1::1");
            adopt(hostB, deviceB, "198.51.100.2/24", "2001:db8:2::2/64", "198.51.100.1", "2001:db8:2::1");

            in(hostA, "ping", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.2");
            in(hostA, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "2001:db8:2::2");
            in(hostA, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", "198.51.100.2");
            in(hostA, "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", "2001:db8:2::2");
            if (available("iperf3")) {
                Process server = start(inside(hostB, "iperf3", "-s", "-1", "-B", "198.51.100.2"));
                try {
                    Thread.sleep(300);
                    Result client = finish(
                            start(inside(
                                    hostA, "iperf3", "-c", "198.51.100.2", "-n", "4M", "--connect-timeout", "3000")),
                            30);
                    assertEquals(0, client.exitCode(), client.output());
                } finally {
                    server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            route.stop();
            router.join(TimeUnit.SECONDS.toMillis(60));
            if (namespacesMade) {
                finish(start(List.of("ip", "netns", "del", hostA)), 10);
                finish(start(List.of("ip", "netns", "del", hostB)), 10);
            }
        }
        String summary = out.toString();
        assertEquals(0, exit[0], () -> summary + err);
        // 10 echo requests and their replies, 4 of them in 3 fragments each way: at least 2 * (6 + 4 * 3).
        assertTrue(count(summary, "forwarded") >= 36, summary);
        Matcher wfp =
                Pattern.compile("WFP injected / completed +(\\d+) / (\\d+)").matcher(summary);
        assertTrue(wfp.find(), summary);
        long injected = Long.parseLong(wfp.group(1));
        // The callout absorbs every forwarded packet and injects its clone: at least the 12 unfragmented echoes.
        assertTrue(injected >= 12, summary);
        assertEquals(injected, Long.parseLong(wfp.group(2)), summary);
        assertTrue(count(summary, "  " + deviceA) > 0, summary);
        assertTrue(summary.endsWith("verdict (verifier standard): no leak, no violation\n"), summary);
    }

    private static long count(String summary, String label) {
        Matcher matcher =
                Pattern.compile("(?m)^" + Pattern.quote(label) + " +(\\d+)").matcher(summary);
        assertTrue(matcher.find(), () -> label + " in " + summary);
        return Long.parseLong(matcher.group(1));
    }

    /** Moves a TUN device into a namespace, addresses it, sets it up and routes everything through the router. */
    private static void adopt(String namespace, String device, String v4, String v6, String gateway4, String gateway6)
            throws IOException, InterruptedException {
        run("ip", "link", "set", device, "netns", namespace);
        run("ip", "-n", namespace, "addr", "add", v4, "dev", device);
        run("ip", "-n", namespace, "addr", "add", v6, "dev", device, "nodad");
        run("ip", "-n", namespace, "link", "set", device, "up");
        run("ip", "-n", namespace, "route", "add", "default", "via", gateway4);
        run("ip", "-n", namespace, "-6", "route", "add", "default", "via", gateway6);
    }

    private static void in(String namespace, String... command) throws IOException, InterruptedException {
        run(inside(namespace, command).toArray(String[]::new));
    }

    private static List<String> inside(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    private record Result(int exitCode, String output) {}

    private static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits at most {@code seconds} for a command, killing it after that (exit code -1). */
    private static Result finish(Process process, int seconds) throws IOException, InterruptedException {
        boolean done = process.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(done ? process.exitValue() : -1, output);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Result result = finish(start(List.of(command)), 20);
        if (result.exitCode() != 0) {
            throw new IOException(
                    String.join(" ", command) + " exited with " + result.exitCode() + ": " + result.output());
        }
    }

    private static boolean available(String program) {
        try {
            return finish(start(List.of("sh", "-c", "command -v " + program)), 5)
                            .exitCode()
                    == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
