package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.LeaksOnPurpose;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * Deliberately leaking tests: the leak report, a pool's close and a leaked memory block name the exact line that
 * allocated what leaked.
 */
class LeakReportTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfLk");
    private static final PoolTag MEMORY_TAG = PoolTag.of("VfMm");

    private final Ndis ndis = verification.create(VerifierSettings.standard()
            .withDriverCode(LeakReportTest.class.getName())
            .withSamplingInterval(1));
    private final NetBufferListPool pool = dataPool(ndis, TAG);

    /** Allocates {@code count} NBLs, all at one line, and never frees them; returns that line. */
    private static int leak(NetBufferListPool pool, int count, List<NetBufferList> keep) {
        int line = 0;
        for (int i = 0; i < count; i++) {
            line = line() + 1;
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            keep.add(nbl);
        }
        return line;
    }

    @Test
    @DisplayName("shutdown notes what is still allocated, by tag and allocating line, without throwing (0xC4/0x62)")
    @LeaksOnPurpose
    void shutdownNotesLeaks() {
        int line = leak(pool, 2, new ArrayList<>());
        String site = frame(LeakReportTest.class, "leak", line);

        ndis.close();

        List<Violation> noted = ndis.verifier().violations();
        assertEquals(1, noted.size());
        Violation shutdown = noted.getFirst();
        assertEquals(BufferRule.LEAKED_AT_SHUTDOWN, shutdown.rule());
        assertEquals("DRIVER_VERIFIER_DETECTED_VIOLATION (c4) 62, 2", String.valueOf(shutdown.bugcheck()));
        assertTrue(shutdown.detail().contains("  VfLk: 2 allocation(s), "), shutdown.detail());
        assertTrue(shutdown.detail().contains("    at " + site + "\n"), shutdown.detail());
    }

    @Test
    @DisplayName("the leak report names the allocating line, by site and in its text")
    @LeaksOnPurpose
    void leakReportNamesTheAllocatingLine() {
        int call = line() + 1;
        int line = leak(pool, 3, new ArrayList<>());
        String site = frame(LeakReportTest.class, "leak", line);

        LeakReport report = ndis.verifier().leaks();

        assertEquals(3, report.outstanding().size());
        Map<String, List<BufferTrack>> bySite = report.bySite();
        assertEquals(List.of(site), List.copyOf(bySite.keySet()));
        assertEquals(3, bySite.get(site).size());
        assertEquals(List.of(TAG), List.copyOf(report.byTag().keySet()));
        String text = report.describe();
        assertTrue(text.startsWith("3 tracked buffer(s) outstanding\n"), text);
        assertTrue(
                text.contains("3 x NET_BUFFER_LIST[ALLOCATED, pool VfLk] [VfLk]\n  allocated:  " + site + ", calling "),
                text);
        assertTrue(
                text.contains(
                        "\n    at " + frame(LeakReportTest.class, "leakReportNamesTheAllocatingLine", call) + "\n"),
                "the caller's frame follows the allocating one: " + text);
    }

    @Test
    @DisplayName("two leaking sites are two entries, the bigger first; freed NBLs leave the report")
    void leakReportGroupsBySite() {
        List<NetBufferList> few = new ArrayList<>();
        List<NetBufferList> many = new ArrayList<>();
        int fewLine = leak(pool, 1, few);
        int otherLine = 0;
        for (int i = 0; i < 2; i++) {
            otherLine = line() + 1;
            many.add(pool.allocateNetBufferList(0, 0));
        }

        List<String> sites = List.copyOf(ndis.verifier().leaks().bySite().keySet());

        assertEquals(
                List.of(
                        frame(LeakReportTest.class, "leakReportGroupsBySite", otherLine),
                        frame(LeakReportTest.class, "leak", fewLine)),
                sites);
        few.forEach(NetBufferList::free);
        many.forEach(NetBufferList::free);
        LeakReport empty = ndis.verifier().leaks();
        assertTrue(empty.isEmpty());
        assertEquals("no tracked buffer is outstanding\n", empty.describe());
    }

    @Test
    @DisplayName("§4.10/§1.6: closing an NBL pool with NBLs out is NBL_LEAKED, BUGCODE_NDIS_DRIVER (7c) 27, 1")
    void poolCloseWithOutstandingIsLeakedNbl() {
        List<NetBufferList> kept = new ArrayList<>();
        int line = leak(pool, 2, kept);

        RuleViolation thrown = assertThrows(RuleViolation.class, pool::close);

        assertEquals(BufferRule.NBL_LEAKED, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        Bugcheck bugcheck = violation.bugcheck();
        assertEquals(new Bugcheck(0x7C, "BUGCODE_NDIS_DRIVER", 0x27, 1), bugcheck);
        assertEquals("BUGCODE_NDIS_DRIVER (7c) 27, 1", String.valueOf(bugcheck));
        assertTrue(violation.detail().startsWith("2 NBLs of pool VfLk are still allocated; the pool stays open\n"));
        assertTrue(
                violation.detail().contains("allocated at:\n    at " + frame(LeakReportTest.class, "leak", line)),
                violation.detail());
        assertTrue(
                thrown.getMessage().contains("  Windows:   bugcheck BUGCODE_NDIS_DRIVER (7c) 27, 1\n"),
                thrown.getMessage());

        NetBufferList stillWorks = pool.allocateNetBufferList(0, 0);
        assertNotNull(stillWorks, "the pool stayed open");
        stillWorks.free();
        kept.forEach(NetBufferList::free);
        pool.close();
        assertEquals(
                BufferRule.POOL_USED_AFTER_FREE,
                assertThrows(RuleViolation.class, () -> pool.allocateNetBufferList(0, 0))
                        .rule());
    }

    @Test
    @DisplayName("§3.10: closing an NB pool with NBs out keeps POOL_FREED_WITH_OUTSTANDING, naming the NB's site")
    void netBufferPoolCloseWithOutstanding() {
        NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("VfNb"), 0));
        assertNotNull(nbPool);
        int line = line() + 1;
        NetBuffer nb = nbPool.allocateNetBuffer(null, 0, 0);
        assertNotNull(nb);

        RuleViolation thrown = assertThrows(RuleViolation.class, nbPool::close);

        assertEquals(BufferRule.POOL_FREED_WITH_OUTSTANDING, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        assertNull(violation.bugcheck());
        assertTrue(
                violation.detail().contains(frame(LeakReportTest.class, "netBufferPoolCloseWithOutstanding", line)),
                violation.detail());
        nb.free();
        nbPool.close();
    }

    @Test
    @DisplayName("a leaked NdisAllocateMemoryWithTagPriority block is named by tag and allocating line")
    void leakedMemoryBlockNamedBySite() {
        int line = line() + 1;
        MemoryBlock block = ndis.allocateMemoryWithTag(64, MEMORY_TAG);
        assertNotNull(block);
        String site = frame(LeakReportTest.class, "leakedMemoryBlockNamedBySite", line);

        LeakReport report = ndis.verifier().leaks();

        List<BufferTrack> tracks = report.byTag().get(MEMORY_TAG);
        assertNotNull(tracks);
        assertEquals(1, tracks.size());
        assertEquals("memory block of 64 bytes", tracks.getFirst().description());
        assertEquals(site, tracks.getFirst().allocation().where());
        assertTrue(
                report.describe(MEMORY_TAG).contains("1 x memory block of 64 bytes [VfMm]\n  allocated:  " + site),
                report.describe(MEMORY_TAG));
        ndis.freeMemory(block);
        assertNull(ndis.verifier().leaks().byTag().get(MEMORY_TAG));
    }
}
