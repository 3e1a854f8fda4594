package org.nbl4j.stack.ndis;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Receive side scaling for an IP-medium device: hashes a packet's addresses (and TCP or UDP ports) with
 * {@link Toeplitz}, fills the NBL's hash slots ({@code NET_BUFFER_LIST_SET_HASH_VALUE}, {@code _TYPE},
 * {@code _FUNCTION}) and picks the receive queue through an indirection table, as {@code NDIS_RECEIVE_SCALE_PARAMETERS}
 * configure a NIC.
 *
 * <p>The hash input is source address, destination address, then source and destination port when the packet is TCP
 * or UDP and carries ports: an IPv4 packet that is a fragment, or an IPv6 packet whose next header is not TCP or UDP
 * (extension headers are not walked here), is hashed on its addresses only. {@link #hashPacket} packs type and value
 * into one {@code long} so the receive path allocates nothing.
 */
public final class ReceiveSideScaling {
    /** {@code NdisHashFunctionToeplitz}. */
    public static final int NDIS_HASH_FUNCTION_TOEPLITZ = 0x00000001;
    /** {@code NDIS_HASH_IPV4}. */
    public static final int NDIS_HASH_IPV4 = 0x00000100;
    /** {@code NDIS_HASH_TCP_IPV4}. */
    public static final int NDIS_HASH_TCP_IPV4 = 0x00000200;
    /** {@code NDIS_HASH_IPV6}. */
    public static final int NDIS_HASH_IPV6 = 0x00000400;
    /** {@code NDIS_HASH_TCP_IPV6}. */
    public static final int NDIS_HASH_TCP_IPV6 = 0x00001000;
    /** {@code NDIS_HASH_UDP_IPV4}. */
    public static final int NDIS_HASH_UDP_IPV4 = 0x00004000;
    /** {@code NDIS_HASH_UDP_IPV6}. */
    public static final int NDIS_HASH_UDP_IPV6 = 0x00008000;

    private static final int TCP = 6;
    private static final int UDP = 17;

    private final Toeplitz toeplitz;
    private final int[] indirectionTable;

    /**
     * @param toeplitz the keyed hash
     * @param indirectionTable queue numbers; the low bits of the hash index it, so its length must be a power of two
     */
    public ReceiveSideScaling(Toeplitz toeplitz, int[] indirectionTable) {
        if (indirectionTable.length == 0 || Integer.bitCount(indirectionTable.length) != 1) {
            throw new IllegalArgumentException(
                    "the indirection table's length must be a power of two: " + indirectionTable.length);
        }
        this.toeplitz = toeplitz;
        this.indirectionTable = indirectionTable.clone();
    }

    /** The Microsoft default key and a 128-entry table spreading the hash over {@code queues} queues round robin. */
    public static ReceiveSideScaling spreading(int queues) {
        if (queues < 1) {
            throw new IllegalArgumentException("at least one queue: " + queues);
        }
        int[] table = new int[128];
        for (int i = 0; i < table.length; i++) {
            table[i] = i % queues;
        }
        return new ReceiveSideScaling(Toeplitz.microsoftDefault(), table);
    }

    /**
     * Hashes the IP packet of {@code length} bytes at {@code offset}.
     *
     * @return the hash type in the high 32 bits and the hash value in the low 32 bits, or 0 when the packet is
     *     neither a whole IPv4 nor IPv6 header
     */
    public long hashPacket(MemorySegment packet, long offset, int length) {
        if (length < 1) {
            return 0;
        }
        int version = (packet.get(ValueLayout.JAVA_BYTE, offset) & 0xF0) >>> 4;
        if (version == 4 && length >= 20) {
            int headerLength = (packet.get(ValueLayout.JAVA_BYTE, offset) & 0x0F) * 4;
            int protocol = packet.get(ValueLayout.JAVA_BYTE, offset + 9) & 0xFF;
            int fragment = ((packet.get(ValueLayout.JAVA_BYTE, offset + 6) & 0x3F) << 8)
                    | (packet.get(ValueLayout.JAVA_BYTE, offset + 7) & 0xFF);
            int hash = toeplitz.hash(packet, offset + 12, 8, 0);
            if ((protocol == TCP || protocol == UDP) && fragment == 0 && length >= headerLength + 4) {
                hash ^= toeplitz.hash(packet, offset + headerLength, 4, 8);
                return pack(protocol == TCP ? NDIS_HASH_TCP_IPV4 : NDIS_HASH_UDP_IPV4, hash);
            }
            return pack(NDIS_HASH_IPV4, hash);
        }
        if (version == 6 && length >= 40) {
            int nextHeader = packet.get(ValueLayout.JAVA_BYTE, offset + 6) & 0xFF;
            int hash = toeplitz.hash(packet, offset + 8, 32, 0);
            if ((nextHeader == TCP || nextHeader == UDP) && length >= 44) {
                hash ^= toeplitz.hash(packet, offset + 40, 4, 32);
                return pack(nextHeader == TCP ? NDIS_HASH_TCP_IPV6 : NDIS_HASH_UDP_IPV6, hash);
            }
            return pack(NDIS_HASH_IPV6, hash);
        }
        return 0;
    }

    /** The hash value of a {@link #hashPacket} result. */
    public static int hashValue(long packed) {
        return (int) packed;
    }

    /** The {@code NDIS_HASH_*} type of a {@link #hashPacket} result; 0 for none. */
    public static int hashType(long packed) {
        return (int) (packed >>> 32);
    }

    /**
     * Hashes the IP packet of {@code length} bytes at {@code offset} and fills the NBL's hash slots with the result
     * ({@code NET_BUFFER_LIST_SET_HASH_VALUE}, {@code _TYPE}, {@code _FUNCTION}); all 0 when the packet has no hash.
     *
     * @return the {@link #hashPacket} result
     */
    public long stamp(NetBufferList nbl, MemorySegment packet, long offset, int length) {
        long packed = hashPacket(packet, offset, length);
        nbl.setHashValue(hashValue(packed));
        nbl.setHashType(hashType(packed));
        nbl.setHashFunction(packed == 0 ? 0 : NDIS_HASH_FUNCTION_TOEPLITZ);
        return packed;
    }

    /** The receive queue for a hash value: the indirection table entry its low bits select. */
    public int queueFor(int hashValue) {
        return indirectionTable[hashValue & (indirectionTable.length - 1)];
    }

    private static long pack(int type, int hash) {
        return ((long) type << 32) | Integer.toUnsignedLong(hash);
    }
}
