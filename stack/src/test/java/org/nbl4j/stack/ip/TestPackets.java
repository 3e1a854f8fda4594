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
        int length = packet.length - 40;
        byte[] pseudo = new byte[40 + length];
        System.arraycopy(packet, 8, pseudo, 0, 32);
        pseudo[32] = (byte) (length >>> 24);
        pseudo[33] = (byte) (length >>> 16);
        pseudo[34] = (byte) (length >>> 8);
        pseudo[35] = (byte) length;
        pseudo[39] = 58;
        packet[42] = 0;
        packet[43] = 0;
        System.arraycopy(packet, 40, pseudo, 40, length);
        put16(packet, 42, checksum(pseudo, 0, pseudo.length));
        return packet;
    }

    /** Whether the ICMPv6 checksum of a packet without extension headers is right. */
    public static boolean icmpv6ChecksumValid(byte[] packet) {
        byte[] copy = packet.clone();
        int stored = u16(packet, 42);
        return u16(withIcmpv6Checksum(copy), 42) == stored;
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
