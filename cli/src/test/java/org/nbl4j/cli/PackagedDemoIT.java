package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.samples.testing.SampleSource;

/**
 * Golden text of the packaged command, run as {@code ./nbl4j demo lwf-reuse} runs it: the packaged cli module
 * ({@code target/nbl4j-cli.jar}) as the main module, with the runtime modules the package phase copied to
 * {@code target/lib}. Packaged, the sample, nbl4j and picocli are jars of one application, not class folders: a site
 * decided by where a class came from named picocli's frame as the driver's there, and module-path frames print with
 * their module's name; only this test sees the command as a user runs it.
 */
class PackagedDemoIT {
    private static final Path JAR = Path.of("target", "nbl4j-cli.jar");
    private static final Path LIB = Path.of("target", "lib");
    private static final String LWF = "org.nbl4j.samples.lwfreuse.PreallocatingLwf";

    @Test
    @DisplayName("demo lwf-reuse opens with the rule once, counted 968, at the sample's send and allocation lines")
    void lwfReuseNamesTheSamplesLines() throws Exception {
        Path out = Files.createTempFile("nbl4j-demo", ".out");
        Path err = Files.createTempFile("nbl4j-demo", ".err");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process demo = new ProcessBuilder(
                            java,
                            "--enable-native-access=org.nbl4j.io",
                            "-p",
                            LIB + File.pathSeparator + JAR,
                            "-m",
                            "org.nbl4j.cli/org.nbl4j.cli.Nbl4jCommand",
                            "demo",
                            "lwf-reuse")
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
