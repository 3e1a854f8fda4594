package org.nbl4j.cli.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nbl4j.io.testing.Commands;

/**
 * {@code nbl4j route} in a JVM of its own, as a user runs it, so that a test can send it the signals Ctrl-C and
 * {@code kill} send. It runs from this JVM's module path, as {@code ./nbl4j} runs it: the cli module as the main
 * module, native access for io alone.
 */
public final class RouteProcess implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final Path errors;

    private RouteProcess(Process process, Path output, Path errors) {
        this.process = process;
        this.output = output;
        this.errors = errors;
    }

    /**
     * Starts {@code nbl4j route} with the given options; its stdout and stderr go to files in {@code directory}.
     *
     * <p>A JVM keeps SIGINT ignored when it starts with SIGINT ignored (as a background job of a script does), and the
     * test JVM may have been started so; {@code env --default-signal} gives the command the default disposition back,
     * as a terminal would.
     */
    public static RouteProcess start(Path directory, List<String> options) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "env",
                "--default-signal=INT,TERM",
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=org.nbl4j.io",
                "--module-path",
                System.getProperty("jdk.module.path"),
                "--module",
                "org.nbl4j.cli/org.nbl4j.cli.Nbl4jCommand",
                "route"));
        command.addAll(options);
        Path output = directory.resolve("route.out");
        Path errors = directory.resolve("route.err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(errors.toFile())
                .start();
        return new RouteProcess(process, output, errors);
    }

    /** Waits until the command says it is routing (at most {@code timeout}); fails if it ends or takes longer. */
    public void awaitRouting(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains("routing live")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("nbl4j route did not start routing: " + output() + errors());
            }
            Thread.sleep(50);
        }
    }

    /** Sends the process a signal by name ({@code INT}, {@code TERM}), as Ctrl-C or {@code kill} would. */
    public void signal(String name) throws IOException, InterruptedException {
        Commands.run("kill", "-s", name, String.valueOf(process.pid()));
    }

    /** Waits for the process to end (at most {@code timeout}) and returns its exit status; -1 if it did not end. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** What the command printed on stdout so far. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** What the command printed on stderr so far. */
    public String errors() throws IOException {
        return Files.readString(errors, StandardCharsets.UTF_8);
    }

    /** Kills the process if it still runs (a test that failed before stopping it). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
