package org.nbl4j.samples.lwfreuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Report;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpInfoContainers;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * Issue 5, must-show 2: the seed-001 filter on a host, as posted and fixed, under both platform profiles
 * (nbl-reuse-leak-and-diagnostics §1.4, §1.5).
 */
class LwfReuseTest {
    private static final int PREALLOCATED = 32;
    private static final int SENDS = 1000;

    @Test
    @DisplayName("Windows 10, recycling: Wfpn grows by one per send; each re-send is reported at the sample's line")
    void recyclingLeaksOnWindows10() throws IOException {
        Report report = LwfReuseRun.run(Variant.RECYCLING, PlatformProfile.WINDOWS_10, PREALLOCATED, SENDS);

        assertEquals(SENDS, report.sent());
        // The WFP lightweight filter attaches a container to every NBL it passes down. The first send of each of the
        // 32 NBLs gets a fresh one; each of the 968 re-sends finds the container of its previous, completed trip,
        // which is orphaned (still counted) and replaced. So after the drain every send has left one container
        // outstanding: 968 orphaned plus the 32 still attached to the queued NBLs.
        assertEquals(SENDS, report.wfpnGrowth());
        // Detach frees the 32 NBLs, and NdisFreeNetBufferList releases the containers attached to them; the orphans
        // have no NBL left to be freed with: the leak proper.
        assertEquals(SENDS - PREALLOCATED, report.wfpnLeakedAtShutdown());

        List<Violation> stale = report.violations().stream()
                .filter(violation -> violation.rule() == WfpRule.WFP_INFO_STALE_ON_SEND)
                .toList();
        assertEquals(SENDS - PREALLOCATED, stale.size(), "one report per re-send");
        assertEquals(stale.size(), report.violations().size(), () -> "nothing else: " + report.violations());
        String detail = stale.getFirst().detail();
        String sendLine = sendLine();
        assertTrue(detail.contains(sendLine), () -> detail + " should name " + sendLine);
        assertTrue(detail.startsWith("NET_BUFFER_LIST[ALLOCATED, pool FPoo]"), () -> "names the NBL: " + detail);

        Violation shutdown = LwfReuseRun.first(report.shutdownNotes(), BufferRule.LEAKED_AT_SHUTDOWN);
        assertNotNull(shutdown, () -> "notes: " + report.shutdownNotes());
        assertTrue(
                shutdown.detail().contains(WfpInfoContainers.TAG + ": " + (SENDS - PREALLOCATED) + " allocation(s)"),
                shutdown::detail);
        assertTrue(report.nextNblDump().contains("WfpNetBufferListInfo"), report::nextNblDump);
    }

    @Test
    @DisplayName("Windows 7, recycling: no WFP lightweight filter, so Wfpn stays 0 and nothing is reported")
    void recyclingIsHarmlessOnWindows7() {
        Report report = LwfReuseRun.run(Variant.RECYCLING, PlatformProfile.WINDOWS_7, PREALLOCATED, SENDS);

        assertEquals(SENDS, report.sent());
        assertEquals(0, report.wfpnGrowth());
        assertEquals(0, report.wfpnLeakedAtShutdown());
        assertEquals(List.of(), report.violations());
        assertEquals(List.of(), report.shutdownNotes());
        assertTrue(!report.nextNblDump().contains("WfpNetBufferListInfo"), report::nextNblDump);
    }

    @ParameterizedTest
    @EnumSource(PlatformProfile.class)
    @DisplayName("corrected (free on completion, allocate again): Wfpn 0, no violation, nothing left at shutdown")
    void correctedIsCleanUnderBothProfiles(PlatformProfile profile) {
        Report report = LwfReuseRun.run(Variant.CORRECTED, profile, PREALLOCATED, SENDS);

        assertEquals(SENDS, report.sent());
        assertEquals(0, report.wfpnGrowth());
        assertEquals(0, report.poolsAfterDrain().diff(WfpInfoContainers.TAG));
        assertEquals(PREALLOCATED, report.poolsAfterDrain().diff(PoolTag.of("FPoo")), "the queue is full again");
        assertEquals(List.of(), report.violations());
        assertEquals(List.of(), report.shutdownNotes());
        assertEquals(List.of(), report.poolsAtShutdown().outstanding());
    }

    @Test
    @DisplayName("an empty queue refuses a send with NDIS_STATUS_RESOURCES and the run still sends every packet")
    void fewerNblsThanPacketsInFlight() {
        Report report = LwfReuseRun.run(Variant.CORRECTED, PlatformProfile.WINDOWS_10, 1, 50);

        assertEquals(50, report.sent());
        assertEquals(List.of(), report.violations());
    }

    /** {@code PreallocatingLwf.java:<line>} of the sample's NdisFSendNetBufferLists call, read from its source. */
    private static String sendLine() throws IOException {
        Path source = Path.of("src/main/java/org/nbl4j/samples/lwfreuse/PreallocatingLwf.java");
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("NdisFSendNetBufferLists(FilterHandle")) {
                return "PreallocatingLwf.java:" + (i + 1) + ")";
            }
        }
        throw new AssertionError("no NdisFSendNetBufferLists call in " + source);
    }
}
