package org.nbl4j.stack.wfp;

import java.util.Arrays;

/** IPv4 and IPv6 packets as bytes, with documentation addresses (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32). */
final class TestPackets {
    static final byte[] V4_SOURCE = {(byte) 192, 0, 2, 1};
    static final byte[] V4_DESTINATION = {(byte) 198, 51, 100, 7};
    static final byte[] V6_SOURCE = v6(1);
    static final byte[] V6_DESTINATION = v6(2);

    private TestPackets() {}

    static byte[] v6(int last) {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[15] = (byte) last;
        return address;
    }

    /** An IPv4 packet: 20-byte header (valid checksum), then {@code payload} bytes counting up from 1. */
    static byte[] ipv4(int protocol, int payload) {
        return ipv4Fragment(protocol, payload, 0x1234, 0, false, 1);
    }

    /** An IPv4 fragment whose payload bytes continue the sequence from {@code firstByte}. */
    static byte[] ipv4Fragment(int protocol, int payload, int id, int offset, boolean more, int firstByte) {
        byte[] packet = new byte[20 + payload];
        packet[0] = 0x45;
        put16(packet, 2, packet.length);
        put16(packet, 4, id);
        put16(packet, 6, (more ? 0x2000 : 0) | (offset / 8));
        packet[8] = 64;
        packet[9] = (byte) protocol;
        System.arraycopy(V4_SOURCE, 0, packet, 12, 4);
        System.arraycopy(V4_DESTINATION, 0, packet, 16, 4);
        put16(packet, 10, checksum(packet, 20));
        for (int i = 0; i < payload; i++) {
            packet[20 + i] = (byte) (firstByte + i);
        }
        return packet;
    }

    /** An IPv6 packet: 40-byte header, then {@code payload} bytes counting up from 1. */
    static byte[] ipv6(int nextHeader, int payload) {
        byte[] packet = new byte[40 + payload];
        packet[0] = 0x60;
        put16(packet, 4, payload);
        packet[6] = (byte) nextHeader;
        packet[7] = 64;
        System.arraycopy(V6_SOURCE, 0, packet, 8, 16);
        System.arraycopy(V6_DESTINATION, 0, packet, 24, 16);
        for (int i = 0; i < payload; i++) {
            packet[40 + i] = (byte) (1 + i);
        }
        return packet;
    }

    /** An IPv6 fragment (a Fragment header right after the fixed header) carrying part of a UDP payload. */
    static byte[] ipv6Fragment(int payload, int id, int offset, boolean more, int firstByte) {
        byte[] packet = new byte[48 + payload];
        packet[0] = 0x60;
        put16(packet, 4, 8 + payload);
        packet[6] = 44;
        packet[7] = 64;
        System.arraycopy(V6_SOURCE, 0, packet, 8, 16);
        System.arraycopy(V6_DESTINATION, 0, packet, 24, 16);
        packet[40] = 17;
        put16(packet, 42, offset | (more ? 1 : 0));
        put16(packet, 44, id >>> 16);
        put16(packet, 46, id);
        for (int i = 0; i < payload; i++) {
            packet[48 + i] = (byte) (firstByte + i);
        }
        return packet;
    }

    static int checksum(byte[] bytes, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static int unsigned16(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    private static void put16(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >> 8);
        bytes[at + 1] = (byte) value;
    }
}
