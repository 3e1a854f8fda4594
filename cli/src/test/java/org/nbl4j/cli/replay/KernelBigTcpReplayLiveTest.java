package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.live.Host;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ip.OffloadMode;

/**
 * A capture of real BIG TCP, replayed. Two namespaces joined by a veth pair whose GSO and GRO limits are raised to
 * 185,000 bytes: host B (2001:db8:2::2) sends 20 MB with iperf3 to 2001:db8:1::2, an address of the other namespace,
 * whose veth is named {@code r-b} and has the bundled router's r-b address. tshark captures what arrives there: the
 * kernel's GRO hands it IPv6 BIG TCP packets of up to 185,000 bytes with the hop-by-hop jumbo option, in an Ethernet
 * frame, which the capture reader must keep whole. Those packets (without the rest of the flow, whose retransmissions
 * would overlap them) are then replayed through the bundled router as packets arriving on its r-b:
 *
 * <ul>
 *   <li>none is skipped as longer than the MTU, and each is offered as several RSC indications;
 *   <li>under {@code off}, what leaves on r-a is, for every BIG TCP packet, the cut of the whole packet into segments
 *       within the MTU that Linux's GSO makes ({@link SegmentsOf}): its payload in order, Identification and flags
 *       run across the pieces, every checksum whole;
 *   <li>under {@code throughput}, the pieces leave whole with LSO, and together they carry every payload byte.
 * </ul>
 *
 * IPv4 BIG TCP needs {@code gso_ipv4_max_size}, which this machine's iproute2 (6.1) cannot set: {@link
 * CoalescedReplayTest} covers it with a generated packet. Documentation addresses only; the namespaces are removed in
 * every case, and the transfer is bounded in bytes and time.
 */
class KernelBigTcpReplayLiveTest {
    private static final int BIG_TCP_SIZE = 185_000;
    private static final String HOST_B = "2001:db8:2::2";
    private static final String HOST_A = "2001:db8:1::2";

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aKernelsBigTcpCaptureIsReplayedAsTheSegmentsLinuxWouldCut() throws Exception {
        TestTools.requireRoot();
        TestTools.require("ip", "iperf3", "tshark");
        Path capture = directory.resolve("big-tcp.pcapng");
        record(capture);
        // The BIG TCP packets, read whole out of their Ethernet frames, as the replay's input: without the rest of
        // the flow, whose retransmissions would overlap their segments, and without any that overlaps another.
        List<byte[]> captured = new ArrayList<>();
        List<byte[]> big = new ArrayList<>();
        int packets = 0;
        try (CaptureReader reader = CaptureReader.open(capture)) {
            for (CapturedPacket packet = reader.next(); packet != null; packet = reader.next()) {
                packets++;
                if (packet.data().length > ReplayEngine.LARGEST_COALESCED) {
                    byte[] wire = onTheWire(packet.data());
                    if (big.stream().noneMatch(other -> overlap(other, wire))) {
                        captured.add(packet.data());
                        big.add(wire);
                    }
                }
            }
        }
        assertTrue(big.size() >= 3, big.size() + " BIG TCP packets among " + packets + " captured");
        Path input = directory.resolve("big-only.pcapng");
        try (CaptureWriter writer = CaptureWriter.create(input, CaptureFormat.PCAPNG, List.of("r-a", "r-b"))) {
            long nanos = 1_000_000_000L;
            for (byte[] packet : captured) {
                writer.write(1, nanos += 1_000, packet.length, MemorySegment.ofArray(packet));
            }
        }
        // Pieces of 45 segments of 1,428 bytes (1,500 - 40 - 32: iperf3's TCP has timestamps), the last the rest;
        // a last piece of one segment is a plain packet, not an indication.
        long pieces = big.stream()
                .mapToLong(p -> (p.length - 72) / 64_260 + ((p.length - 72) % 64_260 > 1_428 ? 1 : 0))
                .sum();

        ReplayResult off = replay(input, OffloadMode.OFF);
        assertTrue(off.clean(), () -> ReplaySummary.verdict(off));
        assertEquals(0L, off.totalSkipped());
        assertEquals(pieces, off.coalesced(), "indications");
        List<CapturedPacket> sent = sent(OffloadMode.OFF);
        int segments = 0;
        for (byte[] packet : big) {
            int cut = SegmentsOf.check(forwarded(packet), sent, 1500);
            assertEquals((packet.length - 72 + 1427) / 1428, cut, "1,428-byte segments");
            segments += cut;
        }
        assertEquals(segments, sent.size());

        ReplayResult throughput = replay(input, OffloadMode.THROUGHPUT);
        assertTrue(throughput.clean(), () -> ReplaySummary.verdict(throughput));
        long lsoSends = sent(OffloadMode.THROUGHPUT).stream()
                .filter(p -> p.data().length > 1500)
                .count();
        assertEquals(pieces, lsoSends, "LSO sends");
        assertEquals(pieces, throughput.ip().largeSends());
    }

    /** Whether two packets of the flow carry any of the same sequence numbers. */
    private static boolean overlap(byte[] a, byte[] b) {
        long startA = Integer.toUnsignedLong(ByteBuffer.wrap(a).getInt(44));
        long startB = Integer.toUnsignedLong(ByteBuffer.wrap(b).getInt(44));
        return startA < startB + b.length - 72 && startB < startA + a.length - 72;
    }

    /** Runs the transfer between the two namespaces and captures what arrives on r-b. */
    private static void record(Path file) throws Exception {
        String run = ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        String sender = "nbl4j-bigtcp-" + run + "-b";
        String receiver = "nbl4j-bigtcp-" + run + "-r";
        try (Host b = Host.create(sender);
                Host r = Host.create(receiver)) {
            Commands.run(
                    "ip", "link", "add", "bigtcp-b", "netns", sender, "type", "veth", "peer", "r-b", "netns", receiver);
            configure(b, "bigtcp-b", HOST_B + "/64");
            configure(r, "r-b", "2001:db8:2::1/64");
            r.exec("ip", "addr", "add", HOST_A + "/128", "dev", "lo");
            b.exec("ip", "-6", "route", "add", "2001:db8:1::/64", "via", "2001:db8:2::1");
            Process server = r.start("iperf3", "-s", "-1", "-B", HOST_A);
            Process tshark = r.start(
                    "tshark",
                    "-i",
                    "r-b",
                    "-B",
                    "64",
                    "-f",
                    "ip6 src " + HOST_B,
                    "-a",
                    "duration:60",
                    "-w",
                    file.toString());
            try {
                awaitListening(tshark);
                b.exec("timeout", "30", "iperf3", "-c", HOST_A, "-n", "20M");
            } finally {
                // As Ctrl-C: tshark has its capture child write out what it holds and closes the file.
                Commands.run("kill", "-INT", String.valueOf(tshark.pid()));
                if (!tshark.waitFor(10, TimeUnit.SECONDS)) {
                    tshark.destroyForcibly();
                }
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void configure(Host host, String device, String address) throws Exception {
        host.exec("sysctl", "-qw", "net.ipv6.conf." + device + ".disable_ipv6=0");
        host.exec("ip", "addr", "add", address, "dev", device, "nodad");
        host.exec(
                "ip",
                "link",
                "set",
                device,
                "gso_max_size",
                String.valueOf(BIG_TCP_SIZE),
                "gro_max_size",
                String.valueOf(BIG_TCP_SIZE),
                "up");
        host.exec("ip", "link", "set", "lo", "up");
    }

    /**
     * Waits (at most 10 s) for tshark to say the capture started: "Capturing on" comes before its capture child
     * listens. Its buffer is 64 MiB, so that a burst of 185,000-byte packets is not dropped.
     */
    private static void awaitListening(Process tshark) throws Exception {
        var output = tshark.inputReader();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (line.contains("Capture started")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "tshark did not start: " + line);
        }
        throw new AssertionError("tshark ended before capturing");
    }

    private ReplayResult replay(Path capture, OffloadMode mode) throws Exception {
        return new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING, mode)
                .replay(new CaptureSource(capture), directory.resolve(mode.name()), ReplayObserver.NONE);
    }

    private List<CapturedPacket> sent(OffloadMode mode) throws Exception {
        try (CaptureReader reader =
                CaptureReader.open(directory.resolve(mode.name()).resolve("r-a.pcapng"))) {
            return reader.readAll();
        }
    }

    /** The packet without the hop-by-hop jumbo option, which Linux adds only inside the host. */
    private static byte[] onTheWire(byte[] packet) {
        assertEquals(0x60, packet[0] & 0xF0, "IPv6");
        assertEquals(0, packet[6], "a hop-by-hop header");
        assertEquals((byte) 0xC2, packet[42], "the jumbo payload option");
        byte[] wire = new byte[packet.length - 8];
        System.arraycopy(packet, 0, wire, 0, 40);
        System.arraycopy(packet, 48, wire, 40, wire.length - 40);
        wire[6] = packet[40];
        return wire;
    }

    /** The packet as a router one hop on forwards it: hop limit one lower. */
    private static byte[] forwarded(byte[] packet) {
        byte[] copy = packet.clone();
        copy[7]--;
        ByteBuffer.wrap(copy).putShort(4, (short) 0);
        return copy;
    }
}
