package org.nbl4j.samples.forwardinject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.diagnostics.NblDump;
import org.nbl4j.core.diagnostics.NblDumpOption;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Runs a forward-layer callout on a router: interface 1 (192.0.2.0/24, 2001:db8:1::/64) and interface 2
 * (198.51.100.0/24, 2001:db8:2::/64) over two {@link MemoryMiniport}s, Windows 10 profile, forwarding on, polled on
 * the calling thread, whose {@link SystemNdis} and {@link SystemWfp} bindings the driver uses. Packets arrive on
 * interface 1 for interface 2's subnet; what interface 2 transmits is kept. The verifier collects violations and
 * measures holding times on a manual clock, which the run moves past the clone budget; the held-clone watchdog's own
 * timer then reports the held clones, as it would in any stack: nothing here asks it to look.
 */
public final class ForwardInjectRun {
    /** The clone budget of the run's verifier. */
    public static final Duration CLONE_BUDGET = Duration.ofMillis(100);
    /** How far the manual clock moves while the holding variant waits for its verdict. */
    public static final Duration VERDICT_DELAY = Duration.ofSeconds(2);

    private static final int RECEIVE_BUFFERS = 64;
    /** How long, in real time, the run waits for the watchdog's timer (it looks every 100 ms by default). */
    private static final Duration WATCHDOG_PATIENCE = Duration.ofSeconds(10);

    /**
     * What a run shows.
     *
     * @param egress the packets interface 2 transmitted, in order
     * @param receiveBuffersFree interface 1's free receive buffers after the drain: all of them once every original is
     *     back
     * @param heldClones the held-clone watchdog's reports once the clock moved past the budget (none for the prompt
     *     callout)
     * @param heldCloneDump {@code !ndiskd.nbl -parents -NblCurrentOwner} of the first held clone, or empty
     * @param violations what the verifier reported during the run
     * @param poolsAtShutdown poolmon after the router closed, before NDIS shut down
     */
    public record Report(
            List<byte[]> egress,
            int receiveBuffers,
            int receiveBuffersFree,
            long forwarded,
            long injected,
            long completed,
            long failedCompletions,
            List<Violation> heldClones,
            String heldCloneDump,
            List<Violation> violations,
            PoolUsageSnapshot poolsAtShutdown) {}

    private ForwardInjectRun() {}

    /**
     * Sends {@code packets} (IP packets arriving on interface 1) through a router running {@code driver}, verifier at
     * full level.
     */
    public static Report run(ForwardCalloutDriver driver, List<byte[]> packets) {
        return run(driver, packets, VerifierLevel.FULL);
    }

    /** Like {@link #run(ForwardCalloutDriver, List)}, with the verifier at {@code level}. */
    public static Report run(ForwardCalloutDriver driver, List<byte[]> packets, VerifierLevel level) {
        AtomicLong clock = new AtomicLong();
        Ndis ndis = Ndis.create(VerifierSettings.standard()
                .withLevel(level)
                .withPolicy(ViolationPolicy.COLLECT)
                .withHeldCloneBudget(CLONE_BUDGET)
                .withNanoClock(clock::get));
        List<byte[]> egress = Collections.synchronizedList(new ArrayList<>());
        MemoryMiniport wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(RECEIVE_BUFFERS)
                .build();
        MemoryMiniport wire2 = MemoryMiniport.builder()
                .name("wire2")
                .transmitSink(nbl -> egress.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            Router router = Router.create(ndis);
            List<Violation> late = List.of();
            String dump = "";
            List<Violation> violations;
            long forwarded;
            int free;
            try {
                FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
                router.addInterface(1, "wire1", wire1, List.of(), true);
                router.addInterface(2, "wire2", wire2, List.of(), true);
                router.address(1, ip("192.0.2.1"), 24)
                        .address(1, ip("2001:db8:1::1"), 64)
                        .address(2, ip("198.51.100.1"), 24)
                        .address(2, ip("2001:db8:2::1"), 64);
                try (SystemWfp.Binding _ = SystemWfp.bind(engine)) {
                    int status = driver.DriverEntry(null, null);
                    if (status != NtStatus.STATUS_SUCCESS) {
                        throw new IllegalStateException("DriverEntry: " + NtStatus.describe(status));
                    }
                    for (byte[] packet : packets) {
                        if (!wire1.receive(packet)) {
                            throw new IllegalStateException("wire1 refused a packet");
                        }
                        clock.addAndGet(1_000); // a microsecond between arrivals
                    }
                    router.drain();
                    if (driver instanceof HoldingForwardCallout holding) {
                        clock.addAndGet(VERDICT_DELAY.toNanos());
                        List<NetBufferList> clones = holding.heldClones();
                        if (!clones.isEmpty()) {
                            dump = NblDump.create()
                                    .dump(
                                            clones.getFirst(),
                                            Set.of(NblDumpOption.PARENTS, NblDumpOption.CURRENT_OWNER));
                        }
                        late = awaitWatchdog(ndis, clones.size());
                        holding.InjectHeld();
                        router.drain();
                    }
                    free = wire1.freeReceiveBuffers();
                    forwarded = router.ip().statistics().forwarded();
                    driver.DriverUnload();
                }
                violations = ndis.verifier().violations();
            } finally {
                router.close();
            }
            PoolUsageSnapshot atShutdown = ndis.poolUsage();
            return new Report(
                    List.copyOf(egress),
                    RECEIVE_BUFFERS,
                    free,
                    forwarded,
                    driver.injected(),
                    driver.completed(),
                    driver.failedCompletions(),
                    late,
                    dump,
                    violations,
                    atShutdown);
        } finally {
            ndis.close();
        }
    }

    /** Waits, in real time, until the watchdog's timer has reported {@code held} clones, and returns its reports. */
    private static List<Violation> awaitWatchdog(Ndis ndis, int held) {
        long deadline = System.nanoTime() + WATCHDOG_PATIENCE.toNanos();
        while (true) {
            List<Violation> reports = ndis.verifier().violations().stream()
                    .filter(violation -> violation.rule() == BufferRule.CLONE_HELD_TOO_LONG)
                    .toList();
            if (reports.size() >= held || System.nanoTime() > deadline) {
                return reports;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return reports;
            }
        }
    }

    /** {@code count} packets alternating IPv4 and IPv6 UDP from interface 1's subnet to interface 2's, TTL 64. */
    public static List<byte[]> mixedPackets(int count) {
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[16 + i];
            packets.add(
                    i % 2 == 0
                            ? SamplePackets.ipv4Udp("192.0.2.10", "198.51.100.20", 64, 0, payload)
                            : SamplePackets.ipv6Udp("2001:db8:1::10", "2001:db8:2::20", 64, 0, payload));
        }
        return packets;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
