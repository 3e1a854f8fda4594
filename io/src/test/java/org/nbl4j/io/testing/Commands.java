package org.nbl4j.io.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the programs the live tests drive (iproute2, ping, iperf3, tcpdump), each bounded in time, so that a hung tool
 * fails its test instead of the build. Shared by the io and cli test suites through io's test jar; whether a program
 * is there at all is {@link TestTools}'s question.
 */
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
}
