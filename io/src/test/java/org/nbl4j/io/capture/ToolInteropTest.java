package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nbl4j.io.testing.TestTools;

/**
 * nbl4j against the tools everyone else uses: tshark opens what nbl4j writes without a warning, and nbl4j reads what
 * tcpdump and dumpcap record. Each test is skipped when its tool is not installed (or, for recording, without root).
 */
class ToolInteropTest {
    private static final Path BUNDLED = Path.of("../cli/src/main/resources/org/nbl4j/cli/capture/bundled.pcapng");
    /** The one line tshark prints on stderr whenever it runs as root, whatever the file. */
    private static final String ROOT_WARNING = "Running as user \"root\" and group \"root\". This could be dangerous.";

    private static final Pattern FRAME_HEADING = Pattern.compile("(?m)^Frame \\d+:");

    private record Result(int exit, String out, String err) {}

    private static Result run(Path directory, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(directory, "out", ".txt");
        Path err = Files.createTempFile(directory, "err", ".txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String withoutRootWarning(String stderr) {
        return stderr.lines().filter(line -> !line.equals(ROOT_WARNING)).reduce("", (a, b) -> a + b + "\n");
    }

    private static List<CapturedPacket> samplePackets() {
        List<CapturedPacket> packets = new ArrayList<>();
        long start = 1_763_000_000_123_456_789L;
        for (int i = 0; i < 4; i++) {
            byte[] v4 = TestPackets.echoV4(i, new byte[32 + i]);
            byte[] v6 = TestPackets.echoV6(i, new byte[48 + i]);
            byte[] udp = TestPackets.ipv4(TestPackets.UDP, new byte[] {0x30, 0x39, 0, 9, 0, 12, 0, 0, 1, 2, 3, 4});
            packets.add(new CapturedPacket(0, start + 3 * i, v4.length, v4));
            packets.add(new CapturedPacket(1, start + 3 * i + 1, v6.length, v6));
            packets.add(new CapturedPacket(1, start + 3 * i + 2, udp.length, udp));
        }
        return packets;
    }

    @ParameterizedTest
    @ValueSource(strings = {"PCAP", "PCAPNG"})
    void tsharkReadsWhatNbl4jWritesWithoutWarnings(String formatName, @TempDir Path directory) throws Exception {
        TestTools.require("tshark");
        CaptureFormat format = CaptureFormat.valueOf(formatName);
        Path file = directory.resolve("nbl4j." + formatName.toLowerCase());
        List<CapturedPacket> packets = samplePackets();
        try (CaptureWriter writer = CaptureWriter.create(file, format, List.of("if-a", "if-b"))) {
            for (CapturedPacket packet : packets) {
                writer.write(packet);
            }
        }
        Result dissection = run(directory, "tshark", "-r", file.toString(), "-V");
        assertEquals(0, dissection.exit(), dissection.err());
        assertEquals("", withoutRootWarning(dissection.err()));
        assertFalse(dissection.out().contains("Malformed"), dissection.out());
        assertFalse(dissection.out().contains("[Severity level: Error]"), dissection.out());
        assertFalse(dissection.out().contains("[Severity level: Warning]"), dissection.out());
        assertEquals(
                packets.size(),
                FRAME_HEADING.matcher(dissection.out()).results().count());
        assertTrue(dissection.out().contains("Echo (ping) request"), "ICMPv4 dissected");
        assertTrue(dissection.out().contains("Internet Control Message Protocol v6"), "ICMPv6 dissected");
        if (format == CaptureFormat.PCAPNG) {
            assertTrue(dissection.out().contains("Interface name: if-b"), "interface names carried");
        }
        // Nanosecond timestamps survive in both formats.
        assertTrue(dissection.out().contains("Epoch Time: 1763000000.123456789 seconds"), dissection.out());
        if (TestTools.usable("capinfos")) {
            Result info = run(directory, "capinfos", file.toString());
            assertEquals(0, info.exit(), info.err());
            assertEquals("", withoutRootWarning(info.err()));
            assertTrue(info.out().contains("nanoseconds"), info.out());
        }
    }

    @Test
    void theBundledCaptureReadsAsTsharkSeesIt(@TempDir Path directory) throws Exception {
        TestTools.require("tshark");
        assumeTrue(Files.exists(BUNDLED), "run from the io module of the source tree");
        int ipFrames = count(run(directory, "tshark", "-r", BUNDLED.toString(), "-Y", "ip || ipv6"));
        int allFrames = count(run(directory, "tshark", "-r", BUNDLED.toString()));
        try (CaptureReader reader = CaptureReader.open(BUNDLED)) {
            List<CapturedPacket> packets = reader.readAll();
            assertEquals(ipFrames, packets.size());
            assertEquals(allFrames - ipFrames, reader.skippedFrames());
            assertEquals(
                    List.of("r-a", "r-b"),
                    reader.interfaces().stream().map(CaptureInterface::name).toList());
        }
    }

    private static int count(Result listing) {
        assertEquals(0, listing.exit(), listing.err());
        return (int) listing.out().lines().count();
    }

    /**
     * Commands that record on the loopback of a namespace: tcpdump's pcap in three link types (Ethernet with
     * nanoseconds, Linux cooked v1 and v2), dumpcap's pcapng. Immediate mode, or tcpdump would still hold the last
     * packets in its ring when it is stopped.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "tcpdump -i lo --time-stamp-precision=nano --immediate-mode -U -w",
                "tcpdump -i any --immediate-mode -U -w",
                "tcpdump -i any -y LINUX_SLL2 --immediate-mode -U -w",
                "dumpcap -i lo -w"
            })
    void readsWhatToolsRecordInANamespace(String recorder, @TempDir Path directory) throws Exception {
        String tool = recorder.split(" ")[0];
        TestTools.requireRoot();
        TestTools.require(tool, "ip", "ping");
        String namespace = "nbl4j-io-" + ProcessHandle.current().pid();
        Path file = directory.resolve("recorded");
        Files.writeString(file, "");
        file.toFile().setWritable(true, false);
        directory.toFile().setWritable(true, false);
        directory.toFile().setExecutable(true, false);
        Process recording = null;
        try {
            assertEquals(0, run(directory, "ip", "netns", "add", namespace).exit());
            run(directory, "ip", "-n", namespace, "link", "set", "lo", "up");
            run(directory, "ip", "-n", namespace, "addr", "add", "192.0.2.1/32", "dev", "lo");
            run(directory, "ip", "-n", namespace, "addr", "add", "2001:db8::1/128", "dev", "lo", "nodad");
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            command.addAll(List.of(recorder.split(" ")));
            command.add(file.toString());
            Path log = directory.resolve("recorder.log");
            recording = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            awaitListening(log, recording);
            for (String target : List.of("192.0.2.1", "2001:db8::1")) {
                Result ping = run(
                        directory, "ip", "netns", "exec", namespace, "ping", "-c", "3", "-i", "0.2", "-W", "1", target);
                assertEquals(0, ping.exit(), ping.out() + ping.err());
            }
            Thread.sleep(500);
            recording.destroy();
            assertTrue(recording.waitFor(10, TimeUnit.SECONDS), "the recorder stops on SIGTERM");
        } finally {
            if (recording != null) {
                recording.destroyForcibly();
            }
            run(directory, "ip", "netns", "del", namespace);
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            List<CapturedPacket> packets = reader.readAll();
            assertEquals(
                    3, packets.stream().filter(ToolInteropTest::isEchoRequestV4).count(), packets.toString());
            assertEquals(
                    3, packets.stream().filter(ToolInteropTest::isEchoRequestV6).count(), packets.toString());
            assertEquals(recorder.startsWith("dumpcap") ? CaptureFormat.PCAPNG : CaptureFormat.PCAP, reader.format());
        }
    }

    private static void awaitListening(Path log, Process recording) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && recording.isAlive()) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (text.contains("listening on") || text.contains("Capturing on")) {
                Thread.sleep(200);
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the recorder did not start: " + Files.readString(log));
    }

    private static boolean isEchoRequestV4(CapturedPacket packet) {
        byte[] data = packet.data();
        return data.length > 20 && (data[0] & 0xF0) == 0x40 && data[9] == 1 && data[(data[0] & 0xF) * 4] == 8;
    }

    private static boolean isEchoRequestV6(CapturedPacket packet) {
        byte[] data = packet.data();
        return data.length > 40 && (data[0] & 0xF0) == 0x60 && data[6] == 58 && (data[40] & 0xFF) == 128;
    }
}
