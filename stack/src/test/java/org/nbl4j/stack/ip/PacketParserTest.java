package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Receive validation: each failure and the discard reason it is counted under (the table in {@link PacketParser}). */
class PacketParserTest {
    private static final byte[] NONE = new byte[0];

    private static IpDiscardReason parse(byte[] packet) {
        return parse(packet, packet.length);
    }

    private static IpDiscardReason parse(byte[] packet, int dataLength) {
        int available = Math.min(packet.length, PacketParser.PARSE_WINDOW);
        return PacketParser.parse(MemorySegment.ofArray(packet), available, dataLength, new ParsedPacket());
    }

    private static byte[] good() {
        return ipv4("192.0.2.10", "203.0.113.5", 17, 64, udp(1, 2, bytes(20, 0)));
    }

    private static byte[] refreshChecksum(byte[] packet) {
        int headerLength = (packet[0] & 0x0F) * 4;
        packet[10] = 0;
        packet[11] = 0;
        TestPackets.put16(packet, 10, TestPackets.checksum(packet, 0, headerLength));
        return packet;
    }

    @Test
    void validPacketsParse() {
        ParsedPacket parsed = new ParsedPacket();
        byte[] packet = good();
        assertNull(PacketParser.parse(MemorySegment.ofArray(packet), packet.length, packet.length, parsed));
        assertEquals(20, parsed.headerLength);
        assertEquals(17, parsed.protocol);
        assertEquals(0xCB007105L, parsed.destinationLow);
        assertNull(parse(ipv6("2001:db8:1::10", "2001:db8:3::1", 17, 64, NONE, udp(1, 2, bytes(8, 0)))));
    }

    @Test
    @DisplayName("Truncated: shorter than the header, than IHL, or than Total Length → BAD_LENGTH")
    void truncated() {
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(Arrays.copyOf(good(), 19)));
        byte[] longTotal = good();
        TestPackets.put16(longTotal, 2, longTotal.length + 1);
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(refreshChecksum(longTotal)));
        byte[] shortTotal = good();
        TestPackets.put16(shortTotal, 2, 19);
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(refreshChecksum(shortTotal)));
        byte[] v6 = ipv6("2001:db8:1::10", "2001:db8:3::1", 17, 64, NONE, bytes(20, 0));
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(Arrays.copyOf(v6, 50)));
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(Arrays.copyOf(v6, 39)));
        assertEquals(IpDiscardReason.BAD_LENGTH, parse(new byte[0]));
    }

    @Test
    @DisplayName("Wrong version, IHL < 5 → MALFORMED_HEADER; bad header checksum → BAD_CHECKSUM")
    void malformed() {
        byte[] version = good();
        version[0] = 0x55;
        assertEquals(IpDiscardReason.MALFORMED_HEADER, parse(version));
        byte[] ihl = good();
        ihl[0] = 0x44;
        assertEquals(IpDiscardReason.MALFORMED_HEADER, parse(ihl));
        byte[] checksum = good();
        checksum[11] ^= 0x01;
        assertEquals(IpDiscardReason.BAD_CHECKSUM, parse(checksum));
    }

    @Test
    @DisplayName("Options running past the header or with length < 2 → BAD_OPTION; NOP and EOL are fine")
    void options() {
        assertNull(parse(ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0, new byte[] {1, 1, 0, 0}, bytes(8, 0))));
        assertEquals(
                IpDiscardReason.BAD_OPTION,
                parse(ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0, new byte[] {7, 9, 4, 0}, bytes(8, 0))));
        assertEquals(
                IpDiscardReason.BAD_OPTION,
                parse(ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0, new byte[] {7, 1, 0, 0}, bytes(8, 0))));
        assertEquals(
                IpDiscardReason.BAD_OPTION,
                parse(ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0, new byte[] {1, 1, 1, 7}, bytes(8, 0))));
    }

    @Test
    @DisplayName("IPv6 extension headers: bounds-checked walk, Hop-by-Hop only first, fragment header found")
    void extensionHeaders() {
        byte[] hopByHop = {60, 0, 1, 4, 0, 0, 0, 0};
        byte[] destination = {17, 0, 1, 4, 0, 0, 0, 0};
        ParsedPacket parsed = new ParsedPacket();
        byte[] chain = ipv6(
                "2001:db8:1::10",
                "2001:db8:3::1",
                0,
                64,
                TestPackets.concat(hopByHop, destination),
                udp(1, 2, bytes(8, 0)));
        assertNull(PacketParser.parse(MemorySegment.ofArray(chain), chain.length, chain.length, parsed));
        assertEquals(56, parsed.headerLength);
        assertEquals(17, parsed.protocol);

        byte[] lateHopByHop = {0, 0, 1, 4, 0, 0, 0, 0};
        assertEquals(
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                parse(ipv6(
                        "2001:db8:1::10", "2001:db8:3::1", 60, 64, TestPackets.concat(lateHopByHop, hopByHop), NONE)));
        byte[] overlong = {17, 5, 0, 0, 0, 0, 0, 0};
        assertEquals(
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                parse(ipv6("2001:db8:1::10", "2001:db8:3::1", 60, 64, overlong, bytes(8, 0))));

        byte[] fragment = {17, 0, 0, (byte) 0x11, 0, 0, 0, 42};
        byte[] fragmented = ipv6("2001:db8:1::10", "2001:db8:3::1", 44, 64, fragment, bytes(16, 0));
        assertNull(PacketParser.parse(MemorySegment.ofArray(fragmented), fragmented.length, fragmented.length, parsed));
        assertTrue(parsed.fragment);
        assertEquals(16, parsed.fragmentOffset);
        assertTrue(parsed.moreFragments);
        assertEquals(42, parsed.identification);
        assertEquals(40, parsed.fragmentHeaderOffset);
        assertEquals(Ipv6Header.NEXT_HEADER, parsed.fragmentNextHeaderField);
    }

    @Test
    @DisplayName("Headers longer than the parse window → HEADER_NOT_CONTIGUOUS; multicast source → BAD_SOURCE_ADDRESS")
    void windowAndSource() {
        byte[] big = new byte[PacketParser.PARSE_WINDOW + 8];
        big[0] = 17;
        big[1] = (byte) ((big.length / 8) - 1);
        assertEquals(
                IpDiscardReason.HEADER_NOT_CONTIGUOUS,
                parse(ipv6("2001:db8:1::10", "2001:db8:3::1", 60, 64, big, bytes(8, 0))));
        assertEquals(IpDiscardReason.BAD_SOURCE_ADDRESS, parse(ipv4("224.0.0.1", "203.0.113.5", 17, 64, bytes(8, 0))));
        assertEquals(
                IpDiscardReason.BAD_SOURCE_ADDRESS, parse(ipv6("ff02::1", "2001:db8:3::1", 17, 64, NONE, bytes(8, 0))));
    }

    @Test
    @DisplayName("Received bad packets are counted, shown at INBOUND_IPPACKET's twin, returned, and get no ICMP")
    void receivedBadPacketsAreReturned() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] checksum = good();
            checksum[11] ^= 0x01;
            bed.wire1.receive(checksum);
            bed.wire1.receive(Arrays.copyOf(good(), 10));
            bed.wire1.receive(new byte[] {0x60});
            assertEquals(3, bed.wire1.returned());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.BAD_CHECKSUM));
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_LENGTH));
            assertTrue(bed.discards().stream().allMatch(s -> s.point() == HookPoint.INBOUND_IPPACKET));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertTrue(bed.wire2.takeSent().isEmpty());
        }
    }
}
