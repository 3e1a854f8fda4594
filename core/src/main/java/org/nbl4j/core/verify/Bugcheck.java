package org.nbl4j.core.verify;

/**
 * The bugcheck Windows would raise for a violation: code, name and the four parameters, as {@code !analyze} shows
 * them.
 *
 * @param code the bugcheck code, e.g. 0x7C
 * @param name its symbolic name, e.g. {@code BUGCODE_NDIS_DRIVER}
 * @param parameter1 the first parameter (for 0x7C and 0xC4, the sub-code or rule id)
 * @param parameter2 the second parameter
 */
public record Bugcheck(int code, String name, long parameter1, long parameter2) {
    /** {@code BUGCODE_NDIS_DRIVER}. */
    public static final int BUGCODE_NDIS_DRIVER = 0x7C;
    /** {@code BAD_POOL_CALLER}. */
    public static final int BAD_POOL_CALLER = 0xC2;
    /** {@code DRIVER_VERIFIER_DETECTED_VIOLATION}. */
    public static final int DRIVER_VERIFIER_DETECTED_VIOLATION = 0xC4;
    /** {@code NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED}. */
    public static final int NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED = 0x146;
    /** {@code KMODE_EXCEPTION_NOT_HANDLED}: kernel-mode code raised an exception nothing handled. */
    public static final int KMODE_EXCEPTION_NOT_HANDLED = 0x1E;
    /** {@code MULTIPLE_IRP_COMPLETE_REQUESTS}: an IRP completed twice. */
    public static final int MULTIPLE_IRP_COMPLETE_REQUESTS = 0x44;
    /** {@code DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS}. */
    public static final int DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS = 0xCE;
    /** 0x7C parameter 1: {@code NDIS_BUGCHECK_LEAKED_NBL}. */
    public static final long NDIS_BUGCHECK_LEAKED_NBL = 0x27;
    /** 0xC4 parameter 1: a driver unloads without freeing its pool allocations. */
    public static final long DRIVER_UNLOADED_WITH_POOL_ALLOCATIONS = 0x62;
    /** 0xC4 parameter 1: the NDIS/WIFI verification rule {@code NdisFilterTimedPauseComplete}. */
    public static final long NDIS_FILTER_TIMED_PAUSE_COMPLETE = 0x00092010;
    /** 0xC2 parameter 1: the pool block being freed is already free. */
    public static final long BAD_POOL_CALLER_DOUBLE_FREE = 0x7;

    /**
     * This bugcheck with another second parameter: a rule keeps its bugcheck with parameter 2 at 0, and each violation
     * fills in its own.
     */
    public Bugcheck withParameter2(long parameter2) {
        return new Bugcheck(code, name, parameter1, parameter2);
    }

    /** Reads like the first line of {@code !analyze}: {@code BUGCODE_NDIS_DRIVER (7c) 27, 1}. */
    @Override
    public String toString() {
        return name + " (" + Integer.toHexString(code) + ") " + Long.toHexString(parameter1) + ", "
                + Long.toHexString(parameter2);
    }
}
