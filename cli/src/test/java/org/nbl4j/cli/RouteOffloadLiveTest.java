package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nbl4j.cli.live.Host;
import org.nbl4j.cli.live.LiveSummary;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import picocli.CommandLine;

/**
 * {@code nbl4j route --offload=off|windows|throughput} between two Linux hosts (namespaces, documentation addresses):
 * for IPv4 and IPv6, a 50 MB TCP transfer and 16 UDP datagrams of 4000 bytes (each fragmented by the sender) arrive
 * byte for byte (sha256 at the receiver), the verdict is clean and every pool is back to 0. Under {@code throughput} the hosts' kernels hand the router TSO super-packets
 * and it forwards them with LSO; under {@code windows} the devices are not asked for TSO on these forwarding
 * interfaces and nothing arrives coalesced; {@code off} is nbl4j without offloads. Everything made here is removed in
 * {@code finally}; the route has a bound of its own in case the test dies.
 */
class RouteOffloadLiveTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int BYTES = 50 * 1024 * 1024;
    /**
     * What goes through the forward-inject callout: enough for super-packets, few enough that the per-segment clones
     * of a callout that did not opt in (each tracked with its sites by the verifier) stay within seconds.
     */
    private static final int CALLOUT_BYTES = 3 * 1024 * 1024;

    private static final String RECEIVER = """
            import hashlib, socket, sys
            family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            server = socket.socket(family, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((sys.argv[1], int(sys.argv[2])))
            server.listen(1)
            server.settimeout(30)
            connection, _ = server.accept()
            connection.settimeout(30)
            digest = hashlib.sha256()
            total = 0
            while True:
                data = connection.recv(1 << 20)
                if not data:
                    break
                digest.update(data)
                total += len(data)
            connection.close()
            print(total, digest.hexdigest(), flush=True)
            """;

    private static final String SENDER = """
            import socket, sys
            connection = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
            with open(sys.argv[3], 'rb') as source:
                connection.sendall(source.read())
            connection.shutdown(socket.SHUT_WR)
            connection.recv(1)
            connection.close()
            """;

    /** Receives {@code count} datagrams numbered 0..count-1 (4-byte index first); prints their sha256 in index order. */
    private static final String DATAGRAM_RECEIVER = """
            import hashlib, socket, sys
            family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            server = socket.socket(family, socket.SOCK_DGRAM)
            server.bind((sys.argv[1], int(sys.argv[2])))
            server.settimeout(20)
            count = int(sys.argv[3])
            received = {}
            while len(received) < count:
                data = server.recv(65535)
                received[int.from_bytes(data[:4], 'big')] = data[4:]
            digest = hashlib.sha256()
            for index in range(count):
                digest.update(received[index])
            print(count, digest.hexdigest(), flush=True)
            """;

    /** Sends the file as datagrams of {@code size} bytes (each fragmented on the 1500-byte links), 20 ms apart. */
    private static final String DATAGRAM_SENDER = """
            import socket, sys, time
            family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            client = socket.socket(family, socket.SOCK_DGRAM)
            data = open(sys.argv[3], 'rb').read()
            size = int(sys.argv[4])
            for index in range(len(data) // size):
                client.sendto(index.to_bytes(4, 'big') + data[index * size:(index + 1) * size], (sys.argv[1], int(sys.argv[2])))
                time.sleep(0.02)
            """;

    private static final int DATAGRAMS = 16;
    private static final int DATAGRAM_BYTES = 4000;

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"off", "windows", "throughput"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aTcpTransferArrivesByteForByte(String offload) throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ss", "python3");
        Path data = directory.resolve("data.bin");
        String expected = write(data, BYTES);
        Path receiver = Files.writeString(directory.resolve("receive.py"), RECEIVER);
        Path sender = Files.writeString(directory.resolve("send.py"), SENDER);
        Path datagrams = directory.resolve("datagrams.bin");
        String datagramsExpected = writeDatagrams(datagrams);
        Path datagramReceiver = Files.writeString(directory.resolve("receive-datagrams.py"), DATAGRAM_RECEIVER);
        Path datagramSender = Files.writeString(directory.resolve("send-datagrams.py"), DATAGRAM_SENDER);

        String printed = routeWith(
                "o",
                (hostA, hostB, report) -> {
                    for (String address : new String[] {"198.51.100.2", "2001:db8:2::2"}) {
                        assertEquals(
                                BYTES + " " + expected,
                                transfer(hostA, hostB, address, receiver, sender, data),
                                () -> "to " + address + "\n" + report.get());
                        assertEquals(
                                DATAGRAMS + " " + datagramsExpected,
                                exchange(hostA, hostB, address, datagramReceiver, datagramSender, datagrams),
                                () -> "fragmented UDP to " + address + "\n" + report.get());
                    }
                },
                "--offload",
                offload);
        LiveSummary summary = LiveSummary.parse(printed);
        switch (offload) {
            case "throughput" -> {
                assertTrue(printed.contains("granted vnet-hdr,csum,tso4,tso6"), printed);
                assertTrue(summary.count("coalesced sent with LSO") > 0, printed);
            }
            case "windows" -> {
                assertTrue(printed.contains("granted vnet-hdr,csum\n"), printed);
                assertTrue(!printed.contains("coalesced sent with LSO"), printed);
            }
            default -> assertTrue(!printed.contains("granted"), printed);
        }
    }

    /**
     * The forward-inject callout (it absorbs every forwarded unicast packet and forward-injects a deep clone) sees
     * coalesced packets only under {@code throughput} and only when it registered with
     * {@code FWP_CALLOUT_FLAG_ALLOW_RSC} ({@code RscForwardInjectCallout}). Since every forwarded packet leaves as an
     * injected clone, a large send can only be the clone of a coalesced packet the callout took, so the summary tells:
     * opted in under {@code throughput}, super-packets leave with LSO and none is cut; not opted in, super-packets
     * still arrive (the devices have TSO) but RSC is off, so they are cut into segments before any layer sees them and
     * none leaves with LSO; under {@code windows} and {@code off} nothing arrives coalesced. Either way
     * {@value #CALLOUT_BYTES} bytes over TCP, IPv4 and IPv6, arrive byte for byte, the verdict (verifier standard) is
     * clean and every pool is at 0.
     */
    @ParameterizedTest(name = "--offload={0}, opted in to RSC: {1}")
    @CsvSource({"off,false", "off,true", "windows,false", "windows,true", "throughput,false", "throughput,true"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theCalloutSeesCoalescedPacketsOnlyUnderThroughputAndOptedIn(String offload, boolean optedIn) throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ss", "python3");
        Path data = directory.resolve("data.bin");
        String expected = write(data, CALLOUT_BYTES);
        Path receiver = Files.writeString(directory.resolve("receive.py"), RECEIVER);
        Path sender = Files.writeString(directory.resolve("send.py"), SENDER);
        String callout = "org.nbl4j.samples.forwardinject." + (optedIn ? "Rsc" : "") + "ForwardInjectCallout";

        String printed = routeWith(
                "c",
                (hostA, hostB, report) -> {
                    for (String address : new String[] {"198.51.100.2", "2001:db8:2::2"}) {
                        assertEquals(
                                CALLOUT_BYTES + " " + expected,
                                transfer(hostA, hostB, address, receiver, sender, data),
                                () -> "to " + address + "\n" + report.get());
                    }
                },
                "--offload",
                offload,
                "--callout",
                callout);
        LiveSummary summary = LiveSummary.parse(printed);
        assertTrue(summary.injected() > 0 && summary.injected() == summary.completed(), printed);
        long largeSends = offloadRow(summary, printed, "coalesced sent with LSO");
        long cut = offloadRow(summary, printed, "segments cut in software");
        if (offload.equals("throughput") && optedIn) {
            assertTrue(largeSends > 0, () -> "the opted-in callout took no super-packet\n" + printed);
            assertEquals(0, cut, printed);
        } else if (offload.equals("throughput")) {
            assertEquals(0, largeSends, () -> "a callout that did not opt in took a super-packet\n" + printed);
            assertTrue(cut > 0, () -> "no super-packet arrived to be cut\n" + printed);
        } else {
            assertEquals(0, largeSends, printed);
            assertEquals(0, cut, printed);
        }
    }

    /** The traffic a test runs between the two hosts while the router forwards. */
    private interface Traffic {
        /** @param report what the router printed so far, for a failure's message */
        void run(Host hostA, Host hostB, Supplier<String> report) throws Exception;
    }

    /**
     * Runs {@code nbl4j route} between two TUN devices with {@code options}, moves them into two hosts (192.0.2.2 and
     * 2001:db8:1::2 behind the first, 198.51.100.2 and 2001:db8:2::2 behind the second), runs {@code traffic}, stops
     * the router and removes the hosts even when the traffic fails. Checks exit 0, a clean verdict and every pool at
     * 0, and returns what the router printed.
     *
     * @param tag one letter in the device and namespace names, so that the tests' leftovers tell apart
     */
    private static String routeWith(String tag, Traffic traffic, String... options) throws Exception {
        long pid = ProcessHandle.current().pid() % 1_000_000;
        int run = COUNTER.incrementAndGet();
        String deviceA = "nb" + tag + pid + "a" + run;
        String deviceB = "nb" + tag + pid + "b" + run;
        CommandLine line = new CommandLine(new Nbl4jCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        RouteCommand route = line.getSubcommands().get("route").getCommand();
        List<String> arguments = new ArrayList<>(List.of(
                "route",
                "--interface",
                "name=" + deviceA + ",address=192.0.2.1/24,address=2001:db8:1::1/64",
                "--interface",
                "name=" + deviceB + ",address=198.51.100.1/24,address=2001:db8:2::1/64",
                "--duration",
                "150"));
        arguments.addAll(List.of(options));
        int[] exit = {-1};
        Thread router = Thread.ofPlatform()
                .name("nbl4j route " + String.join(" ", options))
                .start(() -> exit[0] = line.execute(arguments.toArray(String[]::new)));
        Host hostA = null;
        Host hostB = null;
        try {
            assertTrue(route.awaitRouting(20_000), () -> "route did not start: " + err);
            hostA = Host.create("nbl4j-offload-" + tag + pid + "-a" + run);
            hostB = Host.create("nbl4j-offload-" + tag + pid + "-b" + run);
            hostA.adopt(deviceA, "192.0.2.2/24", "192.0.2.1");
            hostB.adopt(deviceB, "198.51.100.2/24", "198.51.100.1");
            hostA.enableIpv6("2001:db8:1::2/64", "2001:db8:1::1");
            hostB.enableIpv6("2001:db8:2::2/64", "2001:db8:2::1");
            traffic.run(hostA, hostB, () -> out + "\n" + err);
        } finally {
            route.stop();
            router.join(TimeUnit.SECONDS.toMillis(60));
            for (Host host : new Host[] {hostA, hostB}) {
                if (host != null) {
                    host.close();
                }
            }
        }
        assertEquals(0, exit[0], () -> out + "\n" + err);
        String printed = out.toString();
        LiveSummary summary = LiveSummary.parse(printed);
        assertTrue(summary.clean(), printed);
        assertTrue(summary.poolsAtZero(), () -> "pools not at 0: " + summary.poolDiffs());
        return printed;
    }

    /** An offload row of the summary, which prints them only when one is not 0. */
    private static long offloadRow(LiveSummary summary, String printed, String label) {
        return printed.contains(label) ? summary.count(label) : 0;
    }

    /** {@code count} seeded random bytes; returns their sha256. */
    private static String write(Path file, int count) throws Exception {
        byte[] bytes = new byte[count];
        new Random(17).nextBytes(bytes);
        Files.write(file, bytes);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** {@value #DATAGRAMS} datagrams' worth of seeded random bytes; returns their sha256. */
    private static String writeDatagrams(Path file) throws Exception {
        byte[] bytes = new byte[DATAGRAMS * DATAGRAM_BYTES];
        new Random(29).nextBytes(bytes);
        Files.write(file, bytes);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Sends the datagrams from {@code client} to {@code server}'s address; returns "count sha256" as received. */
    private static String exchange(Host client, Host server, String address, Path receiver, Path sender, Path data)
            throws Exception {
        Process listener = server.start("python3", receiver.toString(), address, "5202", String.valueOf(DATAGRAMS));
        try {
            awaitListening(server, "-Huln", 5202);
            Commands.Result sent = Commands.finish(
                    client.start(
                            "python3",
                            sender.toString(),
                            address,
                            "5202",
                            data.toString(),
                            String.valueOf(DATAGRAM_BYTES)),
                    Duration.ofSeconds(30));
            assertEquals(0, sent.exitCode(), sent.output());
            Commands.Result received = Commands.finish(listener, Duration.ofSeconds(30));
            assertEquals(0, received.exitCode(), received.output());
            return received.output().strip();
        } finally {
            listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits until a socket of {@code server} is bound to {@code port} ({@code ss} with {@code options}: UDP or TCP
     * listening), at most 15 s: a receiver started on a loaded machine may take seconds to bind, and a datagram sent
     * before then is lost, a connection refused.
     */
    private static void awaitListening(Host server, String options, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (server.exec("ss", options, "sport = :" + port).isBlank()) {
            assertTrue(System.nanoTime() < deadline, () -> "nothing bound to port " + port);
            Thread.sleep(50);
        }
    }

    /** Sends the file from {@code client} to {@code server}'s address over TCP; returns "bytes sha256" as received. */
    private static String transfer(Host client, Host server, String address, Path receiver, Path sender, Path data)
            throws Exception {
        Process listener = server.start("python3", receiver.toString(), address, "5201");
        try {
            awaitListening(server, "-Htln", 5201);
            Commands.Result sent = Commands.finish(
                    client.start("python3", sender.toString(), address, "5201", data.toString()),
                    Duration.ofSeconds(60));
            assertEquals(0, sent.exitCode(), sent.output());
            Commands.Result received = Commands.finish(listener, Duration.ofSeconds(30));
            assertEquals(0, received.exitCode(), received.output());
            return received.output().strip();
        } finally {
            listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
