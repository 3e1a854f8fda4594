package org.nbl4j.stack.wfp;

import java.util.List;
import org.nbl4j.core.status.NtStatus;

/**
 * The weight a management client asks for when it adds a filter: {@code FWPM_FILTER0.weight}, an {@code FWP_VALUE0}
 * that is empty, a {@code FWP_UINT8} weight range or a {@code FWP_UINT64} weight. The base filtering engine turns it
 * into the filter's UINT64 weight ({@link #resolve}) as Microsoft's "Filter Weight Assignment" page documents
 * (https://learn.microsoft.com/windows/win32/fwp/filter-weight-assignment): a UINT64 is used as is; an empty weight is
 * generated in [0, 2^60); a UINT8 in [0, 15] sets the 4 high-order bits and the low 60 are generated as for an empty
 * one. The page does not say how the 60 bits are generated: nbl4j makes them grow with the number of conditions, so
 * that a more specific filter weighs more ({@link #automatic}). {@link FilterSpec#weight()} is always used verbatim.
 */
public sealed interface FilterWeight {
    /** {@code FWPM_AUTO_WEIGHT_BITS}: the bits the engine generates. */
    int FWPM_AUTO_WEIGHT_BITS = 60;
    /** {@code FWPM_WEIGHT_RANGE_MAX}: the highest weight range. */
    int FWPM_WEIGHT_RANGE_MAX = 15;

    /** {@code FWP_EMPTY}: the engine generates the weight. */
    record Automatic() implements FilterWeight {}

    /** {@code FWP_UINT8}: the weight range (the 4 high-order bits); the engine generates the rest. */
    record InRange(int range) implements FilterWeight {}

    /** {@code FWP_UINT64}: the weight, used as is. */
    record Exact(long weight) implements FilterWeight {}

    /**
     * The filter's weight.
     *
     * @throws FwpStatusException STATUS_FWP_INVALID_WEIGHT for a range above {@link #FWPM_WEIGHT_RANGE_MAX}
     */
    default long resolve(List<FilterCondition> conditions) {
        return switch (this) {
            case Automatic _ -> automatic(conditions);
            case InRange(int range) -> {
                if (range < 0 || range > FWPM_WEIGHT_RANGE_MAX) {
                    throw new FwpStatusException(NtStatus.STATUS_FWP_INVALID_WEIGHT, "weight range " + range);
                }
                yield ((long) range << FWPM_AUTO_WEIGHT_BITS) | automatic(conditions);
            }
            case Exact(long weight) -> weight;
        };
    }

    /**
     * nbl4j's generated weight, below 2^60: the number of conditions (at most 0xFFF) in bits 48 to 59. Filters with as
     * many conditions weigh the same and are evaluated in the order they were added.
     */
    static long automatic(List<FilterCondition> conditions) {
        return (long) Math.min(conditions.size(), 0xFFF) << 48;
    }
}
