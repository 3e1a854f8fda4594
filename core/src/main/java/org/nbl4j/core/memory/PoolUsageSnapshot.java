package org.nbl4j.core.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every tag's {@link PoolUsage} at one moment, sorted by tag: the data behind one poolmon screen.
 *
 * @param taken when the totals were read
 * @param usages one entry per tag ever used, in poolmon's default (tag) order
 */
public record PoolUsageSnapshot(Instant taken, List<PoolUsage> usages) {

    public PoolUsageSnapshot {
        usages = List.copyOf(usages);
    }

    /** The totals of one tag, if it was ever used. */
    public Optional<PoolUsage> usage(PoolTag tag) {
        return usages.stream().filter(u -> u.tag().equals(tag)).findFirst();
    }

    /** Outstanding allocations of one tag (0 if it was never used). */
    public long diff(PoolTag tag) {
        return usage(tag).map(PoolUsage::diff).orElse(0L);
    }

    /** Tags that still have outstanding allocations or bytes: what a leak report starts from. */
    public List<PoolUsage> outstanding() {
        return usages.stream().filter(u -> u.diff() != 0 || u.bytes() != 0).toList();
    }

    /** The change since an earlier snapshot, tag by tag (tags new since then count from zero). */
    public PoolUsageSnapshot minus(PoolUsageSnapshot earlier) {
        List<PoolUsage> changes = new ArrayList<>(usages.size());
        for (PoolUsage now : usages) {
            PoolUsage before = earlier.usage(now.tag()).orElse(new PoolUsage(now.tag(), 0, 0, 0));
            changes.add(now.minus(before));
        }
        return new PoolUsageSnapshot(taken, changes);
    }
}
