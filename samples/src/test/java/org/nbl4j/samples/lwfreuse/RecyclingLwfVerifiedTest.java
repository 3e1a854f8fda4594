package org.nbl4j.samples.lwfreuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.junit.LeaksOnPurpose;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.samples.testing.SampleSource;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * Issue 13, must-show 7: the seed-001 filter that recycles its send NBLs, tested the way a driver writer tests a port
 * with the JUnit extension: the test gets a fully verified NDIS, builds a Windows 10 host on it and has the filter send
 * more packets than it preallocated. The re-sends carry stale WFP information and its containers leak; the extension
 * fails such a test and its message names the sample's sending line.
 */
@ExtendWith(NdisVerifierExtension.class)
class RecyclingLwfVerifiedTest {
    private static final int PREALLOCATED = 4;
    private static final int SENDS = 6;

    /** A driver writer's test of the port as posted, unaware of the bug: run through the test kit below. */
    @ExtendWith(NdisVerifierExtension.class)
    static class DriverWritersTest {
        @Test
        void sendsMorePacketsThanItPreallocated(Ndis ndis) {
            sendThroughWindows10Host(ndis, SENDS);
        }
    }

    @Test
    @LeaksOnPurpose
    @ViolatesOnPurpose
    @DisplayName("the recycling filter leaks one Wfpn per re-send; the extension requires the leak it is told of")
    void recyclingLeaksWfpn(Ndis ndis) {
        sendThroughWindows10Host(ndis, SENDS);

        assertEquals(SENDS - PREALLOCATED, ndis.poolUsage().diff(WfpInfoContainers.TAG), "orphaned containers");
    }

    @Test
    @DisplayName("a driver writer's test of the recycling filter fails, naming the sample's sending line")
    void extensionFailsTheDriverWritersTestAtTheSamplesLine() throws IOException {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(DriverWritersTest.class))
                .execute()
                .testEvents();

        events.assertStatistics(stats -> stats.started(1).failed(1));
        String message = events.failed().stream()
                .map(event -> event.getRequiredPayload(TestExecutionResult.class)
                        .getThrowable()
                        .orElseThrow()
                        .getMessage())
                .findFirst()
                .orElseThrow();
        // The verifier's grouped report: the rule once with its count, then the sample's lines, not the stack's.
        List<String> lines = message.lines().toList();
        assertTrue(
                lines.getFirst().startsWith((SENDS - PREALLOCATED) + " x WFP_INFO_STALE_ON_SEND ("),
                () -> "the first line names the count and the rule:\n" + message);
        assertEquals(
                "  broken at: " + PreallocatingLwf.class.getName() + ".SendPacket("
                        + SampleSource.line("lwfreuse/PreallocatingLwf.java", "NdisFSendNetBufferLists(")
                        + "), calling NdisH.NdisFSendNetBufferLists",
                lines.get(2),
                message);
        assertTrue(message.contains("LEAKED_AT_SHUTDOWN"), message);
        assertTrue(message.contains(WfpInfoContainers.TAG + ": " + (SENDS - PREALLOCATED) + " allocation(s)"), message);
        assertTrue(message.strip().endsWith("or mark it @ViolatesOnPurpose."), message);
    }

    /**
     * A Windows 10 host (the WFP lightweight filter below the sample) with one in-memory adapter carrying the
     * recycling filter, over {@code ndis}; the filter sends {@code sends} packets, polling the adapter when every
     * preallocated NBL is in flight. The host is torn down before returning, so only what the filter left behind is
     * still allocated.
     */
    private static void sendThroughWindows10Host(Ndis ndis, int sends) {
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            LwfReuseDriver recycling = new LwfReuseDriver(Variant.RECYCLING, PREALLOCATED);
            Router router = Router.create(ndis);
            try {
                router.useFilterEngine(PlatformProfile.WINDOWS_10);
                router.addInterface(
                        1, "wire0", MemoryMiniport.builder().name("wire0").build(), List.of(), false);
                assertEquals(NtStatus.NDIS_STATUS_SUCCESS, recycling.DriverEntry(ndis, LwfReuseRun.REGISTRY_PATH));
                PreallocatingLwf module = recycling.FilterModules().getFirst();
                byte[] packet = SamplePackets.ipv4Udp("192.0.2.1", "198.51.100.1", 64, 0, new byte[64]);
                MemorySegment header = MemorySegment.ofArray(packet).asSlice(0, 28);
                MemorySegment payload = MemorySegment.ofArray(packet).asSlice(28);
                for (int i = 0; i < sends; i++) {
                    int status = module.SendPacket(header, 28, payload, (int) payload.byteSize());
                    if (status == NtStatus.NDIS_STATUS_RESOURCES) {
                        router.pollAll(256); // the miniport completes the sends on its next service
                        status = module.SendPacket(header, 28, payload, (int) payload.byteSize());
                    }
                    assertEquals(
                            NtStatus.NDIS_STATUS_SUCCESS,
                            status,
                            () -> NtStatus.describe(NtStatus.NDIS_STATUS_RESOURCES));
                }
                router.drain();
            } finally {
                try {
                    recycling.DriverUnload();
                } finally {
                    router.close();
                }
            }
        }
    }
}
