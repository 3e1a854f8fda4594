package org.nbl4j.stack.ddk;

/** {@code FWP_RANGE0}: both ends of an {@code FWP_MATCH_RANGE} condition, included. */
public final class FWP_RANGE0 {
    /** {@code valueLow}. */
    public final FWP_VALUE0 valueLow = new FWP_VALUE0();
    /** {@code valueHigh}. */
    public final FWP_VALUE0 valueHigh = new FWP_VALUE0();
}
