package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        return PacketParser.parse(MemorySegment.ofArray(packet), available, dataLength, new PacketFacts());
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
        PacketFacts parsed = new PacketFacts();
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

    private static PacketFacts parsed(byte[] packet) {
        PacketFacts parsed = new PacketFacts();
        int available = Math.min(packet.length, PacketParser.PARSE_WINDOW);
        PacketParser.parse(MemorySegment.ofArray(packet), available, packet.length, parsed);
        return parsed;
    }

    private static byte[] withOptions(int... options) {
        byte[] bytes = new byte[options.length];
        for (int i = 0; i < options.length; i++) {
            bytes[i] = (byte) options[i];
        }
        return ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0, bytes, bytes(8, 0));
    }

    /** Asserts the parse turned the packet down for {@code reason}, with {@code error} at {@code pointer} (or none). */
    private static void assertRefused(byte[] packet, IpDiscardReason reason, IcmpErrorKind error, int pointer) {
        PacketFacts parsed = new PacketFacts();
        int available = Math.min(packet.length, PacketParser.PARSE_WINDOW);
        assertEquals(reason, PacketParser.parse(MemorySegment.ofArray(packet), available, packet.length, parsed));
        assertEquals(error, parsed.problem);
        if (error != null) {
            assertEquals(pointer, parsed.problemPointer, "pointer");
        }
    }

    /** Asserts the parse accepted the packet and left {@code reason} to its destination, with that ICMP error. */
    private static void assertDeferred(byte[] packet, IpDiscardReason reason, IcmpErrorKind error, int pointer) {
        PacketFacts parsed = new PacketFacts();
        int available = Math.min(packet.length, PacketParser.PARSE_WINDOW);
        assertNull(PacketParser.parse(MemorySegment.ofArray(packet), available, packet.length, parsed));
        assertEquals(reason, parsed.deliveryProblem);
        assertEquals(error, parsed.problem);
        if (error != null) {
            assertEquals(pointer, parsed.problemPointer, "pointer");
        }
    }

    @Test
    @DisplayName("IPv4 options: NOP, EOL and unknown options pass; a bad length or pointer is BAD_OPTION with a"
            + " Parameter Problem pointer")
    void options() {
        assertNull(parse(withOptions(1, 1, 0, 0)));
        assertNull(parse(withOptions(0, 7, 1, 0)), "nothing after End of Option List is read");
        assertNull(parse(withOptions(0x99, 4, 0, 0)), "RFC 1122 §3.2.1.8: an unknown option is skipped");
        assertNull(parse(withOptions(7, 3, 4, 1)), "an empty Record Route");
        // RFC 1812 §4.3.3.5: the pointer names the octet in error; a bad length names the option (as Linux does).
        assertRefused(withOptions(7, 9, 4, 0), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 20);
        assertRefused(withOptions(7, 1, 0, 0), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 20);
        assertRefused(withOptions(1, 1, 1, 7), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 23);
        assertRefused(withOptions(7, 2, 1, 0), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 21);
        assertRefused(withOptions(7, 3, 3, 1), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 22);
        assertRefused(withOptions(0x83, 3, 2, 1), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 22);
        assertRefused(withOptions(0x44, 3, 5, 1), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 21);
        assertRefused(withOptions(0x44, 4, 4, 0), IpDiscardReason.BAD_OPTION, IcmpErrorKind.PARAMETER_PROBLEM, 22);
        PacketFacts refused = parsed(withOptions(7, 1, 0, 0));
        assertEquals(0xC000020AL, refused.sourceLow, "the addresses are read before the options: the error needs them");
        assertEquals(32, refused.packetLength);
    }

    @Test
    @DisplayName("IPv6: the walk finds the upper layer and the field that names it; Hop-by-Hop errors are every node's,"
            + " the others the destination's")
    void extensionHeaders() {
        byte[] hopByHop = {60, 0, 1, 4, 0, 0, 0, 0};
        byte[] destination = {17, 0, 1, 4, 0, 0, 0, 0};
        byte[] chain = ipv6(
                "2001:db8:1::10",
                "2001:db8:3::1",
                0,
                64,
                TestPackets.concat(hopByHop, destination),
                udp(1, 2, bytes(8, 0)));
        PacketFacts parsed = parsed(chain);
        assertNull(parsed.deliveryProblem);
        assertEquals(56, parsed.headerLength);
        assertEquals(17, parsed.protocol);
        assertEquals(48, parsed.protocolField, "the destination options header's Next Header");
        assertEquals(
                Ipv6Header.NEXT_HEADER,
                parsed(ipv6("2001:db8:1::10", "2001:db8:3::1", 17, 64, NONE, NONE)).protocolField);

        // RFC 8200 §4: Next Header 0 after the fixed header is unrecognized; pointer at the field holding it.
        byte[] lateHopByHop = {0, 0, 1, 4, 0, 0, 0, 0};
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 60, 64, TestPackets.concat(lateHopByHop, hopByHop), NONE),
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                IcmpErrorKind.PROTOCOL_UNREACHABLE,
                40);
        byte[] overlong = {17, 5, 0, 0, 0, 0, 0, 0};
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 60, 64, overlong, bytes(8, 0)),
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                null,
                0);
        byte[] overlongHopByHop = {17, 5, 1, 4, 0, 0, 0, 0};
        assertRefused(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 0, 64, overlongHopByHop, bytes(8, 0)),
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                null,
                0);
        byte[] authentication = {17, 4, 0, 0, 0, 0, 0, 0};
        PacketFacts withAh = parsed(ipv6("2001:db8:1::10", "2001:db8:3::1", 51, 64, authentication, bytes(24, 0)));
        assertEquals(51, withAh.protocol, "no IPsec: AH is the upper layer");
        assertEquals(40, withAh.headerLength);
    }

    /** A Hop-by-Hop (next 0) or Destination Options (next 60) header of 8 bytes holding one 4-byte option. */
    private static byte[] optionHeader(int type, int length) {
        byte[] header = {17, 0, (byte) type, (byte) length, 0, 0, 0, 0};
        if (length <= 2) {
            header[4 + length] = 1; // PadN over the rest; a single byte left is a Pad1 (0)
            header[5 + length] = (byte) (2 - length);
        }
        return header;
    }

    private static byte[] withOptionHeader(int next, String destination, byte[] header) {
        return ipv6("2001:db8:1::10", destination, next, 64, header, udp(1, 2, bytes(8, 0)));
    }

    @Test
    @DisplayName("RFC 8200 §4.2: an unrecognized option's two high bits: skip, drop, drop and report, report unless"
            + " multicast; pointer at the option type")
    void optionActions() {
        String unicast = "2001:db8:3::1";
        String multicast = "ff0e::1";
        assertNull(parse(withOptionHeader(0, unicast, optionHeader(0x1E, 2))), "00: skipped");
        assertRefused(withOptionHeader(0, unicast, optionHeader(0x5E, 2)), IpDiscardReason.BAD_OPTION, null, 0);
        assertRefused(
                withOptionHeader(0, unicast, optionHeader(0x9E, 2)),
                IpDiscardReason.BAD_OPTION,
                IcmpErrorKind.UNRECOGNIZED_OPTION,
                42);
        assertRefused(
                withOptionHeader(0, multicast, optionHeader(0x9E, 2)),
                IpDiscardReason.BAD_OPTION,
                IcmpErrorKind.UNRECOGNIZED_OPTION,
                42);
        assertRefused(
                withOptionHeader(0, unicast, optionHeader(0xDE, 2)),
                IpDiscardReason.BAD_OPTION,
                IcmpErrorKind.UNRECOGNIZED_OPTION,
                42);
        assertRefused(withOptionHeader(0, multicast, optionHeader(0xDE, 2)), IpDiscardReason.BAD_OPTION, null, 0);
        // Router Alert (RFC 2711) is known in Hop-by-Hop, with a 2-byte value; Jumbo Payload (0xC2) is not.
        assertNull(parse(withOptionHeader(0, unicast, optionHeader(5, 2))));
        assertRefused(withOptionHeader(0, unicast, optionHeader(5, 3)), IpDiscardReason.BAD_OPTION, null, 0);
        assertRefused(
                withOptionHeader(0, unicast, optionHeader(0xC2, 4)),
                IpDiscardReason.BAD_OPTION,
                IcmpErrorKind.UNRECOGNIZED_OPTION,
                42);
        assertRefused(withOptionHeader(0, unicast, optionHeader(0x1E, 5)), IpDiscardReason.BAD_OPTION, null, 0);
        // The same options in Destination Options are the destination's (RFC 8200 §4).
        assertDeferred(
                withOptionHeader(60, unicast, optionHeader(0x9E, 2)),
                IpDiscardReason.BAD_OPTION,
                IcmpErrorKind.UNRECOGNIZED_OPTION,
                42);
        assertDeferred(withOptionHeader(60, unicast, optionHeader(0x5E, 2)), IpDiscardReason.BAD_OPTION, null, 0);
    }

    @Test
    @DisplayName("Routing header: Segments Left 0 is ignored; above 0 (type 0 included, RFC 5095) Parameter Problem 0"
            + " at the Routing Type, for the destination")
    void routingHeader() {
        byte[] typeZero = {17, 0, 0, 1, 0, 0, 0, 0};
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 43, 64, typeZero, udp(1, 2, bytes(8, 0))),
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                IcmpErrorKind.PARAMETER_PROBLEM,
                42);
        byte[] segmentRouting = {17, 0, 4, 3, 0, 0, 0, 0};
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 43, 64, segmentRouting, udp(1, 2, bytes(8, 0))),
                IpDiscardReason.EXTENSION_HEADERS_FAILURE,
                IcmpErrorKind.PARAMETER_PROBLEM,
                42);
        byte[] exhausted = {17, 0, 0, 0, 0, 0, 0, 0};
        PacketFacts parsed = parsed(ipv6("2001:db8:1::10", "2001:db8:3::1", 43, 64, exhausted, udp(1, 2, NONE)));
        assertNull(parsed.deliveryProblem);
        assertEquals(17, parsed.protocol);
        assertEquals(48, parsed.headerLength);
    }

    private static byte[] fragmentHeader(int next, int offset, boolean more, int identification) {
        byte[] header = {(byte) next, 0, 0, 0, 0, 0, 0, 0};
        TestPackets.put16(header, 2, offset | (more ? 1 : 0));
        header[7] = (byte) identification;
        return header;
    }

    @Test
    @DisplayName("Fragments: the fragment header found; an atomic fragment walked through (RFC 6946); bad lengths are"
            + " the destination's, with RFC 8200 §4.5's pointers")
    void fragments() {
        PacketFacts parsed =
                parsed(ipv6("2001:db8:1::10", "2001:db8:3::1", 44, 64, fragmentHeader(17, 16, true, 42), bytes(16, 0)));
        assertNull(parsed.deliveryProblem);
        assertTrue(parsed.fragment);
        assertEquals(16, parsed.fragmentOffset);
        assertTrue(parsed.moreFragments);
        assertEquals(42, parsed.identification);
        assertEquals(40, parsed.fragmentHeaderOffset);
        assertEquals(Ipv6Header.NEXT_HEADER, parsed.fragmentNextHeaderField);

        byte[] options = {17, 0, 1, 4, 0, 0, 0, 0};
        PacketFacts atomic = parsed(ipv6(
                "2001:db8:1::10",
                "2001:db8:3::1",
                44,
                64,
                TestPackets.concat(fragmentHeader(60, 0, false, 1), options),
                udp(1, 2, NONE)));
        assertFalse(atomic.fragment);
        assertEquals(17, atomic.protocol);
        assertEquals(56, atomic.headerLength);

        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 44, 64, fragmentHeader(17, 0, true, 1), bytes(12, 0)),
                IpDiscardReason.MALFORMED_HEADER,
                IcmpErrorKind.PARAMETER_PROBLEM,
                4);
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 44, 64, fragmentHeader(17, 65528, false, 1), bytes(16, 0)),
                IpDiscardReason.BAD_LENGTH,
                IcmpErrorKind.PARAMETER_PROBLEM,
                42);
        assertDeferred(
                ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 0x2000, NONE, bytes(13, 0)),
                IpDiscardReason.MALFORMED_HEADER,
                null,
                0);
        assertDeferred(
                ipv4("192.0.2.10", "203.0.113.5", 17, 64, 1, 65528 / 8, NONE, bytes(16, 0)),
                IpDiscardReason.BAD_LENGTH,
                null,
                0);
    }

    @Test
    @DisplayName("Headers longer than the parse window → HEADER_NOT_CONTIGUOUS; multicast source → BAD_SOURCE_ADDRESS")
    void windowAndSource() {
        byte[] big = new byte[PacketParser.PARSE_WINDOW + 8];
        big[0] = 17;
        big[1] = (byte) ((big.length / 8) - 1);
        assertDeferred(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 60, 64, big, bytes(8, 0)),
                IpDiscardReason.HEADER_NOT_CONTIGUOUS,
                null,
                0);
        assertRefused(
                ipv6("2001:db8:1::10", "2001:db8:3::1", 0, 64, big, bytes(8, 0)),
                IpDiscardReason.HEADER_NOT_CONTIGUOUS,
                null,
                0);
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
