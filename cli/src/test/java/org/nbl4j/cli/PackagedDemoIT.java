package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.samples.SampleSource;

/**
 * Golden text of the packaged command: {@code java -jar cli/target/nbl4j.jar demo lwf-reuse}, as a user runs it. In
 * the single jar the sample, nbl4j and picocli share one code source, which is where a site decided by jar named
 * picocli's frame as the driver's; only this test sees that case.
 */
class PackagedDemoIT {
    private static final Path JAR = Path.of("target", "nbl4j.jar");
    private static final String LWF = "org.nbl4j.samples.lwfreuse.PreallocatingLwf";

    @Test
    @DisplayName("demo lwf-reuse opens with the rule once, counted 968, at the sample's send and allocation lines")
    void lwfReuseNamesTheSamplesLines() throws Exception {
        Path out = Files.createTempFile("nbl4j-demo", ".out");
        Path err = Files.createTempFile("nbl4j-demo", ".err");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process demo = new ProcessBuilder(
                            java, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(), "demo", "lwf-reuse")
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            assertTrue(demo.waitFor(5, TimeUnit.MINUTES), "the demo finishes");
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, demo.exitValue(), stdout + stderr);

            List<String> lines = stdout.lines().toList();
            assertTrue(
                    lines.getFirst().startsWith("968 x WFP_INFO_STALE_ON_SEND (nbl-reuse-leak-and-diagnostics"),
                    stdout);
            assertTrue(lines.get(1).startsWith("  object:    NET_BUFFER_LIST[ALLOCATED, pool FPoo] "), stdout);
            assertEquals(
                    "  broken at: " + LWF + ".SendPacket(" + sampleLine("NdisFSendNetBufferLists(")
                            + "), calling NdisH.NdisFSendNetBufferLists",
                    lines.get(2),
                    stdout);
            assertEquals(
                    "  allocated: " + LWF + ".AllocateSendNetBufferList("
                            + sampleLine("NdisAllocateNetBufferAndNetBufferList(")
                            + "), calling NdisH.NdisAllocateNetBufferAndNetBufferList",
                    lines.get(3),
                    stdout);
            assertTrue(lines.get(4).startsWith("  fix:       free the NBL in the send-complete handler"), stdout);
            for (String headline : lines.subList(0, 5)) {
                assertFalse(
                        headline.matches(".*\\b(picocli|java|jdk|org\\.nbl4j\\.(core|stack|io|cli))\\..*"), headline);
            }
            assertEquals(
                    1,
                    lines.stream()
                            .filter(line -> line.contains("WFP_INFO_STALE_ON_SEND ("))
                            .count(),
                    "reported once with its count: " + stdout);
            assertFalse(stderr.contains("WARNING"), "no logging header: " + stderr);
            assertTrue(lines.getLast().startsWith("verdict: "), "the verdict comes last: " + stdout);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** {@code PreallocatingLwf.java:<line>} of the first line of the sample's source containing {@code marker}. */
    private static String sampleLine(String marker) throws IOException {
        return SampleSource.line("lwfreuse/PreallocatingLwf.java", marker);
    }
}
