package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ip.OffloadMode;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.router.Router;

/**
 * nbl4j's software segmentation against Linux's own, byte for byte. The same super-packets (TCP over IPv4 and IPv6 with
 * a short last segment, CWR, PSH and FIN set and a timestamp option; UDP over IPv4 and IPv6) go through two routers:
 *
 * <ul>
 *   <li>Linux: written with a virtio-net header ({@code GSO_TCPV4/6} or {@code GSO_UDP_L4}, {@code gso_size},
 *       {@code NEEDS_CSUM}) to a TUN device in a namespace that forwards them out of a veth with TSO, USO, GSO and
 *       transmit checksumming off, so the kernel cuts them in software ({@code skb_gso_segment}: {@code
 *       tcp_gso_segment}, {@code __udp_gso_segment}) and completes every checksum; tshark captures the segments in the
 *       peer namespace, whose GRO is off;
 *   <li>nbl4j: received as coalesced indications of the same segment count, forwarded under {@link
 *       OffloadMode#THROUGHPUT} to an egress without LSO, which cuts them with its {@code Segmenter}.
 * </ul>
 *
 * Both decrement the TTL (hop limit) once. Both get the sender's segment size: the kernel as {@code gso_size}, nbl4j
 * with the indication as its {@link OffloadInfo#coalescedSegmentSize} (what its TUN miniport carries from the same
 * field), so the cases' payloads, none a multiple of their size, are cut where the sender's segments ended, the last
 * one short, on both sides (an even split of the count would cut elsewhere). One case carries no size to nbl4j and is
 * sent to the kernel at the even split's size, which is where nbl4j cuts then. Addresses are documentation ones; the
 * namespaces and devices are removed in every case.
 */
class KernelSegmentationLiveTest {
    private static final String PEER_MAC = "00:00:5e:00:53:02"; // RFC 7042's documentation range
    private static final int PORT = 8080;
    private static final int PROBE_PORT = 40001;

    @TempDir
    Path directory;

    /**
     * One super-packet: its family, TCP or UDP, its payload length, the sender's segment size, and whether nbl4j is
     * told that size (else it has only the count, and the kernel gets the size of the even split).
     */
    private record Case(boolean v6, boolean udp, int payload, int gsoSize, boolean sizeCarried) {
        int segments() {
            return (payload + gsoSize - 1) / gsoSize;
        }

        int transportHeader() {
            return udp ? 8 : 32;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case(false, false, 10_000, 1448, true), // 6 of 1,448 and 1,312; the even split: 6 of 1,429, 1,426
            new Case(false, false, 4_001, 1400, true),
            new Case(true, false, 7_001, 1420, true),
            new Case(false, true, 5_001, 1300, true),
            new Case(true, true, 4_001, 1334, false)); // 1,334 is the even split of 4,001 into 3

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void nbl4jCutsSuperPacketsAsLinuxDoes() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ethtool", "tshark");
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            packets.add(superPacket(CASES.get(i), 0x1000_0000 * (i + 1)));
        }
        int expected = CASES.stream().mapToInt(Case::segments).sum();

        List<byte[]> linux = linuxSegments(packets, expected);
        List<byte[]> nbl4j = nbl4jSegments(packets);

        assertEquals(
                expected,
                linux.size(),
                () -> linux.stream()
                        .map(p -> p.length + ":" + HexFormat.of().formatHex(p, 0, Math.min(p.length, 56)))
                        .toList()
                        .toString());
        assertEquals(linux.size(), nbl4j.size());
        for (int i = 0; i < linux.size(); i++) {
            assertArrayEquals(
                    linux.get(i),
                    nbl4j.get(i),
                    "segment " + i + "\nLinux " + HexFormat.of().formatHex(linux.get(i), 0, 64) + "\nnbl4j "
                            + HexFormat.of().formatHex(nbl4j.get(i), 0, 64));
        }
    }

    /**
     * A TCP or UDP super-packet from 192.0.2.2 (2001:db8:1::2) to 198.51.100.2 (2001:db8:2::2): for TCP ACK, PSH, FIN
     * and CWR and a timestamp option; random payload, DF for IPv4, and the checksum field as a sender with checksum
     * offload leaves it (the pseudo-header sum with the transport length, which the virtio-net header's NEEDS_CSUM
     * requires).
     */
    private static byte[] superPacket(Case c, int sequence) {
        int ip = c.v6 ? 40 : 20;
        int protocol = c.udp ? 17 : 6;
        int length = ip + c.transportHeader() + c.payload;
        byte[] packet = new byte[length];
        new Random(c.payload).nextBytes(packet);
        ByteBuffer b = ByteBuffer.wrap(packet);
        if (c.v6) {
            b.putInt(0, 0x6001_2345); // a flow label, which every segment keeps
            b.putShort(4, (short) (length - 40));
            b.put(6, (byte) protocol).put(7, (byte) 64);
            b.put(8, address("2001:db8:1::2")).put(24, address("2001:db8:2::2"));
        } else {
            b.put(0, (byte) 0x45).put(1, (byte) 0);
            b.putShort(2, (short) length);
            b.putShort(4, (short) 0xfffc); // the IDs of the first packet's 7 segments wrap past 0xffff
            b.putShort(6, (short) 0x4000);
            b.put(8, (byte) 64).put(9, (byte) protocol);
            b.putShort(10, (short) 0);
            b.put(12, address("192.0.2.2")).put(16, address("198.51.100.2"));
            b.putShort(10, (short) fold(words(packet, 0, 20), true));
        }
        b.putShort(ip, (short) 40000).putShort(ip + 2, (short) PORT);
        int checksumField;
        if (c.udp) {
            b.putShort(ip + 4, (short) (length - ip));
            checksumField = ip + VirtioNetHeader.UDP_CHECKSUM_OFFSET;
        } else {
            b.putInt(ip + 4, sequence).putInt(ip + 8, 0x0bad_cafe);
            b.put(ip + 12, (byte) 0x80); // 32-byte header
            b.put(ip + 13, (byte) 0x99); // CWR, ACK, PSH, FIN
            b.putShort(ip + 14, (short) 502).putShort(ip + 18, (short) 0);
            b.putInt(ip + 20, 0x0101_080a);
            checksumField = ip + VirtioNetHeader.TCP_CHECKSUM_OFFSET;
        }
        long pseudo = (c.v6 ? words(packet, 8, 32) : words(packet, 12, 8)) + (length - ip) + protocol;
        b.putShort(checksumField, (short) fold(pseudo, false));
        return packet;
    }

    private static byte[] address(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    private static long words(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((data[from + i] & 0xFF) << 8) | (i + 1 < length ? data[from + i + 1] & 0xFF : 0);
        }
        return sum;
    }

    private static int fold(long sum, boolean complement) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) ((complement ? ~sum : sum) & 0xFFFF);
    }

    /** Linux's segments of the packets, as tshark captured them on the far side of the forwarding namespace. */
    private List<byte[]> linuxSegments(List<byte[]> packets, int expected) throws Exception {
        String tunName = Namespace.interfaceName();
        String veth = Namespace.interfaceName();
        String peer = Namespace.interfaceName();
        List<byte[]> segments = new ArrayList<>();
        Path capture = directory.resolve("linux.pcapng");
        try (TunDevice tun = TunDevice.open(tunName, 1, true, TunOffloads.ALL);
                Namespace router = Namespace.create();
                Namespace far = Namespace.create()) {
            router.adopt(tunName, true, "192.0.2.1/24", "2001:db8:1::1/64");
            Commands.run(
                    "ip",
                    "link",
                    "add",
                    veth,
                    "netns",
                    router.name,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    peer,
                    "netns",
                    far.name);
            router.exec("ip", "addr", "add", "198.51.100.1/24", "dev", veth);
            router.exec("ip", "addr", "add", "2001:db8:2::1/64", "dev", veth, "nodad");
            far.exec("ip", "link", "set", peer, "address", PEER_MAC);
            far.exec("ip", "addr", "add", "198.51.100.2/24", "dev", peer);
            far.exec("ip", "addr", "add", "2001:db8:2::2/64", "dev", peer, "nodad");
            router.exec("ip", "link", "set", veth, "up");
            far.exec("ip", "link", "set", peer, "up");
            // The kernel must cut and checksum in software on the way out, and nothing may glue the segments again.
            router.exec("ethtool", "-K", veth, "tx", "off", "tso", "off", "gso", "off", "tx-udp-segmentation", "off");
            far.exec("ethtool", "-K", peer, "gro", "off");
            router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            router.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
            router.exec("ip", "neigh", "replace", "198.51.100.2", "lladdr", PEER_MAC, "dev", veth, "nud", "permanent");
            router.exec("ip", "neigh", "replace", "2001:db8:2::2", "lladdr", PEER_MAC, "dev", veth, "nud", "permanent");

            // tshark saves what it captures and prints a line per packet as it goes (-P, line-buffered); probes go
            // through until it shows one, so that the capture is known to run before the super-packets are written.
            Process tshark = new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            far.name,
                            "tshark",
                            "-i",
                            peer,
                            "-f",
                            "dst port " + PORT,
                            "-l",
                            "-P",
                            "-w",
                            capture.toString(),
                            "-a",
                            "duration:60")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader out = tshark.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // tshark was stopped: its output ends here
                }
            });
            try (Arena arena = Arena.ofConfined()) {
                int probes = awaitCapturing(tun, arena, lines);
                for (int i = 0; i < packets.size(); i++) {
                    writeWithHeader(tun, arena, packets.get(i), CASES.get(i));
                }
                // Every probe written may still show up, so wait for the segments' lines by their port.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int seen = 0;
                while (seen < expected && System.nanoTime() < deadline) {
                    String line = lines.poll(100, TimeUnit.MILLISECONDS);
                    if (line != null && line.contains(" 40000 ")) {
                        seen++;
                    }
                }
                assertTrue(probes > 0);
            } finally {
                tshark.destroy();
                tshark.waitFor(10, TimeUnit.SECONDS);
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        try (CaptureReader reader = CaptureReader.open(capture)) {
            for (CapturedPacket packet : reader.readAll()) {
                if (!isProbe(packet.data())) {
                    segments.add(packet.data());
                }
            }
        }
        return segments;
    }

    /**
     * Writes probes (small TCP packets from another port, no offload) every 100 ms until tshark shows one, at most
     * 20 s.
     *
     * @return how many probes it wrote
     */
    private static int awaitCapturing(TunDevice tun, Arena arena, BlockingQueue<String> lines) throws Exception {
        byte[] probe = superPacket(new Case(false, false, 8, 8, false), 1);
        ByteBuffer.wrap(probe).putShort(20, (short) PROBE_PORT);
        MemorySegment buffer = arena.allocate(VirtioNetHeader.BYTES + probe.length);
        MemorySegment.copy(MemorySegment.ofArray(probe), 0, buffer, VirtioNetHeader.BYTES, probe.length);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int written = 0;
        while (System.nanoTime() < deadline) {
            assertEquals(buffer.byteSize(), tun.write(0, buffer, 0, (int) buffer.byteSize()));
            written++;
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(" " + PROBE_PORT + " ")) {
                return written;
            }
        }
        throw new AssertionError("tshark showed no probe within 20 s");
    }

    private static boolean isProbe(byte[] packet) {
        int ip = (packet[0] & 0xF0) == 0x40 ? (packet[0] & 0x0F) * 4 : 40;
        return packet.length >= ip + 2
                && Short.toUnsignedInt(ByteBuffer.wrap(packet).getShort(ip)) == PROBE_PORT;
    }

    /** Writes a super-packet to the TUN device behind its virtio-net header: TSO at the case's segment size. */
    private static void writeWithHeader(TunDevice tun, Arena arena, byte[] packet, Case c) throws Exception {
        int ip = c.v6 ? 40 : 20;
        MemorySegment buffer = arena.allocate(VirtioNetHeader.BYTES + packet.length);
        VirtioNetHeader.write(
                buffer,
                0,
                VirtioNetHeader.BYTES,
                VirtioNetHeader.F_NEEDS_CSUM,
                c.udp ? VirtioNetHeader.GSO_UDP_L4 : c.v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                ip + c.transportHeader(),
                c.gsoSize(),
                ip,
                c.udp ? VirtioNetHeader.UDP_CHECKSUM_OFFSET : VirtioNetHeader.TCP_CHECKSUM_OFFSET);
        MemorySegment.copy(MemorySegment.ofArray(packet), 0, buffer, VirtioNetHeader.BYTES, packet.length);
        assertEquals(buffer.byteSize(), tun.write(0, buffer, 0, (int) buffer.byteSize()));
    }

    /** nbl4j's segments of the packets: RSC indications forwarded to an egress without LSO. */
    private static List<byte[]> nbl4jSegments(List<byte[]> packets) {
        List<byte[]> sent = new ArrayList<>();
        try (Ndis ndis = Ndis.create(VerifierSettings.standard())) {
            MemoryMiniport arrival = MemoryMiniport.builder()
                    .name("from-tun")
                    .largestCoalesced(65_535)
                    .build();
            MemoryMiniport egress = MemoryMiniport.builder()
                    .name("to-veth")
                    .transmitSink(nbl -> {
                        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
                            byte[] bytes = new byte[nb.dataLength()];
                            nb.copyTo(0, MemorySegment.ofArray(bytes), 0, bytes.length);
                            sent.add(bytes);
                        }
                    })
                    .build();
            Router router = Router.create(ndis);
            try {
                router.addInterface(1, "from-tun", arrival, List.of(), true);
                router.addInterface(2, "to-veth", egress, List.of(), true);
                router.address(1, InetAddress.ofLiteral("192.0.2.1"), 24)
                        .address(1, InetAddress.ofLiteral("2001:db8:1::1"), 64)
                        .address(2, InetAddress.ofLiteral("198.51.100.1"), 24)
                        .address(2, InetAddress.ofLiteral("2001:db8:2::1"), 64);
                router.ip().setOffloadMode(OffloadMode.THROUGHPUT);
                for (int i = 0; i < packets.size(); i++) {
                    byte[] packet = packets.get(i);
                    Case c = CASES.get(i);
                    // What the TUN miniport says of a NEEDS_CSUM packet (TcpChecksumValueInvalid stands for UDP too).
                    int bits = (c.udp()
                                    ? OffloadInfo.RECEIVE_UDP_CHECKSUM_SUCCEEDED
                                    : OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED)
                            | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID;
                    assertTrue(arrival.receive(packet, bits, c.segments(), c.sizeCarried() ? c.gsoSize() : 0));
                    while (router.pollAll(64) > 0) {
                        // until the forward and its completion are done
                    }
                }
                router.drain();
            } finally {
                router.close();
            }
            assertTrue(ndis.poolUsage().outstanding().isEmpty(), () -> "outstanding: " + ndis.poolUsage());
        }
        return sent;
    }
}
