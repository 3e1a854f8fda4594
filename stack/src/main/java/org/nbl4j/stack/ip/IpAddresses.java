package org.nbl4j.stack.ip;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Addresses as the path handles them: two longs, big-endian halves of the 128 bits of an IPv6 address, or an IPv4
 * address in the low 32 bits of {@code low} with {@code high} 0. Conversions to {@link InetAddress} are for
 * configuration and reports only.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /** The family of an {@link InetAddress}. */
    public static AddressFamily familyOf(InetAddress address) {
        return address.getAddress().length == 4 ? AddressFamily.INET : AddressFamily.INET6;
    }

    /** The high half (0 for IPv4). */
    public static long high(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? 0 : toLong(bytes, 0);
    }

    /** The low half (the IPv4 address, unsigned, for IPv4). */
    public static long low(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return Integer.toUnsignedLong(((bytes[0] & 0xFF) << 24)
                    | ((bytes[1] & 0xFF) << 16)
                    | ((bytes[2] & 0xFF) << 8)
                    | (bytes[3] & 0xFF));
        }
        return toLong(bytes, 8);
    }

    private static long toLong(byte[] bytes, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    /** Writes the address into {@code out} in network order: 4 bytes for IPv4, 16 for IPv6. */
    public static void toBytes(AddressFamily family, long high, long low, byte[] out) {
        if (family == AddressFamily.INET) {
            for (int i = 0; i < 4; i++) {
                out[i] = (byte) (low >>> (24 - 8 * i));
            }
            return;
        }
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
    }

    /** The address as an {@link InetAddress}. */
    public static InetAddress toInetAddress(AddressFamily family, long high, long low) {
        byte[] bytes = new byte[family == AddressFamily.INET ? 4 : 16];
        toBytes(family, high, low, bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the address is multicast (224.0.0.0/4, ff00::/8) or the IPv4 limited broadcast: never a packet's
     * source, never forwarded here, never the subject of an ICMP error (RFC 1812 §4.3.2.7, RFC 4443 §2.4(e)).
     */
    public static boolean isMulticastOrBroadcast(AddressFamily family, long high, long low) {
        if (family == AddressFamily.INET) {
            return (low & 0xF0000000L) == 0xE0000000L || low == 0xFFFFFFFFL;
        }
        return (high >>> 56) == 0xFF;
    }

    /**
     * Whether the address is link-local: 169.254.0.0/16 (RFC 3927) or fe80::/10 (RFC 4291 §2.5.6). A router forwards
     * no packet with a link-local source or destination (RFC 3927 §7, RFC 4291 §2.5.6).
     */
    public static boolean isLinkLocal(AddressFamily family, long high, long low) {
        if (family == AddressFamily.INET) {
            return (low & 0xFFFF0000L) == 0xA9FE0000L;
        }
        return (high >>> 54) == (0xFE80L >>> 6);
    }

    /** Whether the address is all zeros (0.0.0.0 or ::): an unspecified source gets no ICMP error. */
    public static boolean isUnspecified(long high, long low) {
        return high == 0 && low == 0;
    }

    /** The mask of a prefix: the high half's bits. */
    static long maskHigh(AddressFamily family, int prefixLength) {
        if (family == AddressFamily.INET || prefixLength == 0) {
            return 0;
        }
        return prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    /** The mask of a prefix: the low half's bits. */
    static long maskLow(AddressFamily family, int prefixLength) {
        if (family == AddressFamily.INET) {
            return prefixLength == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
        }
        if (prefixLength <= 64) {
            return 0;
        }
        return prefixLength == 128 ? -1L : -1L << (128 - prefixLength);
    }

    /** The longest prefix length of the family: 32 or 128. */
    static int bits(AddressFamily family) {
        return family == AddressFamily.INET ? 32 : 128;
    }
}
