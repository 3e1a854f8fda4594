package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code FWPM_ACTION0}: a filter's action type and, for the callout actions, the callout's key. */
public final class FWPM_ACTION0 {
    /** {@code type}: {@code FWP_ACTION_*}. */
    public int type;
    /** {@code calloutKey} (the union's member for callout actions; {@code filterType} is not used by nbl4j). */
    public @Nullable UUID calloutKey;
}
