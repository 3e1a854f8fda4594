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
