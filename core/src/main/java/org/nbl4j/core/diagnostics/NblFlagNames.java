package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.List;
import org.nbl4j.core.buffer.NblFlags;

/**
 * Names the bits of an NBL's two flag words (ndis-buffers §4.2) for the {@code Flags} lines of {@link NblDump}.
 *
 * <p>The private {@code Flags} word is named as {@code !ndiskd.nbl} names it where that is known ({@code
 * NBL_ALLOCATED} for 0x100); NDIS's other bits carry nbl4j's names ({@code NBL_ALLOCATION_CONTEXT} for 0x400) or
 * {@code NDIS_xxx}. Bits of the other partitions are named after their owner and position in the style of ndiskd's
 * {@code PROTOCOL_020_0}: {@code PROTOCOL_hhh_l} (the bit's value in the 0xFFF00000 and 0x3 parts),
 * {@code SCRATCH_h} (0x000F0000) and {@code MINIPORT_h} (0x0000F000).
 */
final class NblFlagNames {
    private static final String[] PUBLIC_NAMES = new String[32];

    static {
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_SEND_READ_ONLY)] = "NDIS_NBL_FLAGS_SEND_READ_ONLY";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_RECV_READ_ONLY)] = "NDIS_NBL_FLAGS_RECV_READ_ONLY";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_HD_SPLIT)] = "NDIS_NBL_FLAGS_HD_SPLIT";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_IS_IPV4)] = "NDIS_NBL_FLAGS_IS_IPV4";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_IS_IPV6)] = "NDIS_NBL_FLAGS_IS_IPV6";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_IS_TCP)] = "NDIS_NBL_FLAGS_IS_TCP";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_IS_UDP)] = "NDIS_NBL_FLAGS_IS_UDP";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER)] =
                "NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD)] =
                "NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET)] = "NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET";
        PUBLIC_NAMES[bit(NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT)] =
                "NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT";
    }

    private NblFlagNames() {}

    /** The private {@code Flags} word, one name per set bit from the lowest, comma-separated; {@code 0} if none. */
    static String privateFlags(int flags) {
        List<String> names = new ArrayList<>();
        for (int rest = flags; rest != 0; rest &= rest - 1) {
            names.add(privateName(Integer.lowestOneBit(rest)));
        }
        return join(names);
    }

    /** The public {@code NblFlags} word: {@code NDIS_NBL_FLAGS_*} names, unknown bits in hex; {@code 0} if none. */
    static String publicFlags(int nblFlags) {
        List<String> names = new ArrayList<>();
        for (int rest = nblFlags; rest != 0; rest &= rest - 1) {
            int flag = Integer.lowestOneBit(rest);
            String name = PUBLIC_NAMES[bit(flag)];
            names.add(name != null ? name : "0x%08X".formatted(flag));
        }
        return join(names);
    }

    private static String privateName(int flag) {
        if (flag == NblFlags.NBL_ALLOCATED) {
            return "NBL_ALLOCATED";
        }
        if (flag == NblFlags.NBL_ALLOCATION_CONTEXT) {
            return "NBL_ALLOCATION_CONTEXT";
        }
        if ((flag & NblFlags.NBL_FLAGS_PROTOCOL_RESERVED) != 0) {
            return "PROTOCOL_%03X_%X".formatted(flag >>> 20, flag & 0x3);
        }
        if ((flag & NblFlags.NBL_FLAGS_SCRATCH) != 0) {
            return "SCRATCH_%X".formatted(flag >>> 16);
        }
        if ((flag & NblFlags.NBL_FLAGS_MINIPORT_RESERVED) != 0) {
            return "MINIPORT_%X".formatted(flag >>> 12);
        }
        return "NDIS_%03X".formatted(flag);
    }

    private static String join(List<String> names) {
        return names.isEmpty() ? "0" : String.join(", ", names);
    }

    private static int bit(int flag) {
        return Integer.numberOfTrailingZeros(flag);
    }
}
