package org.nbl4j.cli.live;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.io.tun.TunDevice;
import org.nbl4j.io.tun.TunMiniport;
import org.nbl4j.samples.ndislwf.FilterModuleInfo;
import org.nbl4j.samples.ndislwf.NdisLwfDriver;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ddk.NdisLwf;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.router.Router;

/**
 * The sample LWF ({@code samples.ndislwf}) on a live router: two TUN devices, each moved into a network namespace of its
 * own, the hosts pinging each other through nbl4j with the sample attached to both adapters; an OID query through the
 * filter to the TUN miniport, a pause and restart under a flood ping, unload, and a second load in the same JVM.
 */
class LwfSampleLiveTest {
    private static final PoolTag FILT = new PoolTag(NdisLwfDriver.FILTER_ALLOC_TAG);

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName(
            "live: 11,000 flood-ping packets forwarded through the sample's modules leave nothing outstanding; an OID reaches the TUN"
                    + " miniport through the filter; pause under a flood ping leaves nothing outstanding and restart resumes; unload"
                    + " detaches and leaves FILT at 0; a second load starts clean")
    void sampleOnALiveRouter() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ping");
        long pid = ProcessHandle.current().pid() % 1_000_000;
        String deviceA = "nlw" + pid + "a";
        String deviceB = "nlw" + pid + "b";
        Ndis ndis = Ndis.create(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT));
        Router router = null;
        Host hostA = null;
        Host hostB = null;
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis);
                Arena arena = Arena.ofConfined()) {
            router = Router.create(ndis);
            router.addInterface(1, deviceA, new TunMiniport(TunDevice.open(deviceA, 1, true), 1500), List.of(), true);
            router.addInterface(2, deviceB, new TunMiniport(TunDevice.open(deviceB, 1, true), 1500), List.of(), true);
            router.address(1, InetAddress.getByName("192.0.2.1"), 24)
                    .address(2, InetAddress.getByName("198.51.100.1"), 24);
            NdisLwfDriver driver = new NdisLwfDriver();
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(ndis, "NDISLWF"));
            router.start();

            hostA = Host.create("nbl4j-lwf-" + pid + "-a");
            hostB = Host.create("nbl4j-lwf-" + pid + "-b");
            hostA.adopt(deviceA, "192.0.2.2/24", "192.0.2.1");
            hostB.adopt(deviceB, "198.51.100.2/24", "198.51.100.1");
            // A flood ping paces itself on the replies: 5,500 requests and 5,500 replies, 11,000 packets forwarded.
            hostA.exec("ping", "-f", "-q", "-c", "5500", "-W", "2", "198.51.100.2");
            long flooded = router.ip().statistics().forwarded();
            assertTrue(flooded >= 11_000, () -> "forwarded " + flooded);
            assertEquals(flooded, sendsSeen(driver), "each forwarded once through the egress adapter's module");

            NDIS_OID_REQUEST frameSize = new NDIS_OID_REQUEST();
            frameSize.RequestType = NdisLwf.NdisRequestQueryInformation;
            frameSize.RequestId = "frame size";
            frameSize.DATA.QUERY_INFORMATION.Oid(NdisLwf.OID_GEN_MAXIMUM_FRAME_SIZE);
            frameSize.DATA.QUERY_INFORMATION.InformationBuffer(arena.allocate(4));
            frameSize.DATA.QUERY_INFORMATION.InformationBufferLength(4);
            // The sample pends at its level and completes through NdisFOidRequestComplete before this returns.
            assertEquals(NtStatus.NDIS_STATUS_PENDING, router.adapter(1).oidRequest(frameSize));
            assertEquals(4, frameSize.DATA.QUERY_INFORMATION.BytesWritten());
            assertEquals(
                    1500, frameSize.DATA.QUERY_INFORMATION.InformationBuffer().get(JAVA_INT_UNALIGNED, 0));

            // Pause under load: a flood ping runs while both stacks pause, stay paused and restart.
            Process load = hostB.start("ping", "-f", "-q", "-w", "30", "192.0.2.2");
            try {
                awaitForwarded(router, flooded + 500);
                for (Adapter adapter : router.adapters()) {
                    assertTrue(adapter.pause(), adapter + " paused");
                }
                for (FilterModuleInfo module : driver.FilterEnumerateAllInstances()) {
                    assertFalse(module.running(), module.name());
                    assertEquals(0, module.outstandingSends(), module.name());
                    assertEquals(0, module.outstandingReceives(), module.name());
                }
                long whilePaused = router.ip().statistics().forwarded();
                Thread.sleep(200);
                assertEquals(whilePaused, router.ip().statistics().forwarded(), "nothing forwarded while paused");
                for (Adapter adapter : router.adapters()) {
                    assertEquals(NtStatus.NDIS_STATUS_SUCCESS, adapter.restart());
                }
                awaitForwarded(router, whilePaused + 500);
            } finally {
                load.destroy();
                load.waitFor();
            }
            long forwardedBeforePings = router.ip().statistics().forwarded();
            long sendsBeforePings = sendsSeen(driver);
            hostB.exec("ping", "-c", "10", "-i", "0.05", "-W", "2", "192.0.2.2");

            List<FilterModuleInfo> modules = new ArrayList<>(driver.FilterEnumerateAllInstances());
            assertEquals(2, modules.size());
            long sends = 0;
            for (FilterModuleInfo module : modules) {
                assertEquals(0, module.outstandingSends(), module.name());
                assertEquals(0, module.outstandingReceives(), module.name());
                assertEquals(module.miniportName().equals(deviceA) ? 1 : 0, module.oidRequests(), module.name());
                sends += module.sendsSeen();
            }
            long forwarded = router.ip().statistics().forwarded();
            assertTrue(forwarded >= 12_020, () -> "forwarded " + forwarded);
            // While one adapter is paused and the other not yet, NDIS completes a packet forwarded to the paused one
            // with NDIS_STATUS_PAUSED before any filter sees it; after the restart every packet passes the modules
            // again.
            assertTrue(sends <= forwarded, () -> "sends through the modules: " + modules);
            assertEquals(
                    forwarded - forwardedBeforePings,
                    sends - sendsBeforePings,
                    () -> "the 20 packets after the restart: " + modules);

            driver.DriverUnload();
            router.adapters().forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
            assertEquals(0, ndis.poolUsage().diff(FILT));

            // Loaded again in the same JVM: fresh modules with zeroed counters, and unloaded clean again.
            NdisLwfDriver again = new NdisLwfDriver();
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, again.DriverEntry(ndis, "NDISLWF"));
            long before = router.ip().statistics().forwarded();
            hostA.exec("ping", "-c", "10", "-i", "0.05", "-W", "2", "198.51.100.2");
            List<FilterModuleInfo> fresh = again.FilterEnumerateAllInstances();
            assertEquals(2, fresh.size());
            assertEquals(
                    router.ip().statistics().forwarded() - before,
                    fresh.stream().mapToLong(FilterModuleInfo::sendsSeen).sum(),
                    () -> "only this load's packets: " + fresh);
            fresh.forEach(module -> assertEquals(1, module.restarts(), module.name()));
            again.DriverUnload();
            router.adapters().forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
            assertEquals(0, ndis.poolUsage().diff(FILT));
            assertEquals(List.of(), ndis.verifier().violations());
        } finally {
            close(router);
            for (Host host : new @Nullable Host[] {hostA, hostB}) {
                if (host != null) {
                    host.close();
                }
            }
            ndis.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("live, every receive with RESOURCES (one receive NBL per TUN queue): over 11,000 flood-ping packets"
            + " forwarded, each module's receives all carried RESOURCES, nothing outstanding, unload leaves FILT at 0")
    void everyReceiveWithResources() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ping");
        long pid = ProcessHandle.current().pid() % 1_000_000;
        String deviceA = "nlr" + pid + "a";
        String deviceB = "nlr" + pid + "b";
        Ndis ndis = Ndis.create(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT));
        Router router = null;
        Host hostA = null;
        Host hostB = null;
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            router = Router.create(ndis);
            // One NBL per queue: the low-water mark is 1, so every indication leaves none free and carries RESOURCES.
            router.addInterface(
                    1, deviceA, new TunMiniport(TunDevice.open(deviceA, 1, true), 1500, 1), List.of(), true);
            router.addInterface(
                    2, deviceB, new TunMiniport(TunDevice.open(deviceB, 1, true), 1500, 1), List.of(), true);
            router.address(1, InetAddress.getByName("192.0.2.1"), 24)
                    .address(2, InetAddress.getByName("198.51.100.1"), 24);
            NdisLwfDriver driver = new NdisLwfDriver();
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(ndis, "NDISLWF"));
            router.start();
            hostA = Host.create("nbl4j-lwr-" + pid + "-a");
            hostB = Host.create("nbl4j-lwr-" + pid + "-b");
            hostA.adopt(deviceA, "192.0.2.2/24", "192.0.2.1");
            hostB.adopt(deviceB, "198.51.100.2/24", "198.51.100.1");

            // A few more than 5,500 echoes: with one NBL per queue a TUN write that would block now and then drops one.
            hostA.exec("ping", "-f", "-q", "-c", "5600", "-W", "2", "198.51.100.2");

            long forwarded = router.ip().statistics().forwarded();
            assertTrue(forwarded >= 11_000, () -> "forwarded " + forwarded);
            List<FilterModuleInfo> modules = driver.FilterEnumerateAllInstances();
            assertEquals(2, modules.size());
            for (FilterModuleInfo module : modules) {
                assertTrue(module.receivesSeen() >= 5_400, module::toString);
                assertEquals(module.receivesSeen(), module.receivesWithResources(), module.name());
                assertEquals(0, module.outstandingSends(), module.name());
                assertEquals(0, module.outstandingReceives(), module.name());
            }
            assertEquals(forwarded, sendsSeen(driver));
            driver.DriverUnload();
            router.adapters().forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
            assertEquals(0, ndis.poolUsage().diff(FILT));
            assertEquals(List.of(), ndis.verifier().violations());
        } finally {
            close(router);
            for (Host host : new @Nullable Host[] {hostA, hostB}) {
                if (host != null) {
                    host.close();
                }
            }
            ndis.close();
        }
    }

    private static long sendsSeen(NdisLwfDriver driver) {
        return driver.FilterEnumerateAllInstances().stream()
                .mapToLong(FilterModuleInfo::sendsSeen)
                .sum();
    }

    private static void awaitForwarded(Router router, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (router.ip().statistics().forwarded() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "only " + router.ip().statistics().forwarded() + " forwarded, waiting for " + atLeast);
            }
            Thread.sleep(5);
        }
    }

    private static void close(@Nullable Router router) {
        if (router != null) {
            router.close();
        }
    }
}
