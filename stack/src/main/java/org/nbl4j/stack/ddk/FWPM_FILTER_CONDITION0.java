package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code FWPM_FILTER_CONDITION0}: one test of a filter, naming its field by {@code FWPM_CONDITION_*} GUID. */
public final class FWPM_FILTER_CONDITION0 {
    /** {@code fieldKey}: an {@code FWPM_CONDITION_*} GUID of a field of the filter's layer. */
    public @Nullable UUID fieldKey;
    /** {@code matchType}: {@code FWP_MATCH_*}. */
    public int matchType;
    /** {@code conditionValue}. */
    public final FWP_CONDITION_VALUE0 conditionValue = new FWP_CONDITION_VALUE0();
}
