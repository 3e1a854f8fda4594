package org.nbl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nbl4j.io.testing.TestTools;

/**
 * The verdict benchmark's C application against the live sample, briefly, in each of its modes: what the benchmark's
 * figures rest on (the device socket's frames, MAP and IOCTL_MAPPED, the sample's RECEIVE, VERDICT, ATTACH_RING and
 * RING_WAIT), checked on every build instead of only when someone runs {@code scripts/verdict-bench.sh}. Every packet
 * must get the application's verdict: none defaulted, none left unheld, every pool empty afterwards (the run checks).
 */
class UserVerdictBenchTest {
    private static final Path CLIENT = Path.of("target", "verdict_client");

    @BeforeAll
    static void buildClient() throws Exception {
        TestTools.require("cc");
        Files.createDirectories(CLIENT.getParent());
        Process cc = new ProcessBuilder(
                        "cc",
                        "-O2",
                        "-Wall",
                        "-o",
                        CLIENT.toString(),
                        Path.of("native", "verdict_client.c").toString())
                .inheritIO()
                .start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc finished");
        assertEquals(0, cc.exitValue(), "verdict_client.c compiles");
    }

    @ParameterizedTest(name = "{0}, {1} receives")
    @CsvSource({"ring, 0", "batch, 2", "one, 32"})
    @DisplayName("the C application gives every packet its verdict")
    void everyPacketGetsTheApplicationsVerdict(String mode, int receives) throws Exception {
        String line = UserVerdictBench.run(CLIENT.toAbsolutePath().toString(), mode, 64, receives, 1, 1);
        Map<String, String> values = new HashMap<>();
        for (String field : line.split(" ")) {
            int equals = field.indexOf('=');
            if (equals > 0) {
                values.putIfAbsent(field.substring(0, equals), field.substring(equals + 1));
            }
        }
        assertTrue(Long.parseLong(values.get("verdicts")) > 1000, line);
        assertEquals("0", values.get("defaulted"), line);
        assertEquals("0", values.get("unheld"), line);
    }
}
