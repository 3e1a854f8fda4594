package org.nbl4j.cli.live;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import org.nbl4j.stack.ip.IpInterface;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.router.Router;

/**
 * The sample LWF ({@code samples.ndislwf}) on a live router: two TUN devices, each moved into a network namespace of its
 * own, the hosts pinging each other through nbl4j with the sample attached to both adapters; an OID query through the
 * filter to the TUN miniport, statistics queries it pends and one cancelled, a pause and restart under a flood ping,
 * unload, a second load in the same JVM, and a link flap the miniport notices and indicates up through the filter.
 */
class LwfSampleLiveTest {
    private static final PoolTag FILT = new PoolTag(NdisLwfDriver.FILTER_ALLOC_TAG);

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName(
            "live: 11,000 flood-ping packets forwarded through the sample's modules leave nothing outstanding; an OID reaches the TUN"
                    + " miniport through the filter; a statistics OID the miniport pends completes once with its bytes, a"
                    + " cancelled one once with REQUEST_ABORTED; pause under a flood ping leaves nothing outstanding and restart resumes; unload"
                    + " detaches and leaves FILT at 0; a second load starts clean; ip link set down/up reaches the IP"
                    + " interface through the sample's module")
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
        // Shared: the TUN miniport writes the answer of a pended query on its own thread.
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis);
                Arena arena = Arena.ofShared()) {
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
            int statisticsQueries = statisticsPendAndCancel(router, arena);

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
                assertEquals(
                        module.miniportName().equals(deviceA) ? 1 + statisticsQueries : 0,
                        module.oidRequests(),
                        module.name());
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
            linkFlapReachesTheProtocol(router, again, hostA, deviceA);
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

    /**
     * Statistics queries from the router's IP layer on interface 1, through the sample to the TUN miniport, which pends
     * them until its next poll: one completes with its byte count and request id; one cancelled right after it was
     * issued completes with REQUEST_ABORTED. The cancel races the miniport's poll (every 100 ms): a query the poll
     * answered first completes with SUCCESS, legitimately, and another is tried, at most five.
     *
     * @return how many queries went down
     */
    private static int statisticsPendAndCancel(Router router, Arena arena) throws Exception {
        NDIS_OID_REQUEST kept = statisticsQuery(arena, "statistics");
        CompletableFuture<Integer> keptDone = router.ip().oidRequest(1, kept).toCompletableFuture();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, keptDone.get(5, TimeUnit.SECONDS));
        assertEquals(NdisLwf.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, kept.DATA.QUERY_INFORMATION.BytesWritten());
        assertEquals("statistics", kept.RequestId);
        long inOctets = kept.DATA.QUERY_INFORMATION.InformationBuffer().get(JAVA_LONG_UNALIGNED, 8 + 2 * 8);
        assertTrue(inOctets >= 5_500L * 84, () -> "ifHCInOctets after 5,500 echo requests: " + inOctets);

        int queries = 1;
        List<Integer> statuses = new ArrayList<>();
        while (queries <= 5 && !statuses.contains(NtStatus.NDIS_STATUS_REQUEST_ABORTED)) {
            String requestId = "cancelled " + queries;
            NDIS_OID_REQUEST cancelled = statisticsQuery(arena, requestId);
            CompletableFuture<Integer> done =
                    router.ip().oidRequest(1, cancelled).toCompletableFuture();
            queries++;
            router.ip().cancelOidRequest(1, requestId);
            int status = done.get(5, TimeUnit.SECONDS);
            statuses.add(status);
            assertEquals(requestId, cancelled.RequestId);
            assertEquals(
                    status == NtStatus.NDIS_STATUS_SUCCESS ? NdisLwf.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 : 0,
                    cancelled.DATA.QUERY_INFORMATION.BytesWritten(),
                    () -> NtStatus.describe(status));
        }
        assertEquals(
                NtStatus.NDIS_STATUS_REQUEST_ABORTED,
                statuses.getLast(),
                () -> "a cancel before the poll aborts: " + statuses);
        return queries;
    }

    private static NDIS_OID_REQUEST statisticsQuery(Arena arena, Object requestId) {
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.RequestType = NdisLwf.NdisRequestQueryInformation;
        request.RequestId = requestId;
        request.DATA.QUERY_INFORMATION.Oid(NdisLwf.OID_GEN_STATISTICS);
        int size = NdisLwf.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        request.DATA.QUERY_INFORMATION.InformationBuffer(arena.allocate(size));
        request.DATA.QUERY_INFORMATION.InformationBufferLength(size);
        return request;
    }

    /**
     * {@code ip link set down}, then up, on host A's TUN interface in its namespace: the TUN miniport's poll sees it
     * and indicates the link state, which passes the sample's module on that adapter (counted there) and sets the IP
     * interface's media connect state.
     */
    private static void linkFlapReachesTheProtocol(Router router, NdisLwfDriver driver, Host host, String device)
            throws Exception {
        IpInterface iface = router.ip().interfaceByIndex(1);
        assertNotNull(iface);
        awaitMediaConnectState(iface, LinkState.CONNECTED);
        long before = moduleOn(driver, device).linkStateIndications();

        host.exec("ip", "link", "set", device, "down");
        awaitMediaConnectState(iface, LinkState.DISCONNECTED);
        FilterModuleInfo down = moduleOn(driver, device);
        assertEquals(before + 1, down.linkStateIndications(), down::toString);
        assertEquals(NdisLwf.MediaConnectStateDisconnected, down.lastMediaConnectState());

        host.exec("ip", "link", "set", device, "up");
        awaitMediaConnectState(iface, LinkState.CONNECTED);
        FilterModuleInfo up = moduleOn(driver, device);
        assertEquals(before + 2, up.linkStateIndications(), up::toString);
        assertEquals(NdisLwf.MediaConnectStateConnected, up.lastMediaConnectState());
        IpInterface other = router.ip().interfaceByIndex(2);
        assertNotNull(other);
        assertEquals(LinkState.CONNECTED, other.mediaConnectState(), "the other interface heard nothing");
    }

    private static FilterModuleInfo moduleOn(NdisLwfDriver driver, String device) {
        return driver.FilterEnumerateAllInstances().stream()
                .filter(module -> module.miniportName().equals(device))
                .findFirst()
                .orElseThrow();
    }

    private static void awaitMediaConnectState(IpInterface iface, LinkState expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (iface.mediaConnectState() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("interface " + iface.interfaceIndex() + " still " + iface.mediaConnectState()
                        + ", waiting for " + expected);
            }
            Thread.sleep(10);
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
