package org.nbl4j.stack.wfp;

import java.util.UUID;

/**
 * A sublayer: {@code FWPM_SUBLAYER0}'s key and weight (§4.7). Every sublayer of a layer is evaluated, heaviest first,
 * and their results combined by the write right.
 *
 * @param key the sublayer's GUID
 * @param weight 0 to 0xFFFF, higher evaluated first
 */
public record Sublayer(UUID key, int weight) {
    /** {@code FWPM_SUBLAYER_UNIVERSAL}, where filters go unless they name another sublayer. */
    public static final Sublayer UNIVERSAL =
            new Sublayer(UUID.fromString("eebecc03-ced4-4380-819a-2734397b2b74"), 0x8000);

    public Sublayer {
        if (weight < 0 || weight > 0xFFFF) {
            throw new IllegalArgumentException("a sublayer weight is a UINT16: " + weight);
        }
    }
}
