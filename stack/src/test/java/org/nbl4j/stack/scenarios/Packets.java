package org.nbl4j.stack.scenarios;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ip.TestPackets;

/** Packet edits the scenarios' callouts make in place, on an NBL whose data starts at an IPv4 header. */
final class Packets {
    static final int ICMP = 1;
    static final int UDP = 17;

    private Packets() {}

    /** The IPv4 header of the NBL's first NB, in place (the in-memory miniports' buffers are contiguous). */
    static MemorySegment ipv4Header(NetBufferList nbl) {
        NetBuffer nb = nbl.firstNetBuffer();
        MemorySegment header = nb.getDataBuffer(20, null, 1, 0);
        if (header == null) {
            throw new IllegalStateException("the IPv4 header is not contiguous");
        }
        return header;
    }

    /** {@code KrnlHlprIPHeaderCalculateV4Checksum}: recomputes the header checksum of a 20-byte header. */
    static void recomputeIpv4Checksum(NetBufferList nbl) {
        MemorySegment header = ipv4Header(nbl);
        header.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) 0);
        byte[] bytes = header.asSlice(0, 20).toArray(ValueLayout.JAVA_BYTE);
        int checksum = TestPackets.checksum(bytes, 0, 20);
        header.set(ValueLayout.JAVA_BYTE, 10, (byte) (checksum >>> 8));
        header.set(ValueLayout.JAVA_BYTE, 11, (byte) checksum);
    }

    /** Sets the IPv4 destination address of the NBL's packet in place (the header checksum is left as it was). */
    static void setIpv4Destination(NetBufferList nbl, String destination) {
        byte[] address = TestPackets.ip(destination).getAddress();
        MemorySegment header = ipv4Header(nbl);
        for (int i = 0; i < 4; i++) {
            header.set(ValueLayout.JAVA_BYTE, 16 + i, address[i]);
        }
    }

    /** The UDP checksum a UDP-in-IPv4 packet (20-byte header) should carry (RFC 768), never 0. */
    static int udpChecksum(byte[] packet) {
        int udpLength = packet.length - 20;
        byte[] pseudo = new byte[12 + udpLength];
        System.arraycopy(packet, 12, pseudo, 0, 8);
        pseudo[9] = UDP;
        TestPackets.put16(pseudo, 10, udpLength);
        System.arraycopy(packet, 20, pseudo, 12, udpLength);
        TestPackets.put16(pseudo, 12 + 6, 0);
        int checksum = TestPackets.checksum(pseudo, 0, pseudo.length);
        return checksum == 0 ? 0xFFFF : checksum;
    }

    /** The packet with its UDP checksum filled in. */
    static byte[] withUdpChecksum(byte[] packet) {
        byte[] copy = packet.clone();
        TestPackets.put16(copy, 26, udpChecksum(copy));
        return copy;
    }

    /** Recomputes the UDP checksum of the NBL's UDP-in-IPv4 packet in place, as a callout that fixes it would. */
    static void recomputeUdpChecksum(NetBufferList nbl) {
        byte[] packet = nbl.firstNetBuffer().toByteArray();
        int checksum = udpChecksum(packet);
        MemorySegment header = nbl.firstNetBuffer().getDataBuffer(28, null, 1, 0);
        header.set(ValueLayout.JAVA_BYTE, 26, (byte) (checksum >>> 8));
        header.set(ValueLayout.JAVA_BYTE, 27, (byte) checksum);
    }

    /** Whether the UDP checksum of a UDP-in-IPv4 packet fits its pseudo-header and data. */
    static boolean udpChecksumValid(byte[] packet) {
        return TestPackets.u16(packet, 26) == udpChecksum(packet);
    }

    /** Whether the IPv4 header checksum of a packet is right. */
    static boolean ipv4ChecksumValid(byte[] packet) {
        return TestPackets.checksum(packet, 0, (packet[0] & 0x0F) * 4) == 0;
    }

    /** A UDP packet from a host on wire1 to a host beyond wire2, TTL 64. */
    static byte[] udpAcross(int payloadBytes) {
        return TestPackets.ipv4(
                "192.0.2.10",
                "198.51.100.20",
                UDP,
                64,
                TestPackets.udp(1000, 2000, TestPackets.bytes(payloadBytes, 3)));
    }

    /** An ICMP echo request from a host on wire1 to {@code destination}, one of the router's addresses. */
    static byte[] echoRequestTo(String destination, int sequence) {
        return TestPackets.ipv4(
                "192.0.2.10",
                destination,
                ICMP,
                64,
                TestPackets.icmpEcho(8, 0x77, sequence, TestPackets.bytes(24, sequence)));
    }

    /** The forwarded form of {@code packet}: TTL one less, header checksum recomputed. */
    static byte[] forwarded(byte[] packet) {
        byte[] expected = packet.clone();
        expected[8]--;
        TestPackets.put16(expected, 10, 0);
        TestPackets.put16(expected, 10, TestPackets.checksum(expected, 0, 20));
        return expected;
    }

    /** Whether {@code packet} is an ICMPv4 echo reply. */
    static boolean isEchoReply(byte[] packet) {
        return packet[9] == ICMP && packet[20] == 0;
    }
}
