package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.live.Capture;
import org.nbl4j.cli.live.ForwardedImage;
import org.nbl4j.cli.live.Host;
import org.nbl4j.cli.live.LiveSummary;
import org.nbl4j.cli.live.PacketClass;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.samples.forwardinject.ForwardInjectCallout;
import picocli.CommandLine;

/**
 * {@code nbl4j route} as a real router between two Linux hosts (issue 6): the command runs in-process with two TUN
 * interfaces, two receive queues each, and the forward-inject callout (deep clone, DSCP rewrite, absorb, forward
 * inject); each device is moved into a namespace of its own (documentation addresses). The hosts ping each other (v4,
 * v6, and 4000-byte pings they fragment) and run bounded iperf3 transfers (v4 and v6), and the summary printed once the
 * command is stopped must match, packet for packet, what tcpdump saw each host send and receive:
 *
 * <ul>
 *   <li>per interface, the packets the router read = the packets the host sent into the device, and the packets the
 *       router transmitted = the packets the host received (the kernel's own device counters agree with both);
 *   <li>forwarded + delivered locally + discards = read; forwarded = the packets a host sent to the other host, and
 *       each arrived on the far side byte for byte as the router should rewrite it (TTL or hop limit one lower, DSCP
 *       46); delivered locally = the packets the hosts sent to the router itself (their router solicitations);
 *   <li>WFP injected = completed = forwarded, and the IPFORWARD indications by family = the packets forwarded;
 *   <li>per packet class (ICMP echo v4/v6, fragments v4/v6, TCP v4/v6, neighbour discovery, MLD), the same counts on
 *       both sides, and the echo and fragment counts the ping commands imply;
 *   <li>every pool back to 0, the verdict clean, exit status 0.
 * </ul>
 *
 * <p>Exactness needs the hosts to send nothing once the capture stops: {@link Host} keeps IPv6 off until the captures
 * run and leaves the kernel no timer that sends later (one router solicitation, no retransmission), and the test
 * stops the captures only once every TCP connection is closed and every packet the router read has gone out or was
 * delivered to it (the kernel's device counters say so). Everything made here is removed in {@code finally}.
 */
class RouteCommandLiveTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration QUIET_WITHIN = Duration.ofSeconds(20);

    private static final String HOST_A_V4 = "192.0.2.2";
    private static final String HOST_A_V6 = "2001:db8:1::2";
    private static final String HOST_B_V4 = "198.51.100.2";
    private static final String HOST_B_V6 = "2001:db8:2::2";

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void summaryMatchesWhatTheHostsSentThroughTheForwardInjectCallout() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ping", "iperf3", "tcpdump", "ss");
        long pid = ProcessHandle.current().pid() % 1_000_000;
        int run = COUNTER.incrementAndGet();
        String deviceA = "nbr" + pid + "a" + run;
        String deviceB = "nbr" + pid + "b" + run;

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
                        "200")); // a bound in case the test dies before stopping it
        Host hostA = null;
        Host hostB = null;
        List<Capture> captures = new ArrayList<>();
        Observed a;
        Observed b;
        try {
            assertTrue(route.awaitRouting(20_000), () -> "route did not start: " + err);
            hostA = Host.create("nbl4j-route-" + pid + "-a" + run);
            hostB = Host.create("nbl4j-route-" + pid + "-b" + run);
            hostA.adopt(deviceA, HOST_A_V4 + "/24", "192.0.2.1");
            hostB.adopt(deviceB, HOST_B_V4 + "/24", "198.51.100.1");
            Side sideA = new Side(
                    hostA,
                    capture(captures, hostA, Capture.Direction.OUT, "a-sent"),
                    capture(captures, hostA, Capture.Direction.IN, "a-received"));
            Side sideB = new Side(
                    hostB,
                    capture(captures, hostB, Capture.Direction.OUT, "b-sent"),
                    capture(captures, hostB, Capture.Direction.IN, "b-received"));
            hostA.enableIpv6(HOST_A_V6 + "/64", "2001:db8:1::1");
            hostB.enableIpv6(HOST_B_V6 + "/64", "2001:db8:2::1");
            long keptByRouter = awaitRouterSolicitations(hostA, hostB);

            hostA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", HOST_B_V4);
            hostA.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", HOST_B_V6);
            hostA.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", HOST_B_V4);
            hostA.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", HOST_B_V6);
            iperf3(hostA, hostB, HOST_B_V4, "4M");
            iperf3(hostA, hostB, HOST_B_V6, "1M");

            awaitQuiet(hostA, hostB, keptByRouter);
            a = sideA.stop();
            b = sideB.stop();
        } finally {
            for (Capture capture : captures) {
                capture.close();
            }
            route.stop();
            router.join(TimeUnit.SECONDS.toMillis(60));
            for (Host host : new Host[] {hostA, hostB}) {
                if (host != null) {
                    host.close();
                }
            }
        }
        assertEquals(0, exit[0], () -> out + "\n" + err);
        LiveSummary summary = LiveSummary.parse(out.toString());
        String context = out + "\npackets by class:\n" + classTable(a, b);

        assertTrue(summary.clean(), context);
        assertTrue(summary.poolsAtZero(), () -> "pools not at 0: " + summary.poolDiffs());

        // What the hosts sent: the ping commands' echoes, unfragmented and in 3 fragments each way.
        for (Observed host : List.of(a, b)) {
            Map<PacketClass, Long> sent = byClass(host.sent());
            assertEquals(3L, sent.getOrDefault(PacketClass.ECHO_V4, 0L), context);
            assertEquals(3L, sent.getOrDefault(PacketClass.ECHO_V6, 0L), context);
            assertEquals(2L * 3, sent.getOrDefault(PacketClass.FRAGMENT_V4, 0L), context);
            assertEquals(2L * 3, sent.getOrDefault(PacketClass.FRAGMENT_V6, 0L), context);
            assertTrue(sent.getOrDefault(PacketClass.TCP_V4, 0L) > 0, context);
            assertTrue(sent.getOrDefault(PacketClass.TCP_V6, 0L) > 0, context);
            // The one router solicitation each host sends when IPv6 comes up (Host), delivered to the router.
            assertEquals(1L, sent.getOrDefault(PacketClass.NEIGHBOR_DISCOVERY, 0L), context);
        }

        // Per interface: what the router read and transmitted is what the host sent and received, as the kernel
        // counted it too.
        checkInterface(summary.interfaceRow(deviceA), a, context);
        checkInterface(summary.interfaceRow(deviceB), b, context);

        // Forwarded: everything a host sent to the other host, each packet arriving as the router rewrites it.
        List<CapturedPacket> aToB = addressedTo(a.sent(), HOST_B_V4, HOST_B_V6);
        List<CapturedPacket> bToA = addressedTo(b.sent(), HOST_A_V4, HOST_A_V6);
        assertEquals(byClass(aToB), byClass(b.received()), context);
        assertEquals(byClass(bToA), byClass(a.received()), context);
        assertSameImages(aToB, b.received(), "what B received is what A sent it");
        assertSameImages(bToA, a.received(), "what A received is what B sent it");
        long forwarded = aToB.size() + bToA.size();
        assertEquals(forwarded, summary.count("forwarded"), context);

        // Delivered locally: what the hosts sent the router itself, the rest of what they sent.
        long toRouter = a.sent().size() - aToB.size() + b.sent().size() - bToA.size();
        assertEquals(toRouter, summary.count("delivered locally"), context);
        assertEquals(0, summary.count("discards"), context);
        assertEquals(0, summary.count("echo replies sent"), context);
        assertEquals(0, summary.count("ICMP errors sent"), context);
        long read = summary.interfaceRow(deviceA).received()
                + summary.interfaceRow(deviceB).received();
        assertEquals(read, summary.count("forwarded") + summary.count("delivered locally") + summary.count("discards"));

        // WFP: the callout absorbed every forwarded packet and injected its clone, and every injection completed.
        assertEquals(forwarded, summary.injected(), context);
        assertEquals(forwarded, summary.completed(), context);
        assertEquals(count(aToB, 4) + count(bToA, 4), summary.indications().getOrDefault("IPFORWARD_V4", 0L), context);
        assertEquals(count(aToB, 6) + count(bToA, 6), summary.indications().getOrDefault("IPFORWARD_V6", 0L), context);
    }

    /** A host and its two captures. */
    private record Side(Host host, Capture sent, Capture received) {
        /**
         * Stops the captures once they hold what the kernel says passed the device (tcpdump works through its ring at
         * its own pace), checks that tcpdump lost nothing, and reads them.
         */
        Observed stop() throws IOException, InterruptedException {
            Host.TunCounters kernel = host.counters();
            long sentPackets = kernel.readByRouter() + kernel.transmitDropped();
            assertTrue(sent.awaitWritten(sentPackets), () -> "tcpdump wrote fewer than " + sentPackets + " packets");
            assertTrue(
                    received.awaitWritten(kernel.writtenByRouter()),
                    () -> "tcpdump wrote fewer than " + kernel.writtenByRouter() + " packets");
            Capture.Statistics sentStatistics = sent.stop();
            Capture.Statistics receivedStatistics = received.stop();
            Observed observed = new Observed(kernel, sent.packets(), received.packets());
            String outputs = sent.output() + received.output();
            assertEquals(observed.sent().size(), sentStatistics.captured(), outputs);
            assertEquals(observed.received().size(), receivedStatistics.captured(), outputs);
            for (Capture.Statistics statistics : List.of(sentStatistics, receivedStatistics)) {
                assertEquals(0, statistics.droppedByKernel(), outputs);
                // Each tcpdump is given every packet of the device and keeps one direction: together they hold all.
                assertEquals(
                        observed.sent().size() + observed.received().size(), statistics.receivedByFilter(), outputs);
            }
            return observed;
        }
    }

    /** What one host's device saw: the kernel's counters and the two captures' packets. */
    private record Observed(Host.TunCounters kernel, List<CapturedPacket> sent, List<CapturedPacket> received) {}

    private Capture capture(List<Capture> captures, Host host, Capture.Direction direction, String name)
            throws IOException, InterruptedException {
        Capture capture = Capture.start(host, direction, directory.resolve(name + ".pcap"));
        captures.add(capture);
        return capture;
    }

    /** One bounded iperf3 TCP transfer from {@code client} to {@code server}'s address, which must succeed. */
    private static void iperf3(Host client, Host server, String address, String bytes)
            throws IOException, InterruptedException {
        Process listener = server.start("iperf3", "-s", "-1", "-B", address);
        try {
            Thread.sleep(300);
            Commands.Result result = Commands.finish(
                    client.start("iperf3", "-c", address, "-n", bytes, "--connect-timeout", "3000"),
                    Duration.ofSeconds(30));
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(listener.waitFor(10, TimeUnit.SECONDS), "iperf3 -s -1 did not end after its test");
        } finally {
            listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits until the router has read the router solicitation each host sends when IPv6 comes up (at most 10 s), and
     * returns how many packets it has read and not written to a host by then: those it keeps (delivers locally).
     */
    private static long awaitRouterSolicitations(Host hostA, Host hostB) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Host.TunCounters a = hostA.counters();
            Host.TunCounters b = hostB.counters();
            if (a.readByRouter() >= 1 && b.readByRouter() >= 1) {
                return kept(a, b);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no router solicitation reached the router: A " + a + ", B " + b);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until the hosts can send nothing more: no TCP socket but those in TIME-WAIT, and every packet the router
     * read since {@link #awaitRouterSolicitations} has gone out to the other host (the kernel counts a TUN device's
     * packets as the router reads and writes them). Bounded by {@link #QUIET_WITHIN}.
     */
    private static void awaitQuiet(Host hostA, Host hostB, long keptByRouter) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QUIET_WITHIN.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            Host.TunCounters a = hostA.counters();
            Host.TunCounters b = hostB.counters();
            List<String> sockets = new ArrayList<>(hostA.activeTcpSockets());
            sockets.addAll(hostB.activeTcpSockets());
            if (sockets.isEmpty() && kept(a, b) == keptByRouter) {
                return;
            }
            state = "A " + a + ", B " + b + ", kept by the router " + kept(a, b) + " (" + keptByRouter
                    + " before the traffic), sockets " + sockets;
            Thread.sleep(50);
        }
        throw new AssertionError("the hosts did not go quiet within " + QUIET_WITHIN + ": " + state);
    }

    /** Packets the router read from the hosts and has not written to either (in flight, or kept). */
    private static long kept(Host.TunCounters a, Host.TunCounters b) {
        return a.readByRouter() + b.readByRouter() - a.writtenByRouter() - b.writtenByRouter();
    }

    private static void checkInterface(LiveSummary.InterfaceRow row, Observed host, String context) {
        assertEquals(host.sent().size(), row.received(), context);
        assertEquals(0, row.dropped(), context);
        assertEquals(row.received(), row.ipIn(), context);
        assertEquals(host.received().size(), row.transmitted(), context);
        assertEquals(row.transmitted(), row.ipOut(), context);
        assertEquals(new Host.TunCounters(host.sent().size(), 0, host.received().size()), host.kernel(), context);
    }

    private static List<CapturedPacket> addressedTo(List<CapturedPacket> packets, String v4, String v6)
            throws IOException {
        InetAddress[] targets = {InetAddress.ofLiteral(v4), InetAddress.ofLiteral(v6)};
        List<CapturedPacket> addressed = new ArrayList<>();
        for (CapturedPacket packet : packets) {
            InetAddress destination = destination(packet.data());
            for (InetAddress target : targets) {
                if (target.equals(destination)) {
                    addressed.add(packet);
                }
            }
        }
        return addressed;
    }

    private static @Nullable InetAddress destination(byte[] packet) throws IOException {
        int version = (packet[0] >> 4) & 0xF;
        if (version == 4 && packet.length >= 20) {
            return InetAddress.getByAddress(Arrays.copyOfRange(packet, 16, 20));
        }
        if (version == 6 && packet.length >= 40) {
            return InetAddress.getByAddress(Arrays.copyOfRange(packet, 24, 40));
        }
        return null;
    }

    /**
     * Checks that {@code received} holds exactly the packets of {@code sent} as the router should rewrite them
     * ({@link ForwardedImage}), in any order; names the first few that differ.
     */
    private static void assertSameImages(List<CapturedPacket> sent, List<CapturedPacket> received, String what) {
        Map<String, Integer> balance = new HashMap<>();
        for (CapturedPacket packet : sent) {
            balance.merge(ForwardedImage.afterForwarding(packet, ForwardInjectCallout.NEW_DSCP), 1, Integer::sum);
        }
        for (CapturedPacket packet : received) {
            balance.merge(ForwardedImage.asReceived(packet), -1, Integer::sum);
        }
        List<String> differences = new ArrayList<>();
        balance.forEach((image, count) -> {
            if (count != 0) {
                String shown = image.length() > 100 ? image.substring(0, 100) + "..." : image;
                differences.add((count > 0 ? "missing " : "unexpected ") + Math.abs(count) + " x " + shown);
            }
        });
        assertTrue(
                differences.isEmpty(),
                () -> what + ", rewritten (TTL or hop limit - 1, DSCP " + ForwardInjectCallout.NEW_DSCP + "): "
                        + differences.size() + " image(s) differ, for example\n  "
                        + String.join("\n  ", differences.subList(0, Math.min(4, differences.size()))));
    }

    private static long count(List<CapturedPacket> packets, int version) {
        return packets.stream()
                .filter(packet -> ((packet.data()[0] >> 4) & 0xF) == version)
                .count();
    }

    private static Map<PacketClass, Long> byClass(List<CapturedPacket> packets) {
        Map<PacketClass, Long> counts = new EnumMap<>(PacketClass.class);
        for (CapturedPacket packet : packets) {
            counts.merge(PacketClass.of(packet.data()), 1L, Long::sum);
        }
        return counts;
    }

    private static String classTable(Observed a, Observed b) {
        return "  A sent " + byClass(a.sent()) + "\n  A received " + byClass(a.received()) + "\n  B sent "
                + byClass(b.sent()) + "\n  B received " + byClass(b.received()) + "\n";
    }
}
