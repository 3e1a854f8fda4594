package org.nbl4j.core.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * Golden-text tests of {@link PendingNblsReport} in the manner of {@code !ndiskd.pendingnbls}
 * (nbl-reuse-leak-and-diagnostics §2.2), on a verifier at FULL with a fake clock.
 */
class PendingNblsReportTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    /** What a protocol might pass as the holder of an indicated NBL: shown by id and toString. */
    private record Protocol(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final NblTrackerViewsTest.FakeClock clock = new NblTrackerViewsTest.FakeClock();
    private final Ndis ndis = verification.create(VerifierSettings.full().withNanoClock(clock));

    @Test
    @DisplayName("pending NBLs longest held first, with holder, state and time; pool tags, freed NBLs, totals")
    void report() {
        NetBufferListPool first = pool("Dgp1");
        NetBufferListPool second = pool("Dgp2");
        NetBufferList kept = allocate(first);
        clock.advance(Duration.ofMillis(500));
        NetBufferList sent = allocate(first);
        NetBufferList indicated = allocate(second);
        NetBufferList freed = allocate(second);
        clock.advance(Duration.ofMillis(250));
        sent.handOff(OwnerState.SENT, "miniport");
        clock.advance(Duration.ofNanos(1_250_000));
        indicated.handOff(OwnerState.INDICATED, new Protocol("TCPIP6"));
        freed.free();
        clock.advance(Duration.ofSeconds(2));
        MemoryBlock block = ndis.allocateMemoryWithTag(64, PoolTag.of("Dgpm"));
        assertNotNull(block);

        assertEquals("""
                PHASE 1/3: Found 2 NBL pool tag(s) among pending NBLs
                PHASE 2/3: Freed NBLs are not tracked; skipped
                Pending Nbl        Currently held by
                ffff800000001000   its allocator [OWNED, held 2751.250 ms]
                ffff800000002000   ffff800000003000 - miniport [SENT, held 2001.250 ms]
                ffff800000004000   ffff800000005000 - TCPIP6 [INDICATED, held 2000.000 ms]
                PHASE 3/3: Found 3 pending NBL(s) of 4 tracked buffer(s)
                """, PendingNblsReport.withIds(IdNamer.sequential()).render(ndis));

        ndis.freeMemory(block);
        sent.handOff(OwnerState.OWNED, null);
        sent.free();
        indicated.handOff(OwnerState.OWNED, null);
        indicated.free();
        kept.free();
        assertEquals("""
                PHASE 1/3: Found 0 NBL pool tag(s) among pending NBLs
                PHASE 2/3: Freed NBLs are not tracked; skipped
                Pending Nbl        Currently held by
                PHASE 3/3: Found 0 pending NBL(s) of 0 tracked buffer(s)
                """, PendingNblsReport.withIds(IdNamer.sequential()).render(ndis.verifier()));
    }

    @Test
    @DisplayName("sameIdsAsNbls: the report and a dump of the NBL print the same id")
    void sameIdsInReportAndDump() {
        NetBufferList kept = allocate(pool("Dgp1"));
        clock.advance(Duration.ofMillis(1));
        NetBufferList sent = allocate(pool("Dgp1"));
        sent.handOff(OwnerState.SENT, "miniport");
        IdNamer ids = PendingNblsReport.sameIdsAsNbls(IdNamer.sequential());

        String dumped = NblDump.withIds(ids).basic(sent);
        String report = PendingNblsReport.withIds(ids).render(ndis);

        assertTrue(dumped.startsWith("NBL                ffff800000001000"), dumped);
        assertTrue(report.contains("\nffff800000001000   ffff8000"), report);
        assertTrue(report.contains("[SENT, held 0.000 ms]"), report);
        assertTrue(report.contains("\nffff800000003000   its allocator [OWNED, held 1.000 ms]"), report);
        assertEquals(ids.id(kept.track()), ids.id(kept));
        sent.handOff(OwnerState.OWNED, null);
        sent.free();
        kept.free();
    }

    @Test
    @DisplayName("adapted for sampling and for a verifier that is off")
    void samplingAndVerifierOff() {
        try (Ndis sampled = verification.create(VerifierSettings.standard().withSamplingInterval(Integer.MAX_VALUE));
                Ndis off = verification.create(VerifierSettings.off())) {
            // Nothing is allocated from these instances' pools, so nothing is tracked.
            assertEquals("""
                    PHASE 1/3: Found 0 NBL pool tag(s) among pending NBLs
                    PHASE 2/3: Freed NBLs are not tracked; skipped
                    Pending Nbl        Currently held by
                    PHASE 3/3: Found 0 pending NBL(s) of 0 tracked buffer(s); the verifier tracks 1 buffer in 2147483647
                    """, PendingNblsReport.create().render(sampled));
            assertEquals("""
                    The verifier is off: no NBL is tracked (create the Ndis with VerifierSettings.standard() or full(), \
                    as ndiskd needs TrackNblOwner)
                    """, PendingNblsReport.create().render(off));
        }
    }

    private NetBufferListPool pool(String tag) {
        NetBufferListPool made =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, PoolTag.of(tag), 0));
        assertNotNull(made);
        return made;
    }

    private static NetBufferList allocate(NetBufferListPool from) {
        NetBufferList nbl = from.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return nbl;
    }
}
