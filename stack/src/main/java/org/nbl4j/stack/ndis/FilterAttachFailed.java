package org.nbl4j.stack.ndis;

import org.nbl4j.core.status.NtStatus;

/**
 * Thrown by {@link LwfDriver#attach} when {@code FilterAttach} fails: NDIS does not attach the module to that adapter.
 * A driver registered with {@link FilterDrivers} is then left off that one adapter and stays on the others.
 */
public final class FilterAttachFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@code NDIS_STATUS} FilterAttach returned. */
    private final int status;

    /** {@code module}'s attach failed with {@code status}, for the reason {@code why}. */
    public FilterAttachFailed(String module, int status, String why) {
        super("FilterAttach of " + module + " failed with " + NtStatus.describe(status) + ": " + why);
        this.status = status;
    }

    /** The status FilterAttach failed with. */
    public int status() {
        return status;
    }
}
