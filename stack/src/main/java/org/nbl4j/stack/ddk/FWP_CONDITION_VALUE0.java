package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FWP_CONDITION_VALUE0}: {@code FWP_VALUE0}'s members and three more, a field per union member. In C the wide
 * members are pointers; here they hold the value.
 */
public final class FWP_CONDITION_VALUE0 {
    /** {@code type}: an {@code FWP_DATA_TYPE}, also {@code FWP_V4_ADDR_MASK}, {@code FWP_V6_ADDR_MASK}, {@code FWP_RANGE_TYPE}. */
    public int type;
    /** {@code uint8}. */
    public int uint8;
    /** {@code uint16}. */
    public int uint16;
    /** {@code uint32}. */
    public int uint32;
    /** {@code *uint64}. */
    public long uint64;
    /** {@code byteArray16->byteArray16}: 16 bytes. */
    public byte @Nullable [] byteArray16;
    /** {@code *v4AddrMask}. */
    public @Nullable FWP_V4_ADDR_AND_MASK v4AddrMask;
    /** {@code *v6AddrMask}. */
    public @Nullable FWP_V6_ADDR_AND_MASK v6AddrMask;
    /** {@code *rangeValue}. */
    public @Nullable FWP_RANGE0 rangeValue;
}
