package org.nbl4j.samples.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.kernel.DriverParameters;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.CalloutDriver;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * A host for the host-role samples' tests (docs/wfp.md, "Host mode"): its applications send on interface 1 ("apps"),
 * its network is interface 2 ("net", {@value #HOST}/24, default route via .1); a callout driver is loaded with its
 * Parameters key written to a file ({@code nbl4j.parameters}), and the thread is bound to the host's NDIS and WFP, as
 * {@code nbl4j route} binds its own. What each interface transmits is kept.
 */
public final class SampleHost implements AutoCloseable {
    /** The host's address. */
    public static final String HOST = "198.51.100.2";

    public final Ndis ndis;
    public final Router router;
    public final FilterEngine engine;
    public final MemoryMiniport apps;
    public final MemoryMiniport net;
    public final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());
    public final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());
    private final SystemNdis.Binding ndisBinding;
    private final SystemWfp.Binding wfpBinding;
    private final CalloutDriver driver;
    private final Path parameters;
    private boolean unloaded;

    /** Builds the host and loads {@code driver} with the Parameters key {@code parameters} (one {@code Name = value} a line). */
    public SampleHost(CalloutDriver driver, String parameters) {
        ndis = Ndis.create(VerifierSettings.full());
        apps = MemoryMiniport.builder()
                .name("apps")
                .receiveBuffers(64)
                .lowWaterMark(0)
                .transmitSink(nbl -> toApps.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        net = MemoryMiniport.builder()
                .name("net")
                .receiveBuffers(64)
                .lowWaterMark(0)
                .transmitSink(nbl -> toNet.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        router = Router.create(ndis);
        engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "apps", apps, List.of(), Router.InterfaceOptions.forwarding(false));
        router.addInterface(2, "net", net, List.of(), Router.InterfaceOptions.forwarding(false));
        router.address(2, address(HOST), 24).route(address("0.0.0.0"), 0, address("198.51.100.1"), 2);
        router.ip().setApplicationInterface(1);
        ndisBinding = SystemNdis.bind(ndis);
        wfpBinding = SystemWfp.bind(engine);
        this.driver = driver;
        try {
            this.parameters = Files.createTempFile("nbl4j-sample-", ".parameters");
            Files.writeString(this.parameters, parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String previous = System.getProperty(DriverParameters.PROPERTY);
        System.setProperty(DriverParameters.PROPERTY, this.parameters.toString());
        try {
            driver.load(engine);
        } finally {
            if (previous == null) {
                System.clearProperty(DriverParameters.PROPERTY);
            } else {
                System.setProperty(DriverParameters.PROPERTY, previous);
            }
        }
    }

    /** A packet the applications send. */
    public void fromApps(byte[] packet) {
        assertTrue(apps.receive(packet));
        router.drain();
    }

    /** A packet from the network for this host. */
    public void fromNet(byte[] packet) {
        assertTrue(net.receive(packet));
        router.drain();
    }

    /** Drains until {@code settled} holds (the driver's worker has caught up), at most 10 s. */
    public void settle(BooleanSupplier settled) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            router.drain();
            if (settled.getAsBoolean()) {
                router.drain();
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the driver did not settle");
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Unloads the driver ({@code DriverUnload}) before the host closes. It runs on a thread of its own while this one
     * drains the host, since destroying an injection handle waits for completions that only a drain delivers here
     * (the queue threads of {@code nbl4j route} deliver them there).
     */
    public void unload() throws InterruptedException {
        if (unloaded) {
            return;
        }
        unloaded = true;
        Thread unloading = Thread.ofPlatform().name("DriverUnload").start(driver::unload);
        while (unloading.isAlive()) {
            router.drain();
            unloading.join(2);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            unload();
            wfpBinding.close();
            router.close();
            ndisBinding.close();
            ndis.close();
        } finally {
            Files.deleteIfExists(parameters);
        }
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** An IPv4 address as the REG_DWORD the samples read: its 32 bits as a hexadecimal number. */
    public static String dword(String literal) {
        return "0x"
                + Integer.toHexString(
                        ByteBuffer.wrap(address(literal).getAddress()).getInt());
    }
}
