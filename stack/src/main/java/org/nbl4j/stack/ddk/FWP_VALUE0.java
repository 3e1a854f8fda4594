package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FWP_VALUE0}: a {@code type} and the union member it selects, here a field per member. In C {@code uint64} and
 * {@code byteArray16} are pointers; here they hold the value.
 */
public final class FWP_VALUE0 {
    /** {@code type}: {@code FWP_EMPTY}, {@code FWP_UINT8} ... */
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
}
