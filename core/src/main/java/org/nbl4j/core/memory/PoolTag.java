package org.nbl4j.core.memory;

import java.nio.charset.StandardCharsets;

/**
 * A pool tag: four ASCII characters that name who allocated a piece of memory.
 *
 * <p>Corresponds to the {@code ULONG Tag} of {@code ExAllocatePoolWithTag} and {@code NdisAllocateMemoryWithTagPriority}.
 * C source writes the tag as a reversed multi-character literal ({@code 'tliF'}); stored as a little-endian ULONG it
 * reads forward in memory, which is how poolmon prints it ({@code Filt}). {@link #value()} is that ULONG;
 * {@link #toString()} is the poolmon spelling.
 *
 * @param value the tag as the ULONG a driver passes (first displayed character in the low byte)
 */
public record PoolTag(int value) implements Comparable<PoolTag> {

    /**
     * The tag from its poolmon spelling; shorter names are padded with spaces, as poolmon shows {@code "Io  "}.
     *
     * @throws IllegalArgumentException if the name is empty, longer than four characters or not printable ASCII
     */
    public static PoolTag of(String display) {
        if (display.isEmpty() || display.length() > 4) {
            throw new IllegalArgumentException("a pool tag has one to four characters: '" + display + "'");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            char c = i < display.length() ? display.charAt(i) : ' ';
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("a pool tag is printable ASCII: '" + display + "'");
            }
            value |= c << (8 * i);
        }
        return new PoolTag(value);
    }

    /** The tag from the reversed C literal a driver writes, e.g. {@code fromLiteral("tliF")} is {@code Filt}. */
    public static PoolTag fromLiteral(String cLiteral) {
        return of(new StringBuilder(cLiteral).reverse().toString());
    }

    /** The poolmon spelling: the four bytes of the ULONG in memory order. */
    @Override
    public String toString() {
        byte[] bytes = {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7E) {
                bytes[i] = '?';
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Orders tags by their poolmon spelling, which is poolmon's default sort. */
    @Override
    public int compareTo(PoolTag other) {
        return toString().compareTo(other.toString());
    }
}
