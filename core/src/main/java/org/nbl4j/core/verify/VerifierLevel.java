package org.nbl4j.core.verify;

/**
 * How much the verifier checks, chosen per {@link org.nbl4j.core.buffer.Ndis}: the counterpart of the NBL tracker's
 * {@code TrackNblOwner} levels and Driver Verifier's NDIS rules.
 */
public enum VerifierLevel {
    /** Only the checks that cost a flag test (double free, wrong free function, bad lengths); no tracking. */
    OFF,
    /**
     * Owner states and IRQL rules on every NBL; allocation sites, touch trails and first-free sites on a sample of
     * them ({@code TrackNblOwner} 1-2).
     */
    STANDARD,
    /** Everything on every NBL, with a per-NBL event log ({@code TrackNblOwner} 3-4). */
    FULL
}
