package org.nbl4j.stack.wfp;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A callout's notify function: {@code notifyFn2} (§4.8). It may store a context in the filter on ADD. */
@FunctionalInterface
public interface NotifyFn {
    /**
     * @param filterKey the filter's GUID; {@code null} for DELETE_FILTER
     * @return STATUS_SUCCESS, or a failure that refuses an ADD_FILTER
     */
    int notify(CalloutNotifyType notifyType, @Nullable UUID filterKey, Filter filter);
}
