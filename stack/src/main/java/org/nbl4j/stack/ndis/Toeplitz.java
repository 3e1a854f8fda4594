package org.nbl4j.stack.ndis;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Toeplitz hash that RSS uses ({@code NdisHashFunctionToeplitz}): bit {@code i} of the input, counted from the most
 * significant bit of its first byte, when set, XORs the 32 key bits starting at key bit {@code i} into the result.
 *
 * <p>The hash is linear in its input, so this class precomputes, for every input byte position and byte value, what
 * that byte contributes: hashing is then one table load and XOR per byte, without allocation. A tuple whose fields are
 * not adjacent in a packet is hashed part by part with {@link #hash(MemorySegment, long, int, int)} and the parts
 * XORed.
 */
public final class Toeplitz {
    /** The 40-byte key of Microsoft's RSS verification suite, the usual default. */
    private static final byte[] MICROSOFT_KEY = {
        (byte) 0x6d, (byte) 0x5a, (byte) 0x56, (byte) 0xda, (byte) 0x25, (byte) 0x5b, (byte) 0x0e, (byte) 0xc2,
        (byte) 0x41, (byte) 0x67, (byte) 0x25, (byte) 0x3d, (byte) 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
        (byte) 0xd0, (byte) 0xca, (byte) 0x2b, (byte) 0xcb, (byte) 0xae, (byte) 0x7b, (byte) 0x30, (byte) 0xb4,
        (byte) 0x77, (byte) 0xcb, (byte) 0x2d, (byte) 0xa3, (byte) 0x80, (byte) 0x30, (byte) 0xf2, (byte) 0x0c,
        (byte) 0x6a, (byte) 0x42, (byte) 0xb7, (byte) 0x3b, (byte) 0xbe, (byte) 0xac, (byte) 0x01, (byte) 0xfa
    };

    private static final Toeplitz MICROSOFT = new Toeplitz(MICROSOFT_KEY);

    /** For input byte position p and value v: {@code contributions[p * 256 + v]}. */
    private final int[] contributions;

    private final int maximumInputLength;

    /**
     * A hash with {@code key}; inputs may be up to {@code key.length - 4} bytes long.
     *
     * @throws IllegalArgumentException if the key is shorter than 5 bytes
     */
    public Toeplitz(byte[] key) {
        if (key.length < 5) {
            throw new IllegalArgumentException("a Toeplitz key needs at least 5 bytes: " + key.length);
        }
        maximumInputLength = key.length - 4;
        contributions = new int[maximumInputLength * 256];
        for (int position = 0; position < maximumInputLength; position++) {
            for (int bit = 0; bit < 8; bit++) {
                int window = keyWindow(key, position * 8 + bit);
                int mask = 0x80 >>> bit;
                for (int value = 0; value < 256; value++) {
                    if ((value & mask) != 0) {
                        contributions[position * 256 + value] ^= window;
                    }
                }
            }
        }
    }

    /** The hash keyed with the 40-byte key of Microsoft's RSS verification suite. */
    public static Toeplitz microsoftDefault() {
        return MICROSOFT;
    }

    /** The longest input this key can hash. */
    public int maximumInputLength() {
        return maximumInputLength;
    }

    /** The hash of {@code input}. */
    public int hash(byte[] input) {
        requireFits(0, input.length);
        int result = 0;
        for (int i = 0; i < input.length; i++) {
            result ^= contributions[i * 256 + (input[i] & 0xFF)];
        }
        return result;
    }

    /**
     * What {@code length} bytes of {@code segment} from {@code offset} contribute when they stand at byte
     * {@code position} of the hash input. The hash of a whole input is the XOR of the contributions of its parts.
     */
    public int hash(MemorySegment segment, long offset, int length, int position) {
        requireFits(position, length);
        int result = 0;
        for (int i = 0; i < length; i++) {
            int value = segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
            result ^= contributions[(position + i) * 256 + value];
        }
        return result;
    }

    private void requireFits(int position, int length) {
        if (position < 0 || length < 0 || position + length > maximumInputLength) {
            throw new IllegalArgumentException(
                    "input bytes " + position + ".." + (position + length) + " exceed the key's " + maximumInputLength);
        }
    }

    /** The 32 key bits that start at key bit {@code first}. */
    private static int keyWindow(byte[] key, int first) {
        int window = 0;
        for (int i = 0; i < 32; i++) {
            int bit = first + i;
            window = (window << 1) | ((key[bit >>> 3] >>> (7 - (bit & 7))) & 1);
        }
        return window;
    }
}
