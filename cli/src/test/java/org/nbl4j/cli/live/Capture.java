package org.nbl4j.cli.live;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nbl4j.io.capture.CaptureFormatException;
import org.nbl4j.io.capture.CaptureReader;
import org.nbl4j.io.capture.CapturedPacket;

/**
 * tcpdump on a host's TUN device, one direction ({@code -Q in} or {@code -Q out}), written to a pcap file: the
 * independent count the live tests hold the router's summary against. The kernel hands a capture socket its copy of a
 * packet synchronously, as the host transmits it or as the router's write delivers it, so once tcpdump says it is
 * listening no packet of that direction passes unseen.
 */
public final class Capture implements AutoCloseable {
    /** Which packets: those the host sends into the device (the router reads them) or those it receives. */
    public enum Direction {
        OUT,
        IN
    }

    /** tcpdump's own counts at exit. */
    public record Statistics(long captured, long receivedByFilter, long droppedByKernel) {}

    private static final long START_MILLIS = 10_000;
    private static final long STOP_SECONDS = 10;
    /** Enough for every header the tests classify (IPv6, a hop-by-hop or fragment header, ICMPv6 or TCP). */
    private static final int SNAPSHOT_LENGTH = 256;

    private static final Pattern CAPTURED = Pattern.compile("(\\d+) packets? captured");
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets? received by filter");
    private static final Pattern DROPPED = Pattern.compile("(\\d+) packets? dropped by kernel");

    private final MemorySegment scratch = MemorySegment.ofArray(new byte[SNAPSHOT_LENGTH]);
    private final Process process;
    private final Path file;
    private final Path log;

    private Capture(Process process, Path file, Path log) {
        this.process = process;
        this.file = file;
        this.log = log;
    }

    /** Starts tcpdump on the host's device and returns once it listens (at most 10 s). */
    public static Capture start(Host host, Direction direction, Path file) throws IOException, InterruptedException {
        Path log = file.resolveSibling(file.getFileName() + ".log");
        Process process = new ProcessBuilder(host.inside(
                        "tcpdump",
                        "-i",
                        host.device(),
                        "-Q",
                        direction == Direction.OUT ? "out" : "in",
                        "-n",
                        "-U", // every packet reaches the file as it is captured
                        "-s",
                        String.valueOf(SNAPSHOT_LENGTH),
                        "-B",
                        "8192", // KiB of kernel buffer: nothing dropped while tcpdump lags behind a transfer
                        "-Z",
                        "root", // keeps writing as root, into the test's own temporary directory
                        "-w",
                        file.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Capture capture = new Capture(process, file, log);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
        while (!capture.output().contains("listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                capture.close();
                throw new IOException("tcpdump on " + host.device() + " did not start: " + capture.output());
            }
            Thread.sleep(20);
        }
        return capture;
    }

    /**
     * Waits until tcpdump has written at least {@code packets} packets to its file (at most 20 s). tcpdump works
     * through its ring at its own pace, and on SIGTERM it leaves what it has not reached yet, so a test that knows how
     * many packets passed waits for them before stopping it.
     *
     * @return whether they were all written in time
     */
    public boolean awaitWritten(long packets) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (written() < packets) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Complete packets in the file so far; the one tcpdump may be writing is not counted. */
    private long written() throws IOException {
        long count = 0;
        try (CaptureReader reader = CaptureReader.open(file)) {
            for (int length = reader.readInto(scratch); length >= 0; length = reader.readInto(scratch)) {
                count++;
            }
        } catch (CaptureFormatException partial) {
            // the file ends inside a record (or its header) tcpdump is still writing
        }
        return count;
    }

    /** Stops tcpdump (SIGTERM, on which it writes what it holds and prints its counts) and returns its counts. */
    public Statistics stop() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            close();
            throw new IOException("tcpdump did not stop: " + output());
        }
        String output = output();
        return new Statistics(count(CAPTURED, output), count(RECEIVED, output), count(DROPPED, output));
    }

    /** The packets in the file, read with nbl4j's own reader. */
    public List<CapturedPacket> packets() throws IOException {
        try (CaptureReader reader = CaptureReader.open(file)) {
            return reader.readAll();
        }
    }

    /** What tcpdump printed. */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static long count(Pattern pattern, String output) throws IOException {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IOException("tcpdump printed no '" + pattern + "': " + output);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** Kills tcpdump if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
