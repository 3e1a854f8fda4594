package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.io.device.DeviceProtocol;
import org.nbl4j.io.device.DeviceSockets;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.forwardinject.UserVerdictCallout;
import org.nbl4j.samples.forwardinject.UserVerdictStatistics;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Issue 16: a verdict application that stops reading its socket (as a SIGSTOPped process does) must not stall the
 * router. The seed-000 driver completes the application's pended RECEIVE requests on the router's receive thread; the
 * replies outgrow the socket's buffer; the receive thread goes on forwarding, every packet under the default verdict
 * within the held-clone budget, and the watchdog reports nothing.
 */
class StalledVerdictApplicationTest {
    private static final Duration CLONE_BUDGET = Duration.ofSeconds(1);
    private static final int DEFAULT_TIMEOUT_MILLISECONDS = 50;
    /** Enough RECEIVE requests that their replies, one 1400-byte packet each, far outgrow a socket's buffer. */
    private static final int RECEIVES = 400;

    private static final int ROUNDS = 40;
    private static final int PACKETS_PER_ROUND = 32;

    @TempDir
    Path directory;

    private Ndis ndis;
    private Router router;
    private MemoryMiniport wire1;
    private final AtomicLong egress = new AtomicLong();
    private IoManager io;
    private UserVerdictCallout driver;
    private DeviceSockets sockets;
    private final List<AutoCloseable> bindings = new ArrayList<>();

    @BeforeEach
    void load() throws IOException {
        ndis = Ndis.create(
                VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT).withHeldCloneBudget(CLONE_BUDGET));
        bindings.add(SystemNdis.bind(ndis));
        wire1 = MemoryMiniport.builder().name("wire1").receiveBuffers(1024).build();
        MemoryMiniport wire2 = MemoryMiniport.builder()
                .name("wire2")
                .transmitSink(nbl -> egress.incrementAndGet())
                .build();
        router = Router.create(ndis);
        FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, InetAddress.getByName("192.0.2.1"), 24).address(2, InetAddress.getByName("198.51.100.1"), 24);
        io = new IoManager(ndis);
        bindings.add(SystemWfp.bind(engine));
        bindings.add(SystemIo.bind(io));
        driver = new UserVerdictCallout();
        driver.load(engine);
        sockets = new DeviceSockets(io, directory).start();
        router.start();
    }

    @AfterEach
    void unload() throws Exception {
        sockets.close();
        driver.unload();
        router.close();
        assertEquals(List.of(), ndis.verifier().violations(), "no held-clone report, no device rule broken");
        assertEquals(List.of(), ndis.poolUsage().outstanding(), "every tag back to 0");
        for (AutoCloseable binding : bindings.reversed()) {
            binding.close();
        }
        ndis.close();
    }

    @Test
    @DisplayName("an application that stops reading: the router forwards every packet under the default, in budget")
    void routerKeepsForwarding() throws Exception {
        byte[] packet = SamplePackets.ipv4Udp("192.0.2.10", "198.51.100.20", 64, 0, new byte[1372]);
        try (SocketChannel stalled =
                SocketChannel.open(UnixDomainSocketAddress.of(DeviceSockets.socketPath(directory, LINK_NAME)))) {
            DeviceProtocol.write(stalled, DeviceProtocol.request(DeviceProtocol.OP_CREATE, 1, 0, 0, new byte[0]));
            byte[] permitSoon = ByteBuffer.allocate(SET_DEFAULT_LENGTH)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(USERVERDICT_PERMIT)
                    .putInt(DEFAULT_TIMEOUT_MILLISECONDS)
                    .array();
            DeviceProtocol.write(
                    stalled,
                    DeviceProtocol.request(DeviceProtocol.OP_IOCTL, 2, IOCTL_USERVERDICT_SET_DEFAULT, 0, permitSoon));
            for (int id = 100; id < 100 + RECEIVES; id++) {
                DeviceProtocol.write(
                        stalled,
                        DeviceProtocol.request(
                                DeviceProtocol.OP_IOCTL,
                                id,
                                IOCTL_USERVERDICT_RECEIVE,
                                RECEIVE_MINIMUM_LENGTH,
                                new byte[0]));
            }
            // From here on the application reads nothing: its replies pile up in the socket.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (statistics()[STATISTICS_PENDING_RECEIVES] < RECEIVES) {
                assertTrue(System.nanoTime() < deadline, "the RECEIVE requests were dispatched");
                Thread.sleep(5);
            }

            long fed = 0;
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < PACKETS_PER_ROUND; i++) {
                    if (wire1.receive(packet)) {
                        fed++;
                    }
                }
                Thread.sleep(10);
            }
            long lastFed = System.nanoTime();
            while (egress.get() < fed && System.nanoTime() - lastFed < CLONE_BUDGET.toNanos()) {
                Thread.sleep(5);
            }
            assertEquals(fed, egress.get(), "every packet forwarded within the budget after the last one came");
            long[] statistics = statistics();
            assertEquals(0, statistics[STATISTICS_PERMITTED], "the application answered nothing");
            assertEquals(
                    fed,
                    statistics[STATISTICS_DEFAULTED_ON_TIMEOUT] + statistics[STATISTICS_DEFAULTED_UNHELD],
                    "every packet got the default");
            // 200 replies of 1400 bytes are more than a Unix socket's 208 KiB send buffer holds.
            assertTrue(
                    statistics[STATISTICS_TAKEN] >= 200,
                    "enough packets handed to the stalled application to fill its socket: "
                            + statistics[STATISTICS_TAKEN]);
        }
    }

    /** The driver's counters through a handle of the test's own. */
    private long[] statistics() {
        return UserVerdictStatistics.query(io);
    }
}
