package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.List;
import org.nbl4j.core.buffer.NetBufferListInfo;

/**
 * Decodes the values NDIS packs into {@code NetBufferListInfo} slots (ndis-buffers §4.4) for {@link NblDump#info}:
 * the 802.1Q tag, the cancel id, the protocol id or frame type, and the RSS hash value and hash info. Other slots are
 * shown raw.
 */
final class NblInfoDecoder {
    /** {@code NdisHashFunctionToeplitz}, the only defined hash function. */
    private static final int HASH_FUNCTION_TOEPLITZ = 0x01;

    /** {@code NDIS_HASH_*} hash types by bit, from bit 8 ({@code NDIS_HASH_TYPE_MASK} is 0x00FFFF00). */
    private static final String[] HASH_TYPES = {
        "NDIS_HASH_IPV4", // 0x00000100
        "NDIS_HASH_TCP_IPV4", // 0x00000200
        "NDIS_HASH_IPV6", // 0x00000400
        "NDIS_HASH_IPV6_EX", // 0x00000800
        "NDIS_HASH_TCP_IPV6", // 0x00001000
        "NDIS_HASH_TCP_IPV6_EX", // 0x00002000
        "NDIS_HASH_UDP_IPV4", // 0x00004000
        "NDIS_HASH_UDP_IPV6", // 0x00008000
        "NDIS_HASH_UDP_IPV6_EX", // 0x00010000
    };

    private NblInfoDecoder() {}

    /** The decoded meaning of a value slot, or the empty string for a slot shown only raw. */
    static String decode(NetBufferListInfo slot, long value) {
        return switch (slot) {
            case Ieee8021QNetBufferListInfo -> ieee8021Q(value);
            case NetBufferListCancelId -> "PartialCancelId 0x%02X".formatted(value >>> 56);
            case NetBufferListFrameType -> frameType(value);
            case NetBufferListHashValue -> "HashValue 0x%08X".formatted(value);
            case NetBufferListHashInfo -> hashInfo(value);
            default -> "";
        };
    }

    /** {@code NDIS_NET_BUFFER_LIST_8021Q_INFO}: UserPriority 0–2, CanonicalFormatId 3, VlanId 4–15, WMMInfo 16–19. */
    private static String ieee8021Q(long value) {
        StringBuilder out = new StringBuilder("UserPriority %d, CanonicalFormatId %d, VlanId %d"
                .formatted(value & 0x7, (value >>> 3) & 0x1, (value >>> 4) & 0xFFF));
        long wmm = (value >>> 16) & 0xF;
        if (wmm != 0) {
            out.append(", WMMInfo ").append(wmm);
        }
        return reserved(out, value >>> 20);
    }

    /** Send: the protocol id in the low byte; receive: the EtherType. */
    private static String frameType(long value) {
        int protocolId = (int) (value & 0xFF);
        String name = switch (protocolId) {
            case 0x00 -> " (NDIS_PROTOCOL_ID_DEFAULT)";
            case 0x02 -> " (NDIS_PROTOCOL_ID_TCP_IP)";
            case 0x06 -> " (NDIS_PROTOCOL_ID_IPX)";
            case 0x07 -> " (NDIS_PROTOCOL_ID_NBF)";
            default -> "";
        };
        String protocol = "ProtocolId 0x%02X%s".formatted(protocolId, name);
        return (value & ~0xFFL) == 0 ? protocol : "FrameType 0x%04X, %s".formatted(value, protocol);
    }

    /** Hash function {@code & 0x000000FF}, hash type {@code & 0x00FFFF00}. */
    private static String hashInfo(long value) {
        int function = (int) (value & 0xFF);
        String functionName =
                function == HASH_FUNCTION_TOEPLITZ ? "NdisHashFunctionToeplitz" : "0x%02X".formatted(function);
        List<String> types = new ArrayList<>();
        for (int bit = 0; bit < 16; bit++) {
            if ((value & (0x100L << bit)) != 0) {
                types.add(bit < HASH_TYPES.length ? HASH_TYPES[bit] : "0x%08X".formatted(0x100L << bit));
            }
        }
        StringBuilder out = new StringBuilder("HashFunction ")
                .append(functionName)
                .append(", HashType ")
                .append(types.isEmpty() ? "0" : String.join(" | ", types));
        return reserved(out, value >>> 24);
    }

    private static String reserved(StringBuilder out, long reservedBits) {
        if (reservedBits != 0) {
            out.append(", Reserved 0x").append(Long.toHexString(reservedBits).toUpperCase());
        }
        return out.toString();
    }
}
