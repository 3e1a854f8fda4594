package org.nbl4j.io.tun;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Echo requests and replies as raw IP packets, for answering the namespace's ping: ICMP (RFC 792) over IPv4 with
 * no options, ICMPv6 (RFC 4443) over IPv6 with no extension headers.
 */
final class IcmpEcho {
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int PROTOCOL_ICMP = 1;
    private static final int NEXT_HEADER_ICMPV6 = 58;

    private IcmpEcho() {}

    /** The echo reply to {@code packet} if it is an echo request, else {@code null} (other traffic). */
    static byte @Nullable [] replyTo(byte[] packet) {
        if (packet.length >= IPV4_HEADER + 8
                && (packet[0] & 0xFF) == 0x45
                && packet[9] == PROTOCOL_ICMP
                && packet[IPV4_HEADER] == 8) {
            byte[] reply = packet.clone();
            swap(reply, 12, 16, 4);
            reply[8] = 64;
            reply[IPV4_HEADER] = 0;
            fillChecksum(reply, IPV4_HEADER + 2, IPV4_HEADER, reply.length - IPV4_HEADER, 0);
            fillChecksum(reply, 10, 0, IPV4_HEADER, 0);
            return reply;
        }
        if (packet.length >= IPV6_HEADER + 8
                && (packet[0] & 0xF0) == 0x60
                && packet[6] == NEXT_HEADER_ICMPV6
                && (packet[IPV6_HEADER] & 0xFF) == 128) {
            byte[] reply = packet.clone();
            swap(reply, 8, 24, 16);
            reply[7] = 64;
            reply[IPV6_HEADER] = (byte) 129;
            fillChecksum(reply, IPV6_HEADER + 2, IPV6_HEADER, reply.length - IPV6_HEADER, icmpv6Pseudo(reply));
            return reply;
        }
        return null;
    }

    /** An ICMP echo request over IPv4 from {@code source} to {@code destination}, with checksums. */
    static byte[] ipv4Request(String source, String destination, int identifier, int sequence) {
        byte[] packet = new byte[IPV4_HEADER + 8 + 16];
        packet[0] = 0x45;
        packet[2] = (byte) (packet.length >>> 8);
        packet[3] = (byte) packet.length;
        packet[8] = 64;
        packet[9] = PROTOCOL_ICMP;
        System.arraycopy(address(source), 0, packet, 12, 4);
        System.arraycopy(address(destination), 0, packet, 16, 4);
        packet[IPV4_HEADER] = 8;
        packet[IPV4_HEADER + 4] = (byte) (identifier >>> 8);
        packet[IPV4_HEADER + 5] = (byte) identifier;
        packet[IPV4_HEADER + 6] = (byte) (sequence >>> 8);
        packet[IPV4_HEADER + 7] = (byte) sequence;
        Arrays.fill(packet, IPV4_HEADER + 8, packet.length, (byte) 0x5A);
        fillChecksum(packet, IPV4_HEADER + 2, IPV4_HEADER, packet.length - IPV4_HEADER, 0);
        fillChecksum(packet, 10, 0, IPV4_HEADER, 0);
        return packet;
    }

    /** Whether {@code packet} is an ICMPv4 echo reply. */
    static boolean isIpv4Reply(byte[] packet) {
        return packet.length >= IPV4_HEADER + 8 && packet[9] == PROTOCOL_ICMP && packet[IPV4_HEADER] == 0;
    }

    /** Whether the IPv4 header checksum and ICMP checksum of {@code packet} verify. */
    static boolean ipv4ChecksumsHold(byte[] packet) {
        return sum(packet, 0, IPV4_HEADER, 0) == 0xFFFF
                && sum(packet, IPV4_HEADER, packet.length - IPV4_HEADER, 0) == 0xFFFF;
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static void swap(byte[] packet, int first, int second, int length) {
        for (int i = 0; i < length; i++) {
            byte b = packet[first + i];
            packet[first + i] = packet[second + i];
            packet[second + i] = b;
        }
    }

    /** Zeroes the checksum field at {@code at}, then stores the one's complement of the sum over the range. */
    private static void fillChecksum(byte[] packet, int at, int offset, int length, int initial) {
        packet[at] = 0;
        packet[at + 1] = 0;
        int checksum = ~sum(packet, offset, length, initial) & 0xFFFF;
        packet[at] = (byte) (checksum >>> 8);
        packet[at + 1] = (byte) checksum;
    }

    /** The ICMPv6 pseudo-header's sum: source, destination, upper-layer length, next header (RFC 8200 §8.1). */
    private static int icmpv6Pseudo(byte[] packet) {
        int length = packet.length - IPV6_HEADER;
        int pseudo = sum(packet, 8, 32, 0);
        pseudo = add(pseudo, length >>> 16);
        pseudo = add(pseudo, length & 0xFFFF);
        return add(pseudo, NEXT_HEADER_ICMPV6);
    }

    /** The 16-bit one's-complement sum of {@code length} bytes from {@code offset}, starting from {@code initial}. */
    private static int sum(byte[] bytes, int offset, int length, int initial) {
        int total = initial;
        for (int i = 0; i < length; i += 2) {
            int word = (bytes[offset + i] & 0xFF) << 8;
            if (i + 1 < length) {
                word |= bytes[offset + i + 1] & 0xFF;
            }
            total = add(total, word);
        }
        return total;
    }

    private static int add(int a, int b) {
        int s = a + b;
        return (s & 0xFFFF) + (s >>> 16);
    }
}
