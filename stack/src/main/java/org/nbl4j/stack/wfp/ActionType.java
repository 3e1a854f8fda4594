package org.nbl4j.stack.wfp;

/** {@code FWP_ACTION_TYPE} with its values (§4.5): what a filter does, and what a callout returns. */
public enum ActionType {
    BLOCK(0x1001),
    PERMIT(0x1002),
    /** Filter action only: the callout always returns PERMIT or BLOCK. */
    CALLOUT_TERMINATING(0x5003),
    /** Filter action only: the callout only looks; its result counts as CONTINUE. */
    CALLOUT_INSPECTION(0x6004),
    /** Filter action only: the callout may return PERMIT, BLOCK or CONTINUE. */
    CALLOUT_UNKNOWN(0x4005),
    CONTINUE(0x2006),
    NONE(0x0007),
    NONE_NO_MATCH(0x0008);

    /** {@code FWP_ACTION_FLAG_CALLOUT}. */
    public static final int FWP_ACTION_FLAG_CALLOUT = 0x4000;

    private final int value;

    ActionType(int value) {
        this.value = value;
    }

    /**
     * The constants, read once: {@code values()} copies its array on every call, and {@link #of} runs for every
     * {@code classifyOut->actionType} a ported callout sets (48 B per packet before).
     */
    private static final ActionType[] ALL = values();

    /** The {@code FWP_ACTION_*} value. */
    public int value() {
        return value;
    }

    /**
     * The action with the {@code FWP_ACTION_*} value {@code value}.
     *
     * @throws IllegalArgumentException for a value that is no action type
     */
    public static ActionType of(int value) {
        for (ActionType type : ALL) {
            if (type.value == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("no FWP_ACTION_TYPE has the value 0x" + Integer.toHexString(value));
    }

    /** Whether a filter with this action calls a callout. */
    public boolean isCallout() {
        return (value & FWP_ACTION_FLAG_CALLOUT) != 0;
    }

    /** Whether the action decides (PERMIT or BLOCK) rather than passing on to the next filter. */
    public boolean isDecision() {
        return this == PERMIT || this == BLOCK;
    }
}
