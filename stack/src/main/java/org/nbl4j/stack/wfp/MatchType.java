package org.nbl4j.stack.wfp;

/** {@code FWP_MATCH_TYPE} with its values (§4.6): how a condition compares a field with its value. */
public enum MatchType {
    EQUAL,
    GREATER,
    LESS,
    GREATER_OR_EQUAL,
    LESS_OR_EQUAL,
    /** The value is a {@link ConditionValue.Range}: low ≤ field ≤ high. */
    RANGE,
    /** Every bit of the value is set in the field. */
    FLAGS_ALL_SET,
    /** At least one bit of the value is set in the field. */
    FLAGS_ANY_SET,
    /** No bit of the value is set in the field. */
    FLAGS_NONE_SET,
    EQUAL_CASE_INSENSITIVE,
    NOT_EQUAL,
    PREFIX,
    NOT_PREFIX;

    /** The {@code FWP_MATCH_*} value. */
    public int value() {
        return ordinal();
    }
}
