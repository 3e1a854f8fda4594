package org.nbl4j.stack.wfp;

/**
 * A callout's result: {@code FWPS_CLASSIFY_OUT0} (§4.5). The engine hands each callout one whose action is the current
 * decision and whose rights say whether it may change it; the callout writes its action, clears
 * {@link #FWPS_RIGHT_ACTION_WRITE} when the decision must be final (BLOCK, a PERMIT under
 * {@code FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT}, a reference with intent to modify) and sets
 * {@link #FWPS_CLASSIFY_OUT_FLAG_ABSORB} to drop silently. One instance per thread is reused.
 */
public final class ClassifyOut {
    /** May write {@code actionType}; without it a callout may only veto (BLOCK over a PERMIT). */
    public static final int FWPS_RIGHT_ACTION_WRITE = 0x00000001;
    /** With BLOCK: drop silently, no discard-layer indication; the callout took what it referenced or cloned. */
    public static final int FWPS_CLASSIFY_OUT_FLAG_ABSORB = 0x00000001;

    private ActionType actionType = ActionType.CONTINUE;
    private long filterId;
    private int rights;
    private int flags;

    /** {@code actionType}. */
    public ActionType actionType() {
        return actionType;
    }

    /** Sets {@code actionType}. */
    public void setActionType(ActionType actionType) {
        this.actionType = actionType;
    }

    /**
     * Sets {@code actionType} from its UINT32 value, as C assigns it: {@code classifyOut->actionType =
     * FWP_ACTION_BLOCK;}.
     *
     * @throws IllegalArgumentException for a value that is no {@code FWP_ACTION_*}
     */
    public void setActionType(int actionType) {
        this.actionType = ActionType.of(actionType);
    }

    /** {@code filterId}: set by the engine to the filter whose callout is called. */
    public long filterId() {
        return filterId;
    }

    /** {@code rights}. */
    public int rights() {
        return rights;
    }

    /** Sets {@code rights}. */
    public void setRights(int rights) {
        this.rights = rights;
    }

    /** {@code rights & FWPS_RIGHT_ACTION_WRITE}. */
    public boolean hasWriteRight() {
        return (rights & FWPS_RIGHT_ACTION_WRITE) != 0;
    }

    /** {@code rights &= ~FWPS_RIGHT_ACTION_WRITE}. */
    public void clearWriteRight() {
        rights &= ~FWPS_RIGHT_ACTION_WRITE;
    }

    /** {@code flags}. */
    public int flags() {
        return flags;
    }

    /** Sets {@code flags}. */
    public void setFlags(int flags) {
        this.flags = flags;
    }

    /** {@code flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB}. */
    public void absorb() {
        flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
    }

    void reset(ActionType current, boolean writeRight, long filter) {
        actionType = current;
        rights = writeRight ? FWPS_RIGHT_ACTION_WRITE : 0;
        flags = 0;
        filterId = filter;
    }
}
