package org.nbl4j.stack.wfp;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Remembers every NB's DataOffset and DataLength before a classify function runs, so that the engine can check that
 * the callout restored them (§0.1, §8.3 step 4). One per thread; its arrays grow only for a larger NBL than any seen.
 */
final class OffsetGuard {
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];
    private int count;

    void snapshot(@Nullable NetBufferList chain) {
        count = 0;
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, count * 2);
                    lengths = Arrays.copyOf(lengths, count * 2);
                }
                offsets[count] = nb.dataOffset();
                lengths[count] = nb.dataLength();
                count++;
            }
        }
    }

    /** The first NB (in chain order) whose offsets differ from the snapshot, described; {@code null} if none. */
    @Nullable
    String firstChange(@Nullable NetBufferList chain) {
        int i = 0;
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
                if (i == count) {
                    return "an NB was added";
                }
                if (nb.dataOffset() != offsets[i] || nb.dataLength() != lengths[i]) {
                    return "NB " + i + " of " + WfpInfoContainers.name(nbl) + ": DataOffset " + offsets[i] + " -> "
                            + nb.dataOffset() + ", DataLength " + lengths[i] + " -> " + nb.dataLength();
                }
                i++;
            }
        }
        return i == count ? null : "an NB was removed";
    }
}
