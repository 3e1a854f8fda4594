package org.nbl4j.samples;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.nbl4j.stack.ip.InternetChecksum;

/**
 * The IPv4 and IPv6 UDP packets the samples put on the wire, between documentation addresses only, with valid IPv4
 * header checksums and UDP checksums.
 */
public final class SamplePackets {
    /** The IP protocol number of UDP. */
    public static final int UDP = 17;

    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int UDP_HEADER = 8;

    private SamplePackets() {}

    /** An IPv4 UDP datagram from {@code source} to {@code destination} with the given TTL and DSCP. */
    public static byte[] ipv4Udp(String source, String destination, int ttl, int dscp, byte[] payload) {
        byte[] src = address(source, 4);
        byte[] dst = address(destination, 4);
        int total = IPV4_HEADER + UDP_HEADER + payload.length;
        ByteBuffer packet = ByteBuffer.allocate(total);
        packet.put((byte) 0x45).put((byte) (dscp << 2)).putShort((short) total);
        packet.putShort((short) 0x1234).putShort((short) 0); // identification, flags and fragment offset
        packet.put((byte) ttl).put((byte) UDP).putShort((short) 0).put(src).put(dst);
        byte[] bytes = packet.array();
        putShort(bytes, 10, ipv4HeaderChecksum(bytes, 0));
        udp(bytes, IPV4_HEADER, payload, pseudoHeaderSum(src, dst, UDP_HEADER + payload.length));
        return bytes;
    }

    /** An IPv6 UDP datagram from {@code source} to {@code destination} with the given hop limit and DSCP. */
    public static byte[] ipv6Udp(String source, String destination, int hopLimit, int dscp, byte[] payload) {
        byte[] src = address(source, 16);
        byte[] dst = address(destination, 16);
        int udpLength = UDP_HEADER + payload.length;
        ByteBuffer packet = ByteBuffer.allocate(IPV6_HEADER + udpLength);
        packet.putInt(6 << 28 | dscp << 22)
                .putShort((short) udpLength)
                .put((byte) UDP)
                .put((byte) hopLimit);
        packet.put(src).put(dst);
        byte[] bytes = packet.array();
        udp(bytes, IPV6_HEADER, payload, pseudoHeaderSum(src, dst, udpLength));
        return bytes;
    }

    /** The checksum the IPv4 header at {@code offset} should carry: computed over the header with the field as 0. */
    public static int ipv4HeaderChecksum(byte[] packet, int offset) {
        int headerLength = (packet[offset] & 0x0F) * 4;
        byte[] header = Arrays.copyOfRange(packet, offset, offset + headerLength);
        header[10] = 0;
        header[11] = 0;
        return InternetChecksum.compute(MemorySegment.ofArray(header), 0, headerLength);
    }

    private static void udp(byte[] packet, int at, byte[] payload, long pseudoHeader) {
        int length = UDP_HEADER + payload.length;
        putShort(packet, at, 40000);
        putShort(packet, at + 2, 9);
        putShort(packet, at + 4, length);
        System.arraycopy(payload, 0, packet, at + UDP_HEADER, payload.length);
        int checksum =
                InternetChecksum.finish(InternetChecksum.add(pseudoHeader, MemorySegment.ofArray(packet), at, length));
        putShort(packet, at + 6, checksum == 0 ? 0xFFFF : checksum);
    }

    private static long pseudoHeaderSum(byte[] source, byte[] destination, int udpLength) {
        MemorySegment addresses = MemorySegment.ofArray(concat(source, destination));
        return InternetChecksum.add(UDP + udpLength, addresses, 0, (int) addresses.byteSize());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] address(String literal, int length) {
        try {
            byte[] address = InetAddress.getByName(literal).getAddress();
            if (address.length != length) {
                throw new IllegalArgumentException(literal + " is not a " + (length * 8) + "-bit address");
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    private static void putShort(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 8);
        bytes[at + 1] = (byte) value;
    }
}
