package org.nbl4j.bench;

import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.io.device.DeviceSockets;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.forwardinject.UserVerdictCallout;
import org.nbl4j.samples.forwardinject.UserVerdictStatistics;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.TransmitSink;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Issue 16's verdict benchmark, the nbl4j side: the seed-000 sample {@link UserVerdictCallout} on a {@link Router}
 * between two {@link MemoryMiniport}s, its device served as a Unix-domain socket ({@link DeviceSockets}), and the
 * verdict application a separate process ({@code bench/native/verdict_client.c}) that permits every packet, asking
 * for one packet per RECEIVE IOCTL ({@code one}) or as many as fit ({@code batch}), or reading packets and writing
 * verdicts in a ring area it shares with the driver ({@code ring}: IOCTL_USERVERDICT_ATTACH_RING over a mapped buffer;
 * RECEIVES is then unused).
 *
 * <p>The main thread is the adapters' receive processor: it indicates 64-byte IPv4 UDP packets on wire1 while fewer
 * than {@code --window} are between wire1 and wire2, and polls both adapters ({@link Router#pollAll}), so the classify
 * (deep clone, RECEIVE completion) runs on it; the verdicts come back on the device connection's thread, whose VERDICT
 * dispatch forward-injects the clone onto wire2. Each packet carries its sequence number; wire2's sink records the time
 * from the packet's indication to its transmission after the verdict into a preallocated histogram of 100 ns buckets
 * (nothing allocated per packet by the measurement). Verdicts per second are the driver's own PERMITTED counter over
 * the measured seconds; any packet the driver did not hold or that got the default is counted and reported.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.nbl4j.bench.UserVerdictBench CLIENT one|batch|ring WINDOW RECEIVES WARMUP_S SECONDS
 * </pre>
 *
 * prints one line: {@code mode=... window=... verdicts=... seconds=... verdicts_per_s=... p50_us=... p99_us=...
 * defaulted=... unheld=... jvm_cpu_us_per_verdict=... client_cpu_us_per_verdict=... client: receives=...
 * verdict_ioctls=...}. The CPU times per verdict (the JVM's, all threads; the client's) are over the measured seconds:
 * on a machine shared with other work they say what the verdicts cost where the rate cannot.
 */
public final class UserVerdictBench {
    private static final int PACKET_LENGTH = 64;
    /** Where the sequence number sits: after the IPv4 and UDP headers. */
    private static final int SEQUENCE_OFFSET = 28;

    private static final int RECEIVE_BUFFERS = 1024;
    /** Send times by sequence number modulo this (a power of two above any window). */
    private static final int IN_FLIGHT_SLOTS = 4096;

    private static final long BUCKET_NANOS = 100;
    private static final int BUCKETS = 1_000_000; // up to 100 ms; slower ones land in the last bucket

    private static final ValueLayout.OfLong SEQUENCE = ValueLayout.JAVA_LONG_UNALIGNED;

    /** The JVM's own CPU time (all its threads, user and system). */
    private static final com.sun.management.OperatingSystemMXBean JVM_CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private UserVerdictBench() {}

    /** Runs one mode and prints its line. */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: UserVerdictBench CLIENT one|batch|ring WINDOW RECEIVES WARMUP_SECONDS SECONDS");
            System.exit(2);
        }
        String client = args[0];
        String mode = args[1];
        int window = Integer.parseInt(args[2]);
        int receives = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        if (window <= 0 || window > UserVerdictCallout.MAX_HELD_PACKETS) {
            throw new IllegalArgumentException(
                    "the window must be 1.." + UserVerdictCallout.MAX_HELD_PACKETS + " (the driver's limit)");
        }
        System.out.println(run(client, mode, window, receives, warmup, seconds));
    }

    /** wire2: counts what it transmits and records each packet's latency. */
    static final class LatencySink implements TransmitSink {
        final long[] sentAt = new long[IN_FLIGHT_SLOTS];
        final long[] buckets = new long[BUCKETS];
        final AtomicLong transmitted = new AtomicLong();
        volatile boolean recording;
        final int window;
        /** The feeder's count of packets indicated, published before it waits. */
        volatile long fedSoFar;
        /** The feeder when it waits for the window to half empty; whoever sees that wakes it. */
        volatile @Nullable Thread feederWaiting;

        LatencySink(int window) {
            this.window = window;
        }

        @Override
        public void transmit(NetBufferList nbl) {
            long now = System.nanoTime();
            NetBuffer nb = nbl.firstNetBuffer();
            Mdl mdl = nb.currentMdl();
            long sequence = mdl.buffer().get(SEQUENCE, mdl.bufferOffset() + nb.currentMdlOffset() + SEQUENCE_OFFSET);
            if (recording) {
                long bucket = (now - sentAt[(int) (sequence & (IN_FLIGHT_SLOTS - 1))]) / BUCKET_NANOS;
                buckets[(int) Math.min(bucket, BUCKETS - 1)]++;
            }
            long done = transmitted.incrementAndGet();
            Thread waiting = feederWaiting;
            if (waiting != null && fedSoFar - done <= window / 2) {
                feederWaiting = null;
                LockSupport.unpark(waiting);
            }
        }

        void reset() {
            Arrays.fill(buckets, 0);
        }

        /** The latency below which {@code fraction} of the recorded packets fall, in microseconds. */
        double percentileMicros(double fraction) {
            long total = 0;
            for (long count : buckets) {
                total += count;
            }
            long rank = (long) Math.ceil(fraction * total);
            long seen = 0;
            for (int i = 0; i < BUCKETS; i++) {
                seen += buckets[i];
                if (seen >= rank && seen > 0) {
                    return (i + 0.5) * BUCKET_NANOS / 1000.0;
                }
            }
            return Double.NaN;
        }
    }

    static String run(String client, String mode, int window, int receives, int warmup, int seconds) throws Exception {
        Ndis ndis = Ndis.create(VerifierSettings.off());
        List<AutoCloseable> bindings = new ArrayList<>();
        bindings.add(SystemNdis.bind(ndis));
        MemoryMiniport wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(RECEIVE_BUFFERS)
                .ringCapacity(RECEIVE_BUFFERS)
                .build();
        LatencySink sink = new LatencySink(window);
        MemoryMiniport wire2 =
                MemoryMiniport.builder().name("wire2").transmitSink(sink).build();
        Router router = Router.create(ndis);
        FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, InetAddress.getByName("192.0.2.1"), 24).address(2, InetAddress.getByName("198.51.100.1"), 24);
        IoManager io = new IoManager(ndis);
        bindings.add(SystemWfp.bind(engine));
        bindings.add(SystemIo.bind(io));
        UserVerdictCallout driver = new UserVerdictCallout();
        driver.load(engine);
        Path directory = Files.createTempDirectory("nbl4j-verdict-bench");
        DeviceSockets sockets = new DeviceSockets(io, directory).start();

        Process application = new ProcessBuilder(
                        client,
                        DeviceSockets.socketPath(directory, LINK_NAME).toString(),
                        mode,
                        Integer.toString(receives))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader applicationOut =
                new BufferedReader(new InputStreamReader(application.getInputStream(), StandardCharsets.US_ASCII));
        if (!"ready".equals(applicationOut.readLine())) {
            throw new IllegalStateException("the verdict client did not start");
        }

        try (Arena arena = Arena.ofConfined()) {
            byte[] template = SamplePackets.ipv4Udp(
                    "192.0.2.10", "198.51.100.20", 64, 0, new byte[PACKET_LENGTH - SEQUENCE_OFFSET]);
            MemorySegment packet = arena.allocate(PACKET_LENGTH);
            MemorySegment.copy(MemorySegment.ofArray(template), 0, packet, 0, PACKET_LENGTH);
            Feeder feeder = new Feeder(router, wire1, sink, packet, window);

            // The statistics query is the measurement's own IOCTL, on another handle and thread: made once in the
            // middle
            // of the warm-up, its new types at the device path's call sites deoptimize the compiled code then, not at
            // the
            // start of the measured seconds (-XX:+PrintCompilation showed a burst of uncommon traps there).
            long halfWarmup = TimeUnit.SECONDS.toNanos(warmup) / 2;
            feeder.feedFor(halfWarmup);
            UserVerdictStatistics.query(io);
            feeder.feedFor(halfWarmup);
            long[] before = UserVerdictStatistics.query(io);
            sink.reset();
            sink.recording = true;
            long jvmCpuBefore = JVM_CPU.getProcessCpuTime();
            long clientCpuBefore = cpuNanos(application.pid());
            long start = System.nanoTime();
            feeder.feedFor(TimeUnit.SECONDS.toNanos(seconds));
            long elapsed = System.nanoTime() - start;
            long jvmCpu = JVM_CPU.getProcessCpuTime() - jvmCpuBefore;
            long clientCpu = cpuNanos(application.pid()) - clientCpuBefore;
            long[] after = UserVerdictStatistics.query(io);
            sink.recording = false;
            feeder.drain();

            // SIGTERM through the process handle (Process.destroy would close the pipe first): the client closes its
            // device handle and prints its counts.
            application.toHandle().destroy();
            String counts = applicationOut.readLine();
            application.waitFor(10, TimeUnit.SECONDS);

            long verdicts = after[STATISTICS_PERMITTED] - before[STATISTICS_PERMITTED];
            long defaulted = after[STATISTICS_DEFAULTED_ON_TIMEOUT]
                    - before[STATISTICS_DEFAULTED_ON_TIMEOUT]
                    + after[STATISTICS_DEFAULTED_ON_CLEANUP]
                    - before[STATISTICS_DEFAULTED_ON_CLEANUP];
            long unheld = after[STATISTICS_DEFAULTED_UNHELD] - before[STATISTICS_DEFAULTED_UNHELD];
            double secondsMeasured = elapsed / 1e9;
            return String.format(
                    "mode=%s window=%d receives=%d verdicts=%d seconds=%.2f verdicts_per_s=%.0f p50_us=%.1f"
                            + " p99_us=%.1f defaulted=%d unheld=%d jvm_cpu_us_per_verdict=%.2f"
                            + " client_cpu_us_per_verdict=%.2f client: %s",
                    mode,
                    window,
                    receives,
                    verdicts,
                    secondsMeasured,
                    verdicts / secondsMeasured,
                    sink.percentileMicros(0.50),
                    sink.percentileMicros(0.99),
                    defaulted,
                    unheld,
                    jvmCpu / 1e3 / verdicts,
                    clientCpu / 1e3 / verdicts,
                    counts);
        } finally {
            application.destroyForcibly();
            // Queue threads from here on: an unload that re-injects held clones waits for their completions.
            router.start();
            sockets.close();
            driver.unload();
            router.close();
            for (AutoCloseable binding : bindings.reversed()) {
                binding.close();
            }
            if (!ndis.poolUsage().outstanding().isEmpty()) {
                throw new IllegalStateException("outstanding after the run: " + ndis.poolUsage());
            }
            ndis.close();
        }
    }

    /** The receive processor: indicates packets while the window allows, and polls the adapters. */
    private static final class Feeder {
        private final Router router;
        private final MemoryMiniport wire1;
        private final LatencySink sink;
        private final MemorySegment packet;
        private final int window;
        /** Packets indicated so far; the next one's sequence number. */
        private long fed;

        Feeder(Router router, MemoryMiniport wire1, LatencySink sink, MemorySegment packet, int window) {
            this.router = router;
            this.wire1 = wire1;
            this.sink = sink;
            this.packet = packet;
            this.window = window;
        }

        void feedFor(long nanos) {
            long end = System.nanoTime() + nanos;
            while (System.nanoTime() < end) {
                boolean fedAny = false;
                while (fed - sink.transmitted.get() < window) {
                    packet.set(SEQUENCE, SEQUENCE_OFFSET, fed);
                    sink.sentAt[(int) (fed & (IN_FLIGHT_SLOTS - 1))] = System.nanoTime();
                    if (!wire1.receive(packet, 0, PACKET_LENGTH)) {
                        break; // every receive buffer is held or in flight: poll first
                    }
                    fed++;
                    fedAny = true;
                }
                if (router.pollAll(ForwardingBenchmark.POLL_BUDGET) == 0 && !fedAny) {
                    awaitVerdicts();
                }
            }
        }

        /**
         * Nothing to indicate or poll: the verdicts come from the other threads. Waits (instead of spinning, which
         * would take a core from the application and the device's thread) until the window is half empty, or 1 ms.
         */
        private void awaitVerdicts() {
            sink.fedSoFar = fed;
            sink.feederWaiting = Thread.currentThread();
            if (fed - sink.transmitted.get() > window / 2) {
                LockSupport.parkNanos(1_000_000);
            }
            sink.feederWaiting = null;
        }

        /** Polls until every packet fed is out, so that nothing is held when the application closes. */
        void drain() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sink.transmitted.get() < fed && System.nanoTime() < deadline) {
                if (router.pollAll(ForwardingBenchmark.POLL_BUDGET) == 0) {
                    Thread.yield();
                }
            }
        }
    }

    /**
     * The CPU time (user and system) a process has used, from {@code /proc/<pid>/stat} (fields 14 and 15, in clock
     * ticks of 10 ms): coarse, so measure seconds.
     */
    private static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }
}
