package org.nbl4j.stack.wfp;

/** {@code FWPS_PACKET_INJECTION_STATE}, in declaration order (§3.9). */
public enum InjectionState {
    /** Originated in the stack, or never injected. */
    NOT_INJECTED,
    /** Injected through the handle asked about. */
    INJECTED_BY_SELF,
    /** Injected through another handle. */
    INJECTED_BY_OTHER,
    /** Injected through the handle asked about, then cloned and injected again through another. */
    PREVIOUSLY_INJECTED_BY_SELF;

    /** The enumerator's value. */
    public int value() {
        return ordinal();
    }

    /** Whether the callout asking must let the packet pass unmodified (SELF or PREVIOUSLY_SELF, §3.9). */
    public boolean isOwn() {
        return this == INJECTED_BY_SELF || this == PREVIOUSLY_INJECTED_BY_SELF;
    }
}
