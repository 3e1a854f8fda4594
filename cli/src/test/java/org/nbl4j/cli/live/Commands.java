package org.nbl4j.cli.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the tools the live tests need (iproute2, ping, iperf3, tcpdump), each bounded in time. */
public final class Commands {
    /** What a finished command left: its exit code (-1 when it was killed for taking too long) and its output. */
    public record Result(int exitCode, String output) {}

    private Commands() {}

    /** Starts a command with stderr merged into stdout. */
    public static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits for a started command, killing it if it outlives the timeout. */
    public static Result finish(Process process, Duration timeout) throws IOException, InterruptedException {
        boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(done ? process.exitValue() : -1, output);
    }

    /** Runs a command to its end (at most 20 s) and fails unless it exits with 0; returns its output. */
    public static String run(String... command) throws IOException, InterruptedException {
        Result result = finish(start(List.of(command)), Duration.ofSeconds(20));
        if (result.exitCode() != 0) {
            throw new IOException(
                    String.join(" ", command) + " exited with " + result.exitCode() + ": " + result.output());
        }
        return result.output();
    }

    /** Whether a program is on the PATH. */
    public static boolean available(String program) {
        try {
            return finish(start(List.of("sh", "-c", "command -v " + program)), Duration.ofSeconds(5))
                            .exitCode()
                    == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether this JVM can run the live tests: root, {@code /dev/net/tun}, and every program named. */
    public static boolean liveTestsPossible(String... programs) {
        if (!"root".equals(System.getProperty("user.name"))
                || !java.nio.file.Files.exists(java.nio.file.Path.of("/dev/net/tun"))) {
            return false;
        }
        for (String program : programs) {
            if (!available(program)) {
                return false;
            }
        }
        return true;
    }
}
