package org.nbl4j.core.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * Golden-text tests of {@link PoolmonTable} against poolmon's format (nbl-reuse-leak-and-diagnostics §2.1).
 *
 * <p>Three tags whose six sort orders all differ from one another except frees and per-alloc: by tag Filt, Mdl,
 * Wfpn; by allocs Mdl, Wfpn, Filt; by frees Wfpn, Filt, Mdl; by diff Mdl, Filt, Wfpn; by bytes Filt, Wfpn, Mdl; by
 * per-alloc Wfpn, Filt, Mdl. They are given out of order so that every sort has work to do.
 */
class PoolmonTableTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolUsageSnapshot NOW =
            snapshot(usage("Wfpn", 20, 18, 1000), usage("Filt", 10, 6, 1600), usage("Mdl", 30, 1, 290));
    /** Since EARLIER: Filt +8 allocs, +5 frees, +1500 bytes; Mdl +1, +1, 0; Wfpn +5, +4, 0. */
    private static final PoolUsageSnapshot EARLIER =
            snapshot(usage("Filt", 2, 1, 100), usage("Mdl", 29, 0, 290), usage("Wfpn", 15, 14, 1000));

    private static final String SNAPSHOT_HEADER = " Tag  Type     Allocs     Frees     Diff   Bytes Per Alloc\n\n";

    @Test
    @DisplayName("§2.1: the documentation's sample row, with change columns, is reproduced character for character")
    void sampleRow() {
        PoolUsageSnapshot earlier = snapshot(usage("Io", 1021111, 1020984, 91912));
        PoolUsageSnapshot now = snapshot(usage("Io", 1021112, 1020985, 91912));

        String table = PoolmonTable.create().render(now, earlier);

        assertEquals("""
                 Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                 Io   Nonp    1021112 (   1)   1020985 (   1)      127   91912 (     0)    723
                """, table);
    }

    @Test
    @DisplayName("/t (default): sorted by tag; without an earlier snapshot there are no change columns (/n)")
    void sortByTagWithoutChanges() {
        assertEquals(SNAPSHOT_HEADER + """
                         Filt Nonp         10         6        4    1600       400
                         Mdl  Nonp         30         1       29     290        10
                         Wfpn Nonp         20        18        2    1000       500
                        """, PoolmonTable.create().render(NOW));
        assertEquals(
                PoolmonTable.create().render(NOW),
                PoolmonTable.create().sortedBy(PoolmonSort.TAG).render(NOW));
    }

    @Test
    @DisplayName("/a: sorted by allocs, largest first")
    void sortByAllocs() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         Mdl  Nonp         30         1       29     290        10
                         Wfpn Nonp         20        18        2    1000       500
                         Filt Nonp         10         6        4    1600       400
                        """,
                PoolmonTable.create().sortedBy(PoolmonSort.ALLOCS).render(NOW));
    }

    @Test
    @DisplayName("/f: sorted by frees, largest first")
    void sortByFrees() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         Wfpn Nonp         20        18        2    1000       500
                         Filt Nonp         10         6        4    1600       400
                         Mdl  Nonp         30         1       29     290        10
                        """,
                PoolmonTable.create().sortedBy(PoolmonSort.FREES).render(NOW));
    }

    @Test
    @DisplayName("/d: sorted by diff, largest first")
    void sortByDiff() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         Mdl  Nonp         30         1       29     290        10
                         Filt Nonp         10         6        4    1600       400
                         Wfpn Nonp         20        18        2    1000       500
                        """,
                PoolmonTable.create().sortedBy(PoolmonSort.DIFF).render(NOW));
    }

    @Test
    @DisplayName("/b: sorted by bytes, largest first")
    void sortByBytes() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         Filt Nonp         10         6        4    1600       400
                         Wfpn Nonp         20        18        2    1000       500
                         Mdl  Nonp         30         1       29     290        10
                        """,
                PoolmonTable.create().sortedBy(PoolmonSort.BYTES).render(NOW));
    }

    @Test
    @DisplayName("/m: sorted by bytes per allocation, largest first")
    void sortByPerAlloc() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         Wfpn Nonp         20        18        2    1000       500
                         Filt Nonp         10         6        4    1600       400
                         Mdl  Nonp         30         1       29     290        10
                        """,
                PoolmonTable.create().sortedBy(PoolmonSort.PER_ALLOC).render(NOW));
    }

    @Test
    @DisplayName("change columns: the change since the earlier snapshot in brackets after Allocs, Frees and Bytes")
    void changeColumns() {
        assertEquals("""
                 Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                 Filt Nonp         10 (   8)         6 (   5)        4    1600 (  1500)    400
                 Mdl  Nonp         30 (   1)         1 (   1)       29     290 (     0)     10
                 Wfpn Nonp         20 (   5)        18 (   4)        2    1000 (     0)    500
                """, PoolmonTable.create().render(NOW, EARLIER));
    }

    @Test
    @DisplayName("change columns: a tag new since the earlier snapshot counts from zero")
    void changeOfNewTag() {
        PoolUsageSnapshot earlier = snapshot(usage("Filt", 2, 1, 100));

        assertEquals("""
                 Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                 Filt Nonp         10 (   8)         6 (   5)        4    1600 (  1500)    400
                 Mdl  Nonp         30 (  30)         1 (   1)       29     290 (   290)     10
                 Wfpn Nonp         20 (  20)        18 (  18)        2    1000 (  1000)    500
                """, PoolmonTable.create().render(NOW, earlier));
    }

    @Test
    @DisplayName("/( with /a: sorted by the change in allocs, not by allocs")
    void sortByChange() {
        assertEquals(
                """
                 Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                 Filt Nonp         10 (   8)         6 (   5)        4    1600 (  1500)    400
                 Wfpn Nonp         20 (   5)        18 (   4)        2    1000 (     0)    500
                 Mdl  Nonp         30 (   1)         1 (   1)       29     290 (     0)     10
                """,
                PoolmonTable.create()
                        .sortedBy(PoolmonSort.ALLOCS)
                        .sortedByChange(true)
                        .render(NOW, EARLIER));
    }

    @Test
    @DisplayName("/( needs an earlier snapshot")
    void sortByChangeNeedsEarlierSnapshot() {
        PoolmonTable table = PoolmonTable.create().sortedBy(PoolmonSort.BYTES).sortedByChange(true);

        assertThrows(IllegalStateException.class, () -> table.render(NOW));
    }

    @Test
    @DisplayName("/e: a totals row sums the rows shown; Per Alloc is total bytes over total diff")
    void totals() {
        assertEquals("""
                 Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                 Filt Nonp         10 (   8)         6 (   5)        4    1600 (  1500)    400
                 Mdl  Nonp         30 (   1)         1 (   1)       29     290 (     0)     10
                 Wfpn Nonp         20 (   5)        18 (   4)        2    1000 (     0)    500

                 Total             60 (  14)        25 (  10)       35    2890 (  1500)     82
                """, PoolmonTable.create().withTotals(true).render(NOW, EARLIER));
        assertEquals(
                SNAPSHOT_HEADER + """
                         Filt Nonp         10         6        4    1600       400
                         Wfpn Nonp         20        18        2    1000       500

                         Total             30        24        6    2600       433
                        """,
                PoolmonTable.create().withTotals(true).excluding("Mdl").render(NOW));
    }

    private static final PoolUsageSnapshot NDIS_TAGS = snapshot(
            usage("NDnl", 7, 3, 1536),
            usage("NDnb", 5, 5, 0),
            usage("NDrt", 2, 1, 256),
            usage("Mdl", 30, 1, 290),
            usage("Filt", 10, 6, 1600));

    @Test
    @DisplayName("/iND*: * matches the rest of the tag")
    void includeWithStar() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         NDnb Nonp          5         5        0       0         0
                         NDnl Nonp          7         3        4    1536       384
                         NDrt Nonp          2         1        1     256       256
                        """, PoolmonTable.create().including("ND*").render(NDIS_TAGS));
    }

    @Test
    @DisplayName("/iND?b: ? matches one character")
    void includeWithQuestionMark() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         NDnb Nonp          5         5        0       0         0
                        """, PoolmonTable.create().including("ND?b").render(NDIS_TAGS));
    }

    @Test
    @DisplayName("/xNDr? excludes from what /iND* includes; a short pattern matches a space-padded tag")
    void includeExclude() {
        assertEquals(
                SNAPSHOT_HEADER + """
                         NDnb Nonp          5         5        0       0         0
                         NDnl Nonp          7         3        4    1536       384
                        """,
                PoolmonTable.create().including("ND*").excluding("NDr?").render(NDIS_TAGS));
        assertEquals(
                SNAPSHOT_HEADER + """
                         Filt Nonp         10         6        4    1600       400
                         Mdl  Nonp         30         1       29     290        10
                        """,
                PoolmonTable.create().including("Mdl").including("F*t").render(NDIS_TAGS));
    }

    @Test
    @DisplayName("a tag pattern may not start with *, and has at most four characters besides *")
    void invalidPatterns() {
        assertThrows(IllegalArgumentException.class, () -> PoolmonTable.create().including("*nl"));
        assertThrows(IllegalArgumentException.class, () -> PoolmonTable.create().excluding("*"));
        assertThrows(IllegalArgumentException.class, () -> PoolmonTable.create().including(""));
        assertThrows(IllegalArgumentException.class, () -> PoolmonTable.create().including("NDnbx"));
        assertEquals(
                SNAPSHOT_HEADER,
                PoolmonTable.create().including("ND*b*").excluding("NDn?").render(NDIS_TAGS));
    }

    @Test
    @DisplayName("numbers wider than poolmon's columns widen the column for every row, header included")
    void wideNumbers() {
        PoolUsageSnapshot earlier = snapshot(usage("Big", 12345555555L, 12344999999L, 9876543210L));
        PoolUsageSnapshot now = snapshot(usage("Big", 12345678901L, 12345000000L, 9876543210L));

        assertEquals("""
                 Tag  Type       Allocs                Frees            Diff      Bytes       Per Alloc

                 Big  Nonp  12345678901 (123346) 12345000000 (   1)   678901 9876543210 (     0)  14547
                """, PoolmonTable.create().render(now, earlier));
    }

    @Test
    @DisplayName("an Ndis instance's own accounting renders: NBLs allocated and freed under the pool's tag")
    void fromNdis() {
        try (Ndis ndis = verification.create(VerifierSettings.full())) {
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("Dgt1"), 0));
            PoolUsageSnapshot before = ndis.poolUsage();
            NetBufferList first = pool.allocateNetBufferList(0, 0);
            NetBufferList second = pool.allocateNetBufferList(0, 0);
            NetBufferList third = pool.allocateNetBufferList(0, 0);
            first.free();

            assertEquals("""
                     Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc

                     Dgt1 Nonp          3 (   3)         1 (   1)        2     768 (   768)    384
                    """, PoolmonTable.create().including("Dgt?").render(ndis.poolUsage(), before));
            second.free();
            third.free();
            pool.close();
        }
    }

    private static PoolUsage usage(String tag, long allocs, long frees, long bytes) {
        return new PoolUsage(PoolTag.of(tag), allocs, frees, bytes);
    }

    private static PoolUsageSnapshot snapshot(PoolUsage... usages) {
        return new PoolUsageSnapshot(Instant.EPOCH, List.of(usages));
    }
}
