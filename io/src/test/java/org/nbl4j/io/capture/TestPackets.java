package org.nbl4j.io.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Well-formed IP packets and link-layer frames around them, built byte by byte for the tests. */
final class TestPackets {
    static final byte[] HOST_A_V4 = {(byte) 192, 0, 2, 1};
    static final byte[] HOST_B_V4 = {(byte) 198, 51, 100, 1};
    static final byte[] HOST_A_V6 = v6Address(1);
    static final byte[] HOST_B_V6 = v6Address(2);
    static final int ICMP = 1;
    static final int UDP = 17;
    static final int ICMPV6 = 58;

    private TestPackets() {}

    /** 2001:db8:{net}::1. */
    private static byte[] v6Address(int net) {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[5] = (byte) net;
        address[15] = 1;
        return address;
    }

    /** An IPv4 packet from 192.0.2.1 to 198.51.100.1 with a correct header checksum. */
    static byte[] ipv4(int protocol, byte[] payload) {
        ByteBuffer packet = ByteBuffer.allocate(20 + payload.length);
        packet.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        packet.putShort((short) 0x1234).putShort((short) 0x4000); // identification, don't fragment
        packet.put((byte) 64).put((byte) protocol).putShort((short) 0);
        packet.put(HOST_A_V4).put(HOST_B_V4).put(payload);
        byte[] bytes = packet.array();
        int checksum = checksum(bytes, 0, 20, 0);
        bytes[10] = (byte) (checksum >> 8);
        bytes[11] = (byte) checksum;
        return bytes;
    }

    /** An IPv6 packet from 2001:db8:1::1 to 2001:db8:2::1. */
    static byte[] ipv6(int nextHeader, byte[] payload) {
        ByteBuffer packet = ByteBuffer.allocate(40 + payload.length);
        packet.putInt(0x6000_0000)
                .putShort((short) payload.length)
                .put((byte) nextHeader)
                .put((byte) 64);
        packet.put(HOST_A_V6).put(HOST_B_V6).put(payload);
        return packet.array();
    }

    /** An ICMPv4 echo request packet with {@code data} and correct checksums. */
    static byte[] echoV4(int sequence, byte[] data) {
        byte[] icmp = echo(8, sequence, data);
        int checksum = checksum(icmp, 0, icmp.length, 0);
        icmp[2] = (byte) (checksum >> 8);
        icmp[3] = (byte) checksum;
        return ipv4(ICMP, icmp);
    }

    /** An ICMPv6 echo request packet with {@code data} and correct checksums (over the pseudo-header). */
    static byte[] echoV6(int sequence, byte[] data) {
        byte[] icmp = echo(128, sequence, data);
        ByteBuffer pseudo = ByteBuffer.allocate(40);
        pseudo.put(HOST_A_V6).put(HOST_B_V6).putInt(icmp.length).putInt(ICMPV6);
        int checksum = checksum(icmp, 0, icmp.length, sum(pseudo.array(), 0, 40));
        icmp[2] = (byte) (checksum >> 8);
        icmp[3] = (byte) checksum;
        return ipv6(ICMPV6, icmp);
    }

    private static byte[] echo(int type, int sequence, byte[] data) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + data.length);
        icmp.put((byte) type)
                .put((byte) 0)
                .putShort((short) 0)
                .putShort((short) 0x0b14)
                .putShort((short) sequence);
        return icmp.put(data).array();
    }

    private static long sum(byte[] bytes, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[from + i] & 0xFF;
            int low = i + 1 < length ? bytes[from + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        return sum;
    }

    private static int checksum(byte[] bytes, int from, int length, long initial) {
        long sum = initial + sum(bytes, from, length);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** An Ethernet frame with the given 802.1Q tags, ethertype and payload, padded to the 60-byte minimum. */
    static byte[] ethernet(int ethertype, int vlanTags, byte[] payload) {
        int length = Math.max(60, 14 + 4 * vlanTags + payload.length);
        ByteBuffer frame = ByteBuffer.allocate(length);
        frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        for (int tag = 0; tag < vlanTags; tag++) {
            frame.putShort((short) (tag == 0 && vlanTags > 1 ? 0x88A8 : 0x8100)).putShort((short) (100 + tag));
        }
        frame.putShort((short) ethertype).put(payload);
        return frame.array();
    }

    /** The ethertype of an IP packet: 0x0800 or 0x86DD by its version nibble. */
    static int ethertypeOf(byte[] packet) {
        return (packet[0] & 0xF0) == 0x40 ? 0x0800 : 0x86DD;
    }

    /** A Linux cooked (SLL) frame around an IP packet. */
    static byte[] linuxSll(byte[] packet) {
        ByteBuffer frame = ByteBuffer.allocate(16 + packet.length).order(ByteOrder.BIG_ENDIAN);
        frame.putShort((short) 0).putShort((short) 1).putShort((short) 6);
        frame.put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0});
        return frame.putShort((short) ethertypeOf(packet)).put(packet).array();
    }

    /** A Linux cooked version 2 (SLL2) frame around an IP packet. */
    static byte[] linuxSll2(byte[] packet) {
        ByteBuffer frame = ByteBuffer.allocate(20 + packet.length).order(ByteOrder.BIG_ENDIAN);
        frame.putShort((short) ethertypeOf(packet)).putShort((short) 0).putInt(7);
        frame.putShort((short) 1).put((byte) 0).put((byte) 6).put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0});
        return frame.put(packet).array();
    }
}
