package org.nbl4j.stack.ip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Builds and checks packets for the tests with its own byte-array code (not the codecs under test): IPv4 and IPv6
 * headers, ICMP echo, UDP, and a plain checksum loop.
 */
public final class TestPackets {
    private TestPackets() {}

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** RFC 1071 done the slow way. */
    public static int checksum(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = data[from + i] & 0xFF;
            int low = i + 1 < length ? data[from + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    public static int u16(byte[] data, int at) {
        return ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
    }

    public static void put16(byte[] data, int at, int value) {
        data[at] = (byte) (value >>> 8);
        data[at + 1] = (byte) value;
    }

    /** An IPv4 packet with a 20-byte header (plus {@code options}) and a correct checksum. */
    public static byte[] ipv4(
            String source,
            String destination,
            int protocol,
            int ttl,
            int id,
            int fragmentWord,
            byte[] options,
            byte[] payload) {
        int headerLength = 20 + options.length;
        byte[] packet = new byte[headerLength + payload.length];
        packet[0] = (byte) (0x40 | (headerLength / 4));
        put16(packet, 2, packet.length);
        put16(packet, 4, id);
        put16(packet, 6, fragmentWord);
        packet[8] = (byte) ttl;
        packet[9] = (byte) protocol;
        System.arraycopy(ip(source).getAddress(), 0, packet, 12, 4);
        System.arraycopy(ip(destination).getAddress(), 0, packet, 16, 4);
        System.arraycopy(options, 0, packet, 20, options.length);
        System.arraycopy(payload, 0, packet, headerLength, payload.length);
        put16(packet, 10, checksum(packet, 0, headerLength));
        return packet;
    }

    public static byte[] ipv4(String source, String destination, int protocol, int ttl, byte[] payload) {
        return ipv4(source, destination, protocol, ttl, 0x1234, 0, new byte[0], payload);
    }

    /** An IPv6 packet; {@code extensions} go between the fixed header and the payload, starting with {@code next}. */
    public static byte[] ipv6(
            String source, String destination, int next, int hopLimit, byte[] extensions, byte[] payload) {
        byte[] packet = new byte[40 + extensions.length + payload.length];
        packet[0] = 0x60;
        put16(packet, 4, extensions.length + payload.length);
        packet[6] = (byte) next;
        packet[7] = (byte) hopLimit;
        System.arraycopy(ip(source).getAddress(), 0, packet, 8, 16);
        System.arraycopy(ip(destination).getAddress(), 0, packet, 24, 16);
        System.arraycopy(extensions, 0, packet, 40, extensions.length);
        System.arraycopy(payload, 0, packet, 40 + extensions.length, payload.length);
        return packet;
    }

    /** An ICMPv4 echo request with a correct checksum. */
    public static byte[] icmpEcho(int type, int identifier, int sequence, byte[] data) {
        byte[] message = new byte[8 + data.length];
        message[0] = (byte) type;
        put16(message, 4, identifier);
        put16(message, 6, sequence);
        System.arraycopy(data, 0, message, 8, data.length);
        put16(message, 2, checksum(message, 0, message.length));
        return message;
    }

    /** Fills in the ICMPv6 checksum of a packet without extension headers. */
    public static byte[] withIcmpv6Checksum(byte[] packet) {
        return withChecksum(packet);
    }

    /**
     * Fills in the upper-layer checksum of an IPv4 or IPv6 packet without extension headers, by its protocol: ICMP
     * (no pseudo-header), TCP, UDP or ICMPv6 (with one: addresses, length, protocol).
     */
    public static byte[] withChecksum(byte[] packet) {
        boolean v4 = (packet[0] & 0xF0) == 0x40;
        int headerLength = v4 ? (packet[0] & 0x0F) * 4 : 40;
        int protocol = packet[v4 ? 9 : 6] & 0xFF;
        int length = packet.length - headerLength;
        int field = headerLength
                + switch (protocol) {
                    case 6 -> 16;
                    case 17 -> 6;
                    default -> 2;
                };
        packet[field] = 0;
        packet[field + 1] = 0;
        byte[] pseudo;
        if (v4 && protocol == 1) {
            pseudo = new byte[0];
        } else if (v4) {
            pseudo = new byte[12];
            System.arraycopy(packet, 12, pseudo, 0, 8);
            pseudo[9] = (byte) protocol;
            put16(pseudo, 10, length);
        } else {
            pseudo = new byte[40];
            System.arraycopy(packet, 8, pseudo, 0, 32);
            put16(pseudo, 34, length >>> 16);
            put16(pseudo, 36, length);
            pseudo[39] = (byte) protocol;
        }
        byte[] covered = concat(pseudo, java.util.Arrays.copyOfRange(packet, headerLength, packet.length));
        put16(packet, field, checksum(covered, 0, covered.length));
        return packet;
    }

    /** Whether the ICMPv6 checksum of a packet without extension headers is right. */
    public static boolean icmpv6ChecksumValid(byte[] packet) {
        byte[] copy = packet.clone();
        int stored = u16(packet, 42);
        return u16(withIcmpv6Checksum(copy), 42) == stored;
    }

    /** A TCP header of 20 bytes, checksum 0, followed by {@code data}. */
    public static byte[] tcp(
            int sourcePort, int destinationPort, int sequence, int acknowledgment, int flags, byte[] data) {
        byte[] segment = new byte[20 + data.length];
        put16(segment, 0, sourcePort);
        put16(segment, 2, destinationPort);
        put32(segment, 4, sequence);
        put32(segment, 8, acknowledgment);
        segment[12] = 0x50;
        segment[13] = (byte) flags;
        put16(segment, 14, 8192);
        System.arraycopy(data, 0, segment, 20, data.length);
        return segment;
    }

    public static void put32(byte[] data, int at, int value) {
        put16(data, at, value >>> 16);
        put16(data, at + 2, value);
    }

    public static int u32(byte[] data, int at) {
        return (u16(data, at) << 16) | u16(data, at + 2);
    }

    /**
     * The ICMPv4 error a router sends from {@code source} to {@code destination} (TTL 64, DF clear, the given
     * Identification): type, code, the rest-of-header word and as much of {@code offending} as 576 bytes hold.
     */
    public static byte[] icmpV4Error(
            String source, String destination, int identification, int type, int code, int rest, byte[] offending) {
        byte[] message = new byte[8 + Math.min(offending.length, 576 - 28)];
        message[0] = (byte) type;
        message[1] = (byte) code;
        put32(message, 4, rest);
        System.arraycopy(offending, 0, message, 8, message.length - 8);
        put16(message, 2, checksum(message, 0, message.length));
        return ipv4(source, destination, 1, 64, identification, 0, new byte[0], message);
    }

    /** The ICMPv6 error a router sends (hop limit 64), quoting as much of {@code offending} as 1280 bytes hold. */
    public static byte[] icmpV6Error(
            String source, String destination, int type, int code, int rest, byte[] offending) {
        byte[] message = new byte[8 + Math.min(offending.length, 1280 - 48)];
        message[0] = (byte) type;
        message[1] = (byte) code;
        put32(message, 4, rest);
        System.arraycopy(offending, 0, message, 8, message.length - 8);
        return withChecksum(ipv6(source, destination, 58, 64, new byte[0], message));
    }

    public static byte[] udp(int sourcePort, int destinationPort, byte[] data) {
        byte[] datagram = new byte[8 + data.length];
        put16(datagram, 0, sourcePort);
        put16(datagram, 2, destinationPort);
        put16(datagram, 4, datagram.length);
        System.arraycopy(data, 0, datagram, 8, data.length);
        return datagram;
    }

    public static byte[] bytes(int length, int seed) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (seed + i * 7);
        }
        return data;
    }

    public static byte[] concat(byte[]... parts) {
        ByteBuffer buffer = ByteBuffer.allocate(
                java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            buffer.put(part);
        }
        return buffer.array();
    }
}
