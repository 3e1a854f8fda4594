package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CapturedPacket;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.ip.OffloadMode;
import org.nbl4j.stack.router.Router;

/**
 * The replay engine on the bundled capture (docs/bundled-capture.md). The capture holds every forwarded packet twice:
 * arriving on one of Linux's router interfaces and leaving by the other with its TTL one lower. Replaying the arriving
 * ones through nbl4j's router must produce the leaving ones, byte for byte.
 */
class ReplayEngineTest {
    @TempDir
    Path output;

    private static ReplayResult replayBundled(Path outputDirectory, ReplayObserver observer) throws Exception {
        return new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING)
                .replay(CaptureSource.bundled(), outputDirectory, observer);
    }

    private static List<CapturedPacket> bundledPackets() throws IOException {
        try (CaptureReader reader = CaptureReader.open(
                Channels.newChannel(ReplayEngineTest.class.getResourceAsStream(CaptureSource.BUNDLED_RESOURCE)))) {
            return reader.readAll();
        }
    }

    private static List<CapturedPacket> written(Path file) throws IOException {
        try (CaptureReader reader = CaptureReader.open(file)) {
            return reader.readAll();
        }
    }

    @Test
    void everyPacketTheRouterForwardsIsThePacketLinuxForwarded() throws Exception {
        ReplayResult result = replayBundled(output, ReplayObserver.NONE);

        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        // docs/bundled-capture.md: 231 frames, of which 4 are ARP.
        assertEquals(231, result.packetsRead());
        assertEquals(4, result.skipped().get(SkipReason.NOT_IP));
        assertEquals(0, result.skipped().get(SkipReason.REFUSED));
        assertEquals(0, result.skipped().get(SkipReason.NO_INTERFACE));

        List<CapturedPacket> captured = bundledPackets();
        IpStatistics ip = result.ip();
        assertEquals(
                ip.forwarded() - ip.segmentsCreated(),
                matchingLinux(result, captured).size());
        long transmitted = result.interfaces().stream()
                .mapToLong(InterfaceResult::transmitted)
                .sum();
        assertEquals(ip.forwarded() + ip.icmpErrorsSent() + ip.echoRepliesSent() + ip.resetsSent(), transmitted);

        // The capture's coalesced (GRO) super-segments arrive on r-b as RSC indications; RSC is off (offloads off), so
        // they go up as the 46 segments a wire would have carried, which Linux's capture does not hold.
        long giants = captured.stream()
                .filter(p -> p.interfaceId() == 1 && p.length() > 1500)
                .count();
        assertEquals(8, giants);
        assertEquals(giants, result.coalesced());
        assertEquals(0, result.skipped().get(SkipReason.LONGER_THAN_MTU));
        assertEquals(46, ip.segmentsCreated());
        assertEquals(0, ip.largeSends());
        // Link-local ND and MLD to multicast groups are delivered; host B's one unicast neighbour advertisement to
        // Linux's link-local address is not forwarded (RFC 4291 §2.5.6), silently (docs/cli.md).
        assertEquals(1, ip.discards(IpDiscardReason.BEYOND_SCOPE));
        assertEquals(ip.discards(IpDiscardReason.BEYOND_SCOPE), ip.totalDiscards());
        assertEquals(0, ip.icmpErrorsSent());
    }

    /**
     * The packets nbl4j transmitted that are, byte for byte, ones Linux's router transmitted on the same interface
     * (each of Linux's matched at most once).
     */
    private List<CapturedPacket> matchingLinux(ReplayResult result, List<CapturedPacket> captured) throws IOException {
        List<CapturedPacket> matched = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            String name = result.config().interfaces().get(side).name();
            List<CapturedPacket> sent = written(output.resolve(name + ".pcapng"));
            assertEquals(result.interfaces().get(side).transmitted(), sent.size());
            // What Linux's router sent out of the same interface, as a multiset of packet bytes.
            Map<String, Integer> linuxSent = new HashMap<>();
            for (CapturedPacket packet : captured) {
                if (packet.interfaceId() == side) {
                    linuxSent.merge(HexFormat.of().formatHex(packet.data()), 1, Integer::sum);
                }
            }
            for (CapturedPacket packet : sent) {
                Integer left = linuxSent.computeIfPresent(
                        HexFormat.of().formatHex(packet.data()), (bytes, count) -> count - 1);
                if (left != null && left >= 0) {
                    matched.add(packet);
                }
            }
        }
        return matched;
    }

    @Test
    void underThroughputTheSuperSegmentsLeaveWholeWithLsoAsLinuxForwardedThem() throws Exception {
        ReplayResult result = new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING, OffloadMode.THROUGHPUT)
                .replay(CaptureSource.bundled(), output, ReplayObserver.NONE);

        assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
        IpStatistics ip = result.ip();
        assertEquals(8, result.coalesced());
        assertEquals(8, ip.largeSends());
        assertEquals(0, ip.segmentsCreated());
        // All 102 packets Linux forwarded, the 8 super-segments included (TTL, IPv4 checksum, and the TCP field as
        // Linux leaves a super-packet's: the pseudo-header sum with the length).
        List<CapturedPacket> matched = matchingLinux(result, bundledPackets());
        assertEquals(102, ip.forwarded());
        assertEquals(ip.forwarded(), matched.size());
        assertEquals(8, matched.stream().filter(p -> p.length() > 1500).count());
    }

    @Test
    void whereRscIsOffTheSuperSegmentsLeaveAsTheSegmentsTheyCoalesced() throws Exception {
        for (OffloadMode mode : List.of(OffloadMode.OFF, OffloadMode.WINDOWS)) {
            ReplayResult result = new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING, mode)
                    .replay(CaptureSource.bundled(), output, ReplayObserver.NONE);
            assertTrue(result.clean(), () -> mode + ": " + ReplaySummary.verdict(result));
            assertEquals(46, result.ip().segmentsCreated(), mode.name());

            List<CapturedPacket> sent = written(output.resolve("r-a.pcapng"));
            int checked = 0;
            for (CapturedPacket linux : bundledPackets()) {
                if (linux.interfaceId() == 0 && linux.length() > 1500) {
                    checked += SegmentsOf.check(linux.data(), sent, 1500);
                }
            }
            assertEquals(46, checked, mode.name());
        }
    }

    @Test
    void allPacketsOffersTheLeavingOnesToo() throws Exception {
        ReplayResult arriving = replayBundled(null, ReplayObserver.NONE);
        ReplayResult all = new ReplayEngine(RouterConfig.bundled(), PacketSelection.ALL)
                .replay(CaptureSource.bundled(), null, ReplayObserver.NONE);
        assertEquals(0, all.skipped().get(SkipReason.LEAVING));
        long offeredArriving = arriving.interfaces().stream()
                .mapToLong(InterfaceResult::offered)
                .sum();
        long offeredAll =
                all.interfaces().stream().mapToLong(InterfaceResult::offered).sum();
        assertEquals(
                offeredArriving
                        + arriving.skipped().get(SkipReason.LEAVING)
                        - (all.skipped().get(SkipReason.LONGER_THAN_MTU)
                                - arriving.skipped().get(SkipReason.LONGER_THAN_MTU)),
                offeredAll);
        assertTrue(all.clean(), () -> ReplaySummary.verdict(all));
    }

    @Test
    void everyVerifierLevelRunsCleanAndTheViewsSeeTheRouter() throws Exception {
        for (VerifierLevel level : VerifierLevel.values()) {
            RouterConfig config = new ConfigParser()
                    .option("verifier", ConfigParser.name(level))
                    .build();
            List<String> seen = new ArrayList<>();
            ReplayResult result = new ReplayEngine(config, PacketSelection.ARRIVING)
                    .replay(CaptureSource.bundled(), null, new ReplayObserver() {
                        @Override
                        public void transmitted(String interfaceName, NetBufferList nbl) {
                            seen.add(interfaceName);
                        }

                        @Override
                        public void drained(Router router) {
                            seen.add("drained " + router.adapters().size());
                        }
                    });
            assertTrue(result.clean(), () -> level + ": " + ReplaySummary.verdict(result));
            long transmitted = result.interfaces().stream()
                    .mapToLong(InterfaceResult::transmitted)
                    .sum();
            assertEquals(transmitted + 1, seen.size());
            assertEquals("drained 2", seen.getLast());
        }
    }

    @Test
    void anNblLeftAllocatedIsALeakByTag() throws Exception {
        PoolTag tag = PoolTag.of("Lkt1");
        ReplayResult result = replayBundled(null, new ReplayObserver() {
            @Override
            public void drained(Router router) {
                NetBufferListPool pool =
                        router.ndis().allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, tag, 0));
                pool.allocateNetBufferList(0, 0); // never freed
            }
        });
        assertTrue(result.leaked());
        assertFalse(result.clean());
        assertTrue(result.poolUsage().diff(tag) > 0);
        assertTrue(ReplaySummary.verdict(result).contains("tag Lkt1"), ReplaySummary.verdict(result));
    }

    @Test
    void aCaptureThatIsNotOneIsBadInput(@TempDir Path directory) throws IOException {
        Path junk = Files.writeString(directory.resolve("junk.pcap"), "not a capture at all");
        BadInputException error = assertThrows(
                BadInputException.class,
                () -> new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING)
                        .replay(new CaptureSource(junk), null, ReplayObserver.NONE));
        assertTrue(error.getMessage().contains("not a pcap or pcapng file"), error.getMessage());
    }

    @Test
    void tsharkOpensTheOutputFiles() throws Exception {
        TestTools.require("tshark");
        ReplayResult result = replayBundled(output, ReplayObserver.NONE);
        for (InterfaceResult each : result.interfaces()) {
            String file = output.resolve(each.name() + ".pcapng").toString();
            String frames = tshark("-r", file, "-T", "fields", "-e", "frame.number");
            assertEquals(each.transmitted(), frames.lines().count(), frames);
            String malformed = tshark("-r", file, "-Y", "_ws.malformed || _ws.expert.severity >= \"error\"");
            assertEquals("", malformed, "tshark finds nothing malformed");
        }
    }

    /** Runs tshark and returns its standard output; fails on a non-zero exit or a warning about the file. */
    private static String tshark(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("tshark");
        command.addAll(List.of(arguments));
        Path errors = Files.createTempFile("tshark", ".err");
        try {
            Process process =
                    new ProcessBuilder(command).redirectError(errors.toFile()).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark finished");
            String stderr = Files.readString(errors);
            assertEquals(0, process.exitValue(), stderr);
            assertFalse(stderr.contains("damaged") || stderr.contains("cut short"), stderr);
            return text;
        } finally {
            Files.delete(errors);
        }
    }
}
