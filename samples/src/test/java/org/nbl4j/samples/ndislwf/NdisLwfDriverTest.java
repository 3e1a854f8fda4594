package org.nbl4j.samples.ndislwf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ddk.NdisLwf;
import org.nbl4j.stack.ip.IpInterface;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.Oids;

/**
 * The sample LWF on a two-interface router: registered by its DriverEntry, attached to both adapters, counting what
 * passes, paused and restarted under load, unloaded and loaded again in the same JVM.
 */
class NdisLwfDriverTest {
    private static final int PACKETS = 11_000;

    private static NdisLwfDriver load(LwfRouter host) {
        NdisLwfDriver driver = new NdisLwfDriver();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(host.ndis, "\\Registry\\Machine\\...\\NDISLWF"));
        assertTrue(driver.HandleWrittenBeforeSetOptions, "FilterSetOptions ran with the handle already written");
        return driver;
    }

    private static void assertUnloadsClean(NdisLwfDriver driver, LwfRouter host) {
        driver.DriverUnload();
        assertEquals(List.of(), driver.FilterEnumerateAllInstances());
        for (Adapter adapter : host.router.adapters()) {
            assertEquals(List.of(), adapter.lwfModules(), "unload detached every module of " + adapter);
        }
        assertEquals(0, host.ndis.poolUsage().diff(LwfRouter.FILT), "the driver's FILT tag is back to 0");
        assertTrue(host.ndis.poolUsage().usage(LwfRouter.FILT).orElseThrow().allocs() > 0, "FILT was used");
    }

    @ParameterizedTest(name = "low water mark {0}")
    @ValueSource(ints = {0, 1_000})
    @DisplayName("11,000 forwarded packets (replay-style polling): each module ends with 0 sends and receives"
            + " outstanding, also when every receive carries RESOURCES (low water mark above the buffers)")
    void forwardsWithNothingOutstanding(int lowWaterMark) {
        try (LwfRouter host = new LwfRouter(256, lowWaterMark)) {
            NdisLwfDriver driver = load(host);
            assertEquals(2, driver.FilterEnumerateAllInstances().size(), "one module per adapter");

            for (int n = 0; n < PACKETS; n++) {
                host.offerPolled(n);
                if (n % 32 == 31) {
                    host.router.pollAll(64);
                }
            }
            host.router.drain();

            assertEquals(PACKETS, host.forwarded());
            long sends = 0;
            long receives = 0;
            long withResources = 0;
            for (FilterModuleInfo module : driver.FilterEnumerateAllInstances()) {
                assertEquals(0, module.outstandingSends(), module.name());
                assertEquals(0, module.outstandingReceives(), module.name());
                sends += module.sendsSeen();
                receives += module.receivesSeen();
                withResources += module.receivesWithResources();
            }
            assertEquals(PACKETS, sends, "every forwarded packet left through a module");
            assertEquals(PACKETS, receives, "every packet arrived through a module");
            assertEquals(lowWaterMark == 0 ? 0 : PACKETS, withResources, "receives that carried RESOURCES");
            assertUnloadsClean(driver, host);
            assertEquals(List.of(), host.ndis.verifier().violations());
        }
    }

    @Test
    @DisplayName("pause under load leaves each module paused with nothing outstanding; restart resumes forwarding")
    void pauseUnderLoad() throws Exception {
        try (LwfRouter host = new LwfRouter(256, 8)) {
            NdisLwfDriver driver = load(host);
            host.router.start();
            AtomicBoolean feeding = new AtomicBoolean(true);
            Thread feeder = Thread.ofPlatform().name("feeder").start(() -> {
                for (int n = 0; feeding.get(); n++) {
                    // Refused while paused (no buffer free): the wire drops it, as a real one would.
                    (n % 2 == 0 ? host.wire1 : host.wire2).receive(LwfRouter.packet(n));
                    Thread.onSpinWait();
                }
            });
            try {
                awaitForwarded(host, 2_000);
                for (Adapter adapter : host.router.adapters()) {
                    assertTrue(adapter.pause(), adapter + " paused");
                }
                for (FilterModuleInfo module : driver.FilterEnumerateAllInstances()) {
                    assertFalse(module.running(), module.name());
                    assertEquals(0, module.outstandingSends(), module.name());
                    assertEquals(0, module.outstandingReceives(), module.name());
                }
                long whilePaused = host.forwarded();
                Thread.sleep(100);
                assertEquals(whilePaused, host.forwarded(), "nothing is forwarded while paused");

                for (Adapter adapter : host.router.adapters()) {
                    assertEquals(NtStatus.NDIS_STATUS_SUCCESS, adapter.restart());
                }
                awaitForwarded(host, whilePaused + 2_000);
                driver.FilterEnumerateAllInstances().forEach(module -> assertTrue(module.running(), module.name()));
            } finally {
                feeding.set(false);
                feeder.join();
            }
            assertUnloadsClean(driver, host);
            assertEquals(List.of(), host.ndis.verifier().violations());
        }
    }

    @Test
    @DisplayName("the restart control restarts one module: FilterRestart runs again there and nowhere else")
    void restartsOneModule() {
        try (LwfRouter host = new LwfRouter(64, 8)) {
            NdisLwfDriver driver = load(host);
            List<FilterModuleInfo> before = driver.FilterEnumerateAllInstances();
            assertEquals(
                    NtStatus.NDIS_STATUS_SUCCESS,
                    driver.FilterRestartOneInstance(before.getFirst().name()));
            List<FilterModuleInfo> after = driver.FilterEnumerateAllInstances();
            assertEquals(before.get(0).restarts() + 1, after.get(0).restarts());
            assertEquals(before.get(1).restarts(), after.get(1).restarts());
            assertTrue(after.get(0).running());
            assertEquals(NtStatus.NDIS_STATUS_FAILURE, driver.FilterRestartOneInstance("no such module"));
            assertUnloadsClean(driver, host);
        }
    }

    @Test
    @DisplayName("unloading and loading again in the same JVM starts clean: new modules, zeroed counters, tags at 0")
    void loadsAgainClean() {
        try (LwfRouter host = new LwfRouter(64, 8)) {
            NdisLwfDriver first = load(host);
            for (int n = 0; n < 100; n++) {
                host.offerPolled(n);
            }
            host.router.drain();
            assertUnloadsClean(first, host);

            NdisLwfDriver second = load(host);
            List<FilterModuleInfo> modules = second.FilterEnumerateAllInstances();
            assertEquals(2, modules.size());
            for (FilterModuleInfo module : modules) {
                assertEquals(0, module.sendsSeen() + module.receivesSeen(), module.name());
                assertEquals(1, module.restarts(), module.name());
            }
            for (int n = 0; n < 100; n++) {
                host.offerPolled(n);
            }
            host.router.drain();
            assertEquals(200, host.forwarded());
            assertEquals(
                    100,
                    second.FilterEnumerateAllInstances().stream()
                            .mapToLong(FilterModuleInfo::sendsSeen)
                            .sum());
            assertUnloadsClean(second, host);
            assertEquals(List.of(), host.ndis.verifier().violations());
        }
    }

    @Test
    @DisplayName("a link-state change on wire1 reaches the router's IP layer through the sample's FilterStatus; wire2's"
            + " interface does not hear it")
    void linkStateReachesTheRouter() {
        try (LwfRouter host = new LwfRouter(64, 8)) {
            NdisLwfDriver driver = load(host);
            IpInterface wire1 = host.router.ip().interfaceByIndex(1);
            IpInterface wire2 = host.router.ip().interfaceByIndex(2);
            assertNotNull(wire1);
            assertNotNull(wire2);

            host.wire1.setLinkState(LinkState.DISCONNECTED);

            assertEquals(LinkState.DISCONNECTED, wire1.mediaConnectState(), "the IP layer heard it");
            assertEquals(LinkState.CONNECTED, wire2.mediaConnectState());
            FilterModuleInfo module = driver.FilterEnumerateAllInstances().stream()
                    .filter(m -> m.miniportName().equals("wire1"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(1, module.linkStateIndications(), "through the sample's module on wire1");
            assertEquals(NdisLwf.MediaConnectStateDisconnected, module.lastMediaConnectState());

            host.wire1.setLinkState(LinkState.CONNECTED);
            assertEquals(LinkState.CONNECTED, wire1.mediaConnectState());
            assertUnloadsClean(driver, host);
            assertEquals(List.of(), host.ndis.verifier().violations());
        }
    }

    @Test
    @DisplayName("the router's IP layer queries OID_GEN_STATISTICS through the sample: a pended one completes once with"
            + " its byte count and request id, a cancelled one once with REQUEST_ABORTED")
    void statisticsFromTheRouterCompleteOnce() throws Exception {
        try (LwfRouter host = new LwfRouter(64, 8);
                Arena arena = Arena.ofConfined()) {
            NdisLwfDriver driver = load(host);
            host.wire1.pendOid(Oids.OID_GEN_STATISTICS);
            NDIS_OID_REQUEST kept = statisticsQuery(arena, "kept");
            NDIS_OID_REQUEST cancelled = statisticsQuery(arena, "cancelled");
            CompletableFuture<Integer> keptDone =
                    host.router.ip().oidRequest(1, kept).toCompletableFuture();
            CompletableFuture<Integer> cancelledDone =
                    host.router.ip().oidRequest(1, cancelled).toCompletableFuture();
            assertFalse(keptDone.isDone() || cancelledDone.isDone(), "both pend in the miniport");

            host.router.ip().cancelOidRequest(1, "cancelled");
            assertEquals(NtStatus.NDIS_STATUS_REQUEST_ABORTED, cancelledDone.getNow(null));
            assertFalse(keptDone.isDone(), "the other one is still pended");
            assertEquals(1, host.wire1.completePendedOids());
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, keptDone.getNow(null));
            assertEquals(Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, kept.DATA.QUERY_INFORMATION.BytesWritten());
            assertEquals("kept", kept.RequestId);
            assertEquals(0, cancelled.DATA.QUERY_INFORMATION.BytesWritten());
            assertEquals(0, host.wire1.completePendedOids(), "nothing left to complete twice");
            assertUnloadsClean(driver, host);
            assertEquals(List.of(), host.ndis.verifier().violations(), "no OID completed twice");
        }
    }

    private static NDIS_OID_REQUEST statisticsQuery(Arena arena, Object requestId) {
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.RequestType = NdisLwf.NdisRequestQueryInformation;
        request.RequestId = requestId;
        request.DATA.QUERY_INFORMATION.Oid(Oids.OID_GEN_STATISTICS);
        int size = Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        request.DATA.QUERY_INFORMATION.InformationBuffer(arena.allocate(size));
        request.DATA.QUERY_INFORMATION.InformationBufferLength(size);
        return request;
    }

    private static void awaitForwarded(LwfRouter host, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (host.forwarded() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + host.forwarded() + " forwarded, waiting for " + atLeast);
            }
            Thread.sleep(5);
        }
    }
}
