package org.nbl4j.core.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-thread counter cells summed on read: exact under real concurrent writers, and monotonic while they write. */
class StripedCountersTest {
    private static final int PACKETS = 2_000_000;
    private static final int COUNTED = 0;
    private static final int BYTES = 1;
    private static final int OUTSTANDING = 2;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void twoThreadsHammeringTheSameCountersGiveExactTotalsAfterJoin() throws Exception {
        StripedCounters counters = new StripedCounters(3);
        TwoThreads.run(thread -> {
            StripedCounters.Cell cell = counters.cell();
            for (int i = 0; i < PACKETS; i++) {
                counters.increment(COUNTED);
                cell.add(BYTES, 64 + thread);
            }
        });

        // A shared cell written by both threads without an atomic would lose some of these four million updates.
        assertEquals(2L * PACKETS, counters.sum(COUNTED));
        assertEquals((long) PACKETS * 64 + (long) PACKETS * 65, counters.sum(BYTES));
        assertEquals(0, counters.sum(OUTSTANDING));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aCounterRaisedOnOneThreadAndLoweredOnAnotherSumsToTheDifference() throws Exception {
        StripedCounters counters = new StripedCounters(3);
        // Thread 0 sends, thread 1 completes fewer: the two cells hold opposite counts.
        TwoThreads.run(thread -> {
            for (int i = 0; i < PACKETS; i++) {
                if (thread == 0) {
                    counters.add(OUTSTANDING, 2);
                } else {
                    counters.add(OUTSTANDING, -1);
                }
            }
        });

        assertEquals((long) PACKETS, counters.sum(OUTSTANDING));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aReadWhileTwoThreadsCountNeverGoesBackNorPastTheFinalTotal() throws Exception {
        StripedCounters counters = new StripedCounters(1);
        List<Long> reads = new ArrayList<>();
        TwoThreads.run(thread -> {
            if (thread == 0) {
                for (int i = 0; i < PACKETS; i++) {
                    counters.increment(COUNTED);
                }
            } else {
                // The reader counts too, so that two cells take part.
                for (int i = 0; i < PACKETS; i++) {
                    counters.increment(COUNTED);
                    if ((i & 0x3FFF) == 0) {
                        reads.add(counters.sum(COUNTED));
                    }
                }
            }
        });

        long total = counters.sum(COUNTED);
        assertEquals(2L * PACKETS, total);
        for (int i = 1; i < reads.size(); i++) {
            long previous = reads.get(i - 1);
            long read = reads.get(i);
            assertTrue(previous <= read && read <= total, "read " + i + ": " + previous + " then " + read);
        }
    }

    @Test
    void eachThreadCountsIntoItsOwnCell() throws Exception {
        StripedCounters counters = new StripedCounters(1);
        StripedCounters.Cell mine = counters.cell();
        AtomicReference<StripedCounters.Cell> theirs = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> theirs.set(counters.cell()));
        other.join();

        assertSame(mine, counters.cell());
        assertNotSame(mine, theirs.get());
    }

    @Test
    void aCounterOutsideTheWidthIsRefusedRatherThanWrittenIntoThePadding() {
        StripedCounters counters = new StripedCounters(2);

        assertThrows(IndexOutOfBoundsException.class, () -> counters.increment(2));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.add(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.sum(2));
        assertThrows(IllegalArgumentException.class, () -> new StripedCounters(0));
    }

    @Test
    void aRegisteredCellOfAnotherWidthIsRefused() {
        StripedCounters counters = new StripedCounters(3);

        assertThrows(IllegalArgumentException.class, () -> counters.register(new StripedCounters.Cell(2)));
    }
}
