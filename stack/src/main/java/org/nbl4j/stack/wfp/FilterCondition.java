package org.nbl4j.stack.wfp;

import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * One test of a filter: {@code FWPS_FILTER_CONDITION0} (§4.6). Conditions on different fields must all hold; several
 * conditions on the same field are alternatives (§4.6, our reading).
 *
 * @param field the field tested
 * @param matchType how it is compared
 * @param value what it is compared with
 */
public record FilterCondition(LayerField field, MatchType matchType, ConditionValue value) {

    /** A condition comparing an integer field with {@code value}. */
    public static FilterCondition of(LayerField field, MatchType matchType, long value) {
        return new FilterCondition(field, matchType, new ConditionValue.Unsigned(value));
    }

    /** {@link MatchType#RANGE}: {@code low ≤ field ≤ high}. */
    public static FilterCondition range(LayerField field, long low, long high) {
        return new FilterCondition(field, MatchType.RANGE, new ConditionValue.Range(low, high));
    }

    /**
     * Whether the condition is well formed for a layer of {@code family}.
     *
     * @return STATUS_SUCCESS, STATUS_FWP_MATCH_TYPE_MISMATCH or STATUS_FWP_TYPE_MISMATCH
     */
    int validate(AddressFamily family) {
        FwpDataType type = field.type(family);
        return switch (value) {
            case ConditionValue.Unsigned unsigned -> {
                if (!type.isInteger()) {
                    yield NtStatus.STATUS_FWP_TYPE_MISMATCH;
                }
                yield matchType == MatchType.RANGE
                                || matchType == MatchType.PREFIX
                                || matchType == MatchType.NOT_PREFIX
                                || matchType == MatchType.EQUAL_CASE_INSENSITIVE
                        ? NtStatus.STATUS_FWP_MATCH_TYPE_MISMATCH
                        : NtStatus.STATUS_SUCCESS;
            }
            case ConditionValue.Range range -> {
                if (!type.isInteger()) {
                    yield NtStatus.STATUS_FWP_TYPE_MISMATCH;
                }
                yield matchType == MatchType.RANGE ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_FWP_MATCH_TYPE_MISMATCH;
            }
            case ConditionValue.V4AddressAndMask mask ->
                family != AddressFamily.INET || type != FwpDataType.UINT32
                        ? NtStatus.STATUS_FWP_TYPE_MISMATCH
                        : equalityOnly();
            case ConditionValue.Bytes16 bytes ->
                type != FwpDataType.BYTE_ARRAY16 ? NtStatus.STATUS_FWP_TYPE_MISMATCH : equalityOnly();
            case ConditionValue.V6AddressAndPrefix prefix ->
                type != FwpDataType.BYTE_ARRAY16 ? NtStatus.STATUS_FWP_TYPE_MISMATCH : equalityOnly();
        };
    }

    private int equalityOnly() {
        return matchType == MatchType.EQUAL || matchType == MatchType.NOT_EQUAL
                ? NtStatus.STATUS_SUCCESS
                : NtStatus.STATUS_FWP_MATCH_TYPE_MISMATCH;
    }

    /** Whether the incoming value satisfies the condition. A field with an empty value matches nothing. */
    boolean matches(FwpValue incoming) {
        if (incoming.type() == FwpDataType.EMPTY) {
            return false;
        }
        return switch (value) {
            case ConditionValue.Unsigned unsigned -> compare(incoming.integer(), unsigned.value());
            case ConditionValue.Range range ->
                Long.compareUnsigned(incoming.integer(), range.low()) >= 0
                        && Long.compareUnsigned(incoming.integer(), range.high()) <= 0;
            case ConditionValue.V4AddressAndMask mask ->
                ((int) incoming.integer() & mask.mask())
                        == (mask.address() & mask.mask())
                        == (matchType == MatchType.EQUAL);
            case ConditionValue.Bytes16 bytes ->
                prefixEquals(incoming.bytes(), bytes.bytes(), 128) == (matchType == MatchType.EQUAL);
            case ConditionValue.V6AddressAndPrefix prefix ->
                prefixEquals(incoming.bytes(), prefix.address(), prefix.prefixLength())
                        == (matchType == MatchType.EQUAL);
        };
    }

    private boolean compare(long field, long operand) {
        int order = Long.compareUnsigned(field, operand);
        return switch (matchType) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case GREATER -> order > 0;
            case LESS -> order < 0;
            case GREATER_OR_EQUAL -> order >= 0;
            case LESS_OR_EQUAL -> order <= 0;
            case FLAGS_ALL_SET -> (field & operand) == operand;
            case FLAGS_ANY_SET -> (field & operand) != 0;
            case FLAGS_NONE_SET -> (field & operand) == 0;
            case RANGE, EQUAL_CASE_INSENSITIVE, PREFIX, NOT_PREFIX -> false;
        };
    }

    private static boolean prefixEquals(byte[] address, byte[] prefix, int bits) {
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (address[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[whole] & mask) == (prefix[whole] & mask);
    }
}
