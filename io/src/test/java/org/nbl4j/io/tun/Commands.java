package org.nbl4j.io.tun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 and ping for the tests, each bounded in time. */
final class Commands {
    /** What a finished command left. */
    record Result(int exitCode, String output) {}

    private Commands() {}

    /** Starts a command with stderr merged into stdout. */
    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits for a started command, killing it if it outlives the timeout (exit code -1 then). */
    static Result finish(Process process, Duration timeout) throws IOException, InterruptedException {
        boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(done ? process.exitValue() : -1, output);
    }

    /** Runs a command to its end (at most 10 s) and fails unless it exits with 0. */
    static String run(String... command) throws IOException, InterruptedException {
        Result result = finish(start(List.of(command)), Duration.ofSeconds(10));
        if (result.exitCode() != 0) {
            throw new IOException(
                    String.join(" ", command) + " exited with " + result.exitCode() + ": " + result.output());
        }
        return result.output();
    }

    /** Whether a program is on the PATH. */
    static boolean available(String program) {
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
}
