package org.nbl4j.io.capture;

import org.jspecify.annotations.Nullable;

/**
 * One interface of a capture: a pcapng Interface Description Block, or the single interface that a pcap file header
 * describes.
 *
 * @param id the interface's number in the whole file: its pcapng interface id plus the number of interfaces of the
 *     sections before its own, so that ids stay unique across sections
 * @param linkType the {@code LINKTYPE_*} value of its frames
 * @param snapLength the longest frame the capture kept (0: no limit)
 * @param name the {@code if_name} option, or an empty string
 * @param timestampResolution the {@code if_tsresol} option: bit 7 clear, a unit of 10^-n seconds; bit 7 set, 2^-n
 *     seconds (6, microseconds, when absent)
 * @param timestampOffsetSeconds the {@code if_tsoffset} option: seconds added to every timestamp
 */
public record CaptureInterface(
        int id, int linkType, int snapLength, String name, byte timestampResolution, long timestampOffsetSeconds) {

    /** {@code if_tsresol} for microseconds, the default. */
    public static final byte MICROSECONDS = 6;
    /** {@code if_tsresol} for nanoseconds. */
    public static final byte NANOSECONDS = 9;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The decoded link type, or null when nbl4j cannot take IP packets out of this interface's frames. */
    public @Nullable LinkType decodedLinkType() {
        return LinkType.of(linkType);
    }

    /** Converts a timestamp in this interface's units (an unsigned 64-bit count) to nanoseconds since the epoch. */
    long toNanos(long units) {
        int exponent = timestampResolution & 0x7F;
        long nanos;
        if ((timestampResolution & 0x80) == 0) {
            nanos = exponent <= 9
                    ? units * POWERS_OF_TEN[9 - exponent]
                    : Long.divideUnsigned(units, POWERS_OF_TEN[Math.min(exponent - 9, 18)]);
        } else {
            // Units of 2^-n s: keep at most 32 fraction bits (a quarter nanosecond) so the product cannot overflow.
            long scaled = exponent > 32 ? units >>> (exponent - 32) : units;
            int fractionBits = Math.min(exponent, 32);
            long fraction = scaled & ((1L << fractionBits) - 1);
            nanos = (scaled >>> fractionBits) * NANOS_PER_SECOND + ((fraction * NANOS_PER_SECOND) >>> fractionBits);
        }
        return nanos + timestampOffsetSeconds * NANOS_PER_SECOND;
    }

    private static final long[] POWERS_OF_TEN = {
        1L,
        10L,
        100L,
        1_000L,
        10_000L,
        100_000L,
        1_000_000L,
        10_000_000L,
        100_000_000L,
        1_000_000_000L,
        10_000_000_000L,
        100_000_000_000L,
        1_000_000_000_000L,
        10_000_000_000_000L,
        100_000_000_000_000L,
        1_000_000_000_000_000L,
        10_000_000_000_000_000L,
        100_000_000_000_000_000L,
        1_000_000_000_000_000_000L
    };
}
