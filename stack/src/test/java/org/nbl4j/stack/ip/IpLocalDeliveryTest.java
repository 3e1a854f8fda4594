package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.IpForwardingTest.assertIcmpV4;
import static org.nbl4j.stack.ip.IpForwardingTest.assertIcmpV6;
import static org.nbl4j.stack.ip.IpForwardingTest.single;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.checksum;
import static org.nbl4j.stack.ip.TestPackets.icmpEcho;
import static org.nbl4j.stack.ip.TestPackets.icmpV4Error;
import static org.nbl4j.stack.ip.TestPackets.icmpV6Error;
import static org.nbl4j.stack.ip.TestPackets.icmpv6ChecksumValid;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
import static org.nbl4j.stack.ip.TestPackets.u16;
import static org.nbl4j.stack.ip.TestPackets.udp;
import static org.nbl4j.stack.ip.TestPackets.withChecksum;
import static org.nbl4j.stack.ip.TestPackets.withIcmpv6Checksum;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Local delivery: the INBOUND_IPPACKET view, echo replies, and reassembly with its limits. */
class IpLocalDeliveryTest {

    @Test
    @DisplayName(
            "Echo v4: a reply out of the arrival interface, addresses swapped, checksums right; INBOUND at the ICMP header")
    void echoV4() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] request = icmpEcho(8, 0x77, 3, bytes(56, 9));
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, request));

            byte[] reply = single(bed.wire1.takeSent());
            assertEquals(0x45, reply[0]);
            assertEquals(0, checksum(reply, 0, 20));
            assertArrayEquals(TestPackets.ip("192.0.2.1").getAddress(), Arrays.copyOfRange(reply, 12, 16));
            assertArrayEquals(TestPackets.ip("192.0.2.10").getAddress(), Arrays.copyOfRange(reply, 16, 20));
            assertEquals(0, reply[20], "echo reply");
            assertEquals(0, checksum(reply, 20, reply.length - 20));
            assertArrayEquals(
                    Arrays.copyOfRange(request, 4, request.length), Arrays.copyOfRange(reply, 24, reply.length));

            IpTestBed.Seen inbound = bed.classified(HookPoint.INBOUND_IPPACKET).get(0);
            assertEquals(8, inbound.data()[0], "§5.2: INBOUND_IPPACKET starts at the transport header");
            assertEquals(20, inbound.ipHeaderSize());
            assertEquals(1, bed.classified(HookPoint.OUTBOUND_IPPACKET).size(), "the reply is shown outbound");
            assertEquals(1, bed.statistics().delivered());
            assertEquals(1, bed.statistics().echoRepliesSent());
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("Echo v6 through a destination-options header: reply 129 with the pseudo-header checksum")
    void echoV6() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] request = icmpEcho(128, 1, 1, bytes(32, 1));
            byte[] plain = withIcmpv6Checksum(ipv6("2001:db8:1::10", "2001:db8:1::1", 58, 64, new byte[0], request));
            byte[] icmp = Arrays.copyOfRange(plain, 40, plain.length);
            // Destination options, 8 bytes: next header 58, length 0, PadN of 4 bytes.
            byte[] options = {58, 0, 1, 4, 0, 0, 0, 0};
            bed.wire1.receive(ipv6("2001:db8:1::10", "2001:db8:1::1", 60, 64, options, icmp));

            byte[] reply = single(bed.wire1.takeSent());
            assertIcmpV6(reply, 129, 0);
            assertTrue(icmpv6ChecksumValid(reply));
            assertEquals(48, bed.classified(HookPoint.INBOUND_IPPACKET).get(0).ipHeaderSize());
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("An echo request with a wrong ICMP checksum is not answered (BAD_CHECKSUM)")
    void badEchoChecksum() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] request = icmpEcho(8, 1, 1, bytes(8, 0));
            request[2] ^= 1;
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, request));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.BAD_CHECKSUM));
        }
    }

    private static List<byte[]> fragmentsV4(byte[] payload, int pieceLength, int id) {
        List<byte[]> fragments = new java.util.ArrayList<>();
        for (int offset = 0; offset < payload.length; offset += pieceLength) {
            int length = Math.min(pieceLength, payload.length - offset);
            boolean more = offset + length < payload.length;
            fragments.add(ipv4(
                    "192.0.2.10",
                    "192.0.2.1",
                    1,
                    64,
                    id,
                    (more ? 0x2000 : 0) | (offset / 8),
                    new byte[0],
                    Arrays.copyOfRange(payload, offset, offset + length)));
        }
        return fragments;
    }

    private static List<byte[]> fragmentsV6(byte[] payload, int pieceLength, int id) {
        List<byte[]> fragments = new java.util.ArrayList<>();
        for (int offset = 0; offset < payload.length; offset += pieceLength) {
            int length = Math.min(pieceLength, payload.length - offset);
            boolean more = offset + length < payload.length;
            byte[] header = new byte[8];
            header[0] = 58;
            TestPackets.put16(header, 2, offset | (more ? 1 : 0));
            header[4] = (byte) (id >>> 24);
            header[5] = (byte) (id >>> 16);
            header[6] = (byte) (id >>> 8);
            header[7] = (byte) id;
            fragments.add(ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    44,
                    64,
                    header,
                    Arrays.copyOfRange(payload, offset, offset + length)));
        }
        return fragments;
    }

    @Test
    @DisplayName(
            "Reassembly v4 in order: IS_FRAGMENT per fragment, IS_REASSEMBLED once, echo answered, fragments returned at once")
    void reassemblesInOrder() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] request = icmpEcho(8, 5, 5, bytes(3000, 2));
            List<byte[]> fragments = fragmentsV4(request, 1480, 99);
            fragments.forEach(bed.wire1::receive);

            assertEquals(fragments.size(), bed.wire1.returned());
            List<IpTestBed.Seen> inbound = bed.classified(HookPoint.INBOUND_IPPACKET);
            assertEquals(fragments.size() + 1, inbound.size());
            assertTrue(inbound.subList(0, fragments.size()).stream()
                    .allMatch(s -> (s.flags() & IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT) != 0));
            assertTrue((inbound.get(fragments.size()).flags() & IpStack.FWP_CONDITION_FLAG_IS_REASSEMBLED) != 0);
            assertArrayEquals(request, inbound.get(fragments.size()).data(), "the reassembled transport bytes");
            assertEquals(1, bed.statistics().reassembled());
            // The 3028-byte reply is fragmented again to fit 1500.
            List<byte[]> reply = bed.wire1.takeSent();
            assertEquals(3, reply.size());
            assertEquals(0, bed.stack.pendingReassemblies());
        }
    }

    @Test
    @DisplayName("Reassembly v6 out of order: the datagram equals the original")
    void reassemblesOutOfOrderV6() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] payload = TestPackets.udp(7, 9, bytes(2500, 4));
            List<byte[]> fragments = fragmentsV6(payload, 1232, 0x01020304);
            for (int i = fragments.size() - 1; i >= 0; i--) {
                byte[] fragment = fragments.get(i);
                fragment[46] = 17;
                bed.wire1.receive(fragment);
            }
            IpTestBed.Seen whole = bed.classified(HookPoint.INBOUND_IPPACKET).getLast();
            assertTrue((whole.flags() & IpStack.FWP_CONDITION_FLAG_IS_REASSEMBLED) != 0);
            assertArrayEquals(payload, whole.data());
            assertEquals(fragments.size(), bed.wire1.returned());
            assertEquals(1, bed.statistics().reassembled());
        }
    }

    @Test
    @DisplayName("RFC 5722: an overlapping fragment drops the whole datagram, and later fragments of it too")
    void overlapDropsDatagram() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] payload = bytes(2400, 1);
            List<byte[]> fragments = fragmentsV4(payload, 800, 5);
            bed.wire1.receive(fragments.get(0));
            bed.wire1.receive(ipv4(
                    "192.0.2.10",
                    "192.0.2.1",
                    1,
                    64,
                    5,
                    0x2000 | (400 / 8),
                    new byte[0],
                    Arrays.copyOfRange(payload, 400, 1200)));
            bed.wire1.receive(fragments.get(1));
            bed.wire1.receive(fragments.get(2));
            assertEquals(0, bed.statistics().reassembled());
            assertEquals(3, bed.statistics().discards(IpDiscardReason.MALFORMED_HEADER));
            assertEquals(4, bed.wire1.returned());
            assertEquals(0, bed.ndis.poolUsage().diff(IpPoolTags.REASSEMBLY_PIECE), "pieces freed at the overlap");
        }
    }

    @Test
    @DisplayName("Timeout: the datagram is dropped and ICMP time exceeded 11/1 quotes the first fragment")
    void reassemblyTimeout() {
        try (IpTestBed bed = new IpTestBed(1500, builder -> builder.reassemblyTimeout(Duration.ofSeconds(30)))) {
            byte[] payload = icmpEcho(8, 1, 1, bytes(2000, 3));
            List<byte[]> fragments = fragmentsV4(payload, 1000, 77);
            bed.wire1.receive(fragments.get(0));
            assertEquals(1, bed.stack.pendingReassemblies());
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(29).toNanos(), false);
            assertEquals(1, bed.stack.pendingReassemblies());
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(30).toNanos(), false);
            assertEquals(0, bed.stack.pendingReassemblies());
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV4(error, "192.0.2.1", "192.0.2.10", 11, 1);
            byte[] first = fragments.get(0);
            assertArrayEquals(Arrays.copyOf(first, 548), Arrays.copyOfRange(error, 28, 576));
            assertEquals(1, bed.statistics().reassemblyTimeouts());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE));
        }
    }

    @Test
    @DisplayName("Timeout without the first fragment: dropped silently")
    void timeoutWithoutFirstFragment() {
        try (IpTestBed bed = new IpTestBed()) {
            List<byte[]> fragments = fragmentsV4(bytes(2000, 3), 1000, 78);
            bed.wire1.receive(fragments.get(1));
            bed.clock.addAndGet(Duration.ofSeconds(61).toNanos());
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, 79, 0x2000, new byte[0], bytes(8, 0)));
            assertEquals(1, bed.statistics().reassemblyTimeouts(), "expired on the next fragment's arrival");
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(1, bed.stack.pendingReassemblies());
        }
    }

    @Test
    @DisplayName(
            "Memory limit: a fragment beyond the byte bound is dropped (ALLOCATION_FAILURE), the table never exceeds it")
    void memoryLimit() {
        try (IpTestBed bed = new IpTestBed(1500, builder -> builder.reassemblyLimits(2000, 2))) {
            bed.wire1.receive(fragmentsV4(bytes(4000, 1), 1200, 1).get(0));
            bed.wire1.receive(fragmentsV4(bytes(4000, 1), 1200, 2).get(0));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.ALLOCATION_FAILURE));
            bed.wire1.receive(fragmentsV4(bytes(400, 1), 200, 3).get(0));
            bed.wire1.receive(fragmentsV4(bytes(400, 1), 200, 4).get(0));
            assertEquals(2, bed.stack.pendingReassemblies(), "at most two datagrams");
            assertEquals(2, bed.statistics().discards(IpDiscardReason.ALLOCATION_FAILURE));
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("A non-final fragment whose payload is not a multiple of 8 is MALFORMED_HEADER")
    void oddFragment() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, 1, 0x2000, new byte[0], bytes(13, 0)));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.MALFORMED_HEADER));
            assertEquals(0, bed.stack.pendingReassemblies());
        }
    }

    @Test
    @DisplayName("ICMP other than echo is taken (delivered); BLOCK at INBOUND_IPPACKET stops delivery")
    void deliveredAndBlocked() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(ipv4("192.0.2.10", "198.51.100.1", 1, 64, icmpEcho(0, 1, 1, bytes(4, 0))));
            assertEquals(1, bed.statistics().delivered(), "any local address of the compartment (weak host)");
            bed.verdicts.put(HookPoint.INBOUND_IPPACKET, HookVerdict.BLOCK);
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, icmpEcho(8, 1, 1, bytes(4, 0))));
            assertEquals(1, bed.statistics().delivered());
            assertTrue(bed.wire1.takeSent().isEmpty());
            IpTestBed.Seen discard = bed.discards().get(0);
            assertEquals(HookPoint.INBOUND_IPPACKET, discard.point());
            assertEquals(0x45, discard.data()[0], "offset restored after the classify (§5.2)");
            assertEquals(2, bed.wire1.returned());
        }
    }

    private static byte[] udpV4To(String destination, byte[] data) {
        return withChecksum(ipv4("192.0.2.10", destination, 17, 64, udp(4000, 53, data)));
    }

    private static byte[] udpV6To(String destination, byte[] data) {
        return withChecksum(ipv6("2001:db8:1::10", destination, 17, 64, new byte[0], udp(4000, 53, data)));
    }

    @Test
    @DisplayName("RFC 1122 §4.1.3.1: UDP to this host (no sockets) gets port unreachable 3/3 / 1/4 quoting it"
            + " (PORT_UNREACHABLE), after INBOUND_IPPACKET")
    void udpPortUnreachable() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] v4 = udpV4To("192.0.2.1", bytes(30, 1));
            bed.wire1.receive(v4);
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(icmpV4Error("192.0.2.1", "192.0.2.10", u16(error, 4), 3, 3, 0, v4), error);

            byte[] v6 = udpV6To("2001:db8:1::1", bytes(30, 1));
            bed.wire1.receive(v6);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 1, 4, 0, v6), single(bed.wire1.takeSent()));

            assertEquals(2, bed.statistics().discards(IpDiscardReason.PORT_UNREACHABLE));
            assertEquals(0, bed.statistics().delivered());
            assertEquals(2, bed.classified(HookPoint.INBOUND_IPPACKET).size(), "shown before the transport refuses it");
            assertTrue(bed.discards().stream()
                    .allMatch(d ->
                            d.point() == HookPoint.INBOUND_IPPACKET && d.reason() == IpDiscardReason.PORT_UNREACHABLE));
            assertEquals(2, bed.statistics().icmpErrorsSent());
            assertEquals(2, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("UDP checksums are checked before any answer: none over IPv4 is fine, none over IPv6 is not (RFC 8200"
            + " §8.1); a UDP length beyond the packet is BAD_LENGTH")
    void udpChecksumsAndLengths() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] corrupt = udpV4To("192.0.2.1", bytes(20, 1));
            corrupt[30] ^= 1;
            bed.wire1.receive(corrupt);
            bed.wire1.receive(ipv6("2001:db8:1::10", "2001:db8:1::1", 17, 64, new byte[0], udp(1, 2, bytes(8, 0))));
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_CHECKSUM));
            assertTrue(bed.wire1.takeSent().isEmpty());

            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 17, 64, udp(1, 2, bytes(8, 0))));
            assertEquals(1, bed.wire1.takeSent().size(), "IPv4 UDP without a checksum is answered");
            byte[] longer = udpV4To("192.0.2.1", bytes(8, 0));
            TestPackets.put16(longer, 24, 17);
            bed.wire1.receive(longer);
            assertEquals(1, bed.statistics().discards(IpDiscardReason.BAD_LENGTH));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 1122 §3.2.2: no port unreachable to a broadcast or multicast destination")
    void udpToGroupsIsNotAnswered() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(udpV4To("255.255.255.255", bytes(8, 0)));
            bed.wire1.receive(udpV4To("224.0.0.251", bytes(8, 0)));
            bed.wire1.receive(udpV6To("ff02::fb", bytes(8, 0)));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(3, bed.statistics().discards(IpDiscardReason.PORT_UNREACHABLE));
        }
    }

    /** The reset the stack should answer with, built by the test: addresses swapped, window 0, checksums right. */
    private static byte[] expectedReset(
            boolean v4, int identification, int sourcePort, int destinationPort, int sequence, int ack, int flags) {
        byte[] segment = TestPackets.tcp(sourcePort, destinationPort, sequence, ack, flags, new byte[0]);
        TestPackets.put16(segment, 14, 0);
        return withChecksum(
                v4
                        ? ipv4("192.0.2.1", "192.0.2.10", 6, 64, identification, 0, new byte[0], segment)
                        : ipv6("2001:db8:1::1", "2001:db8:1::10", 6, 64, new byte[0], segment));
    }

    @Test
    @DisplayName("RFC 9293 §3.10.7.1: TCP to this host gets a reset: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> without"
            + " ACK, <SEQ=SEG.ACK><RST> with it, nothing for a reset")
    void tcpReset() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] syn = withChecksum(
                    ipv4("192.0.2.10", "192.0.2.1", 6, 64, TestPackets.tcp(40000, 80, 1000, 0, 0x02, new byte[0])));
            bed.wire1.receive(syn);
            byte[] reset = single(bed.wire1.takeSent());
            assertArrayEquals(expectedReset(true, u16(reset, 4), 80, 40000, 0, 1001, 0x14), reset);

            byte[] ack = withChecksum(ipv4(
                    "192.0.2.10", "192.0.2.1", 6, 64, TestPackets.tcp(40001, 22, 5, 0xFFFFFFF0, 0x18, bytes(10, 0))));
            bed.wire1.receive(ack);
            reset = single(bed.wire1.takeSent());
            assertArrayEquals(expectedReset(true, u16(reset, 4), 22, 40001, 0xFFFFFFF0, 0, 0x04), reset);

            // SYN and FIN count one each: SEG.LEN = 10 + 2, and the sequence wraps modulo 2^32.
            byte[] synFin = withChecksum(ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    6,
                    64,
                    new byte[0],
                    TestPackets.tcp(40002, 443, 0xFFFFFFFA, 0, 0x03, bytes(10, 0))));
            bed.wire1.receive(synFin);
            assertArrayEquals(expectedReset(false, 0, 443, 40002, 0, 6, 0x14), single(bed.wire1.takeSent()));

            bed.wire1.receive(withChecksum(
                    ipv4("192.0.2.10", "192.0.2.1", 6, 64, TestPackets.tcp(40003, 80, 1, 0, 0x04, new byte[0]))));
            byte[] corrupt = syn.clone();
            corrupt[37] ^= 1;
            bed.wire1.receive(corrupt);
            assertTrue(bed.wire1.takeSent().isEmpty(), "no reset for a reset, nor for a corrupt segment");
            assertEquals(3, bed.statistics().resetsSent());
            assertEquals(4, bed.statistics().discards(IpDiscardReason.PORT_UNREACHABLE));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.BAD_CHECKSUM));
            assertEquals(3, bed.classified(HookPoint.OUTBOUND_IPPACKET).size(), "each reset is shown outbound");
            assertEquals(5, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("A protocol without a receiver: protocol unreachable 3/2 over IPv4; over IPv6 Parameter Problem 4/1"
            + " pointing at the Next Header that names it (RFC 8200 §4)")
    void protocolUnreachable() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] v4 = ipv4("192.0.2.10", "192.0.2.1", 253, 64, bytes(12, 0));
            bed.wire1.receive(v4);
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(icmpV4Error("192.0.2.1", "192.0.2.10", u16(error, 4), 3, 2, 0, v4), error);

            byte[] v6 = ipv6("2001:db8:1::10", "2001:db8:1::1", 50, 64, new byte[0], bytes(16, 0));
            bed.wire1.receive(v6);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 1, 6, v6),
                    single(bed.wire1.takeSent()),
                    "ESP: no IPsec, so no receiver");

            byte[] behindOptions = ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    60,
                    64,
                    new byte[] {(byte) 253, 0, 1, 4, 0, 0, 0, 0},
                    bytes(16, 0));
            bed.wire1.receive(behindOptions);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 1, 40, behindOptions),
                    single(bed.wire1.takeSent()));
            assertEquals(3, bed.statistics().discards(IpDiscardReason.PROTOCOL_UNREACHABLE));

            // Hop-by-Hop after another header: unrecognized as well, before INBOUND_IPPACKET.
            byte[] lateHopByHop = ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    60,
                    64,
                    new byte[] {0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0},
                    bytes(8, 0));
            bed.wire1.receive(lateHopByHop);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 1, 40, lateHopByHop),
                    single(bed.wire1.takeSent()));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.EXTENSION_HEADERS_FAILURE));
            assertEquals(3, bed.classified(HookPoint.INBOUND_IPPACKET).size());
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("IGMP, ICMP messages other than echo requests and IPv6 No Next Header are taken without an answer")
    void consumedProtocols() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 2, 1, bytes(8, 0)));
            bed.wire1.receive(withChecksum(
                    ipv6("2001:db8:1::10", "2001:db8:1::1", 58, 255, new byte[0], icmpEcho(136, 0, 0, bytes(16, 0)))));
            bed.wire1.receive(ipv6("2001:db8:1::10", "2001:db8:1::1", 59, 64, new byte[0], new byte[0]));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(3, bed.statistics().delivered());
            assertEquals(0, bed.statistics().totalDiscards());
        }
    }

    @Test
    @DisplayName("Destination Options and Routing headers are processed here: an unrecognized option 10xxxxxx gets"
            + " 4/2, a Routing header with Segments Left (type 0 deprecated, RFC 5095) 4/0 at its type")
    void destinationExtensionHeaders() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] echo = icmpEcho(128, 7, 7, bytes(8, 0));
            byte[] option = ipv6(
                    "2001:db8:1::10", "2001:db8:1::1", 60, 64, new byte[] {58, 0, (byte) 0x80, 2, 0, 0, 1, 0}, echo);
            bed.wire1.receive(option);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 2, 42, option), single(bed.wire1.takeSent()));
            bed.wire1.receive(
                    ipv6("2001:db8:1::10", "2001:db8:1::1", 60, 64, new byte[] {58, 0, 0x40, 2, 0, 0, 1, 0}, echo));
            assertTrue(bed.wire1.takeSent().isEmpty(), "01xxxxxx: dropped silently");
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_OPTION));

            byte[] routing = ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    43,
                    64,
                    new byte[] {58, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                    echo);
            bed.wire1.receive(routing);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 0, 42, routing), single(bed.wire1.takeSent()));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.EXTENSION_HEADERS_FAILURE));

            // Segments Left 0: the header is ignored and the packet processed; the echo is answered.
            byte[] exhausted = withChecksum(ipv6("2001:db8:1::10", "2001:db8:1::1", 58, 64, new byte[0], echo));
            byte[] request = Arrays.copyOfRange(exhausted, 40, exhausted.length);
            bed.wire1.receive(
                    ipv6("2001:db8:1::10", "2001:db8:1::1", 43, 64, new byte[] {58, 0, 0, 0, 0, 0, 0, 0}, request));
            byte[] reply = single(bed.wire1.takeSent());
            assertIcmpV6(reply, 129, 0);
            assertTrue(bed.discards().stream().allMatch(d -> d.point() == HookPoint.INBOUND_IPPACKET));
            assertEquals(1, bed.classified(HookPoint.INBOUND_IPPACKET).size(), "refused before INBOUND_IPPACKET");
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 4443 §2.4(e.3): an unrecognized Hop-by-Hop option 10xxxxxx is reported even to a multicast"
            + " destination, 11xxxxxx is not")
    void unrecognizedOptionToMulticast() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] reported = ipv6(
                    "2001:db8:1::10", "ff02::1", 0, 1, new byte[] {58, 0, (byte) 0x9E, 2, 0, 0, 1, 0}, bytes(8, 0));
            bed.wire1.receive(reported);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 2, 42, reported), single(bed.wire1.takeSent()));
            bed.wire1.receive(ipv6(
                    "2001:db8:1::10", "ff02::1", 0, 1, new byte[] {58, 0, (byte) 0xDE, 2, 0, 0, 1, 0}, bytes(8, 0)));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_OPTION));
        }
    }

    @Test
    @DisplayName("RFC 8200 §4.5: a non-final fragment not a multiple of 8 gets 4/0 at Payload Length, one past 65535"
            + " 4/0 at the Fragment Offset (a later fragment: RFC 4443 has no rule against that); over IPv4 both are"
            + " dropped silently")
    void badFragmentLengths() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] odd =
                    ipv6("2001:db8:1::10", "2001:db8:1::1", 44, 64, new byte[] {17, 0, 0, 1, 0, 0, 0, 9}, bytes(12, 0));
            bed.wire1.receive(odd);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 0, 4, odd), single(bed.wire1.takeSent()));
            byte[] beyond = ipv6(
                    "2001:db8:1::10",
                    "2001:db8:1::1",
                    44,
                    64,
                    new byte[] {17, 0, (byte) 0xFF, (byte) 0xF8, 0, 0, 0, 9},
                    bytes(16, 0));
            bed.wire1.receive(beyond);
            assertArrayEquals(
                    icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 0, 42, beyond), single(bed.wire1.takeSent()));
            // RFC 1812 §4.3.2.7 / RFC 1122 §3.2.2: IPv4 sends no error about a fragment but the first anyway.
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, 1, 0x2000, new byte[0], bytes(13, 0)));
            bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 1, 64, 1, 0x1FFF, new byte[0], bytes(16, 0)));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(2, bed.statistics().discards(IpDiscardReason.MALFORMED_HEADER));
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_LENGTH));
            assertEquals(0, bed.stack.pendingReassemblies());
            assertTrue(bed.classified(HookPoint.INBOUND_IPPACKET).isEmpty());
        }
    }

    @Test
    @DisplayName("A padded echo request (Ethernet minimum frame) is answered without the padding")
    void paddedEcho() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] request = ipv4("192.0.2.10", "192.0.2.1", 1, 64, icmpEcho(8, 1, 1, new byte[4]));
            bed.wire1.receive(TestPackets.concat(request, new byte[14]));
            byte[] reply = single(bed.wire1.takeSent());
            assertEquals(request.length, reply.length);
            assertEquals(0, checksum(reply, 20, reply.length - 20));
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("Port unreachable about a reassembled datagram quotes the datagram, not a fragment")
    void portUnreachableAfterReassembly() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] whole = udpV4To("192.0.2.1", bytes(1992, 3));
            byte[] datagram = Arrays.copyOfRange(whole, 20, whole.length);
            List<byte[]> fragments = new java.util.ArrayList<>();
            for (int offset = 0; offset < datagram.length; offset += 1000) {
                int length = Math.min(1000, datagram.length - offset);
                boolean more = offset + length < datagram.length;
                fragments.add(ipv4(
                        "192.0.2.10",
                        "192.0.2.1",
                        17,
                        64,
                        0x1234,
                        (more ? 0x2000 : 0) | (offset / 8),
                        new byte[0],
                        Arrays.copyOfRange(datagram, offset, offset + length)));
            }
            bed.wire1.receive(fragments.get(1));
            bed.wire1.receive(fragments.get(0));
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(icmpV4Error("192.0.2.1", "192.0.2.10", u16(error, 4), 3, 3, 0, whole), error);
            assertEquals(1, bed.statistics().reassembled());
        }
    }

    @Test
    @DisplayName("Port and protocol unreachable share the ICMP rate limit")
    void unreachablesAreRateLimited() {
        try (IpTestBed bed = new IpTestBed(1500, builder -> builder.icmpRateLimit(1, 2))) {
            for (int i = 0; i < 3; i++) {
                bed.wire1.receive(udpV4To("192.0.2.1", bytes(8, i)));
                bed.wire1.receive(ipv4("192.0.2.10", "192.0.2.1", 253, 64, bytes(8, i)));
            }
            assertEquals(2, bed.wire1.takeSent().size());
            assertEquals(4, bed.statistics().icmpRateLimited());
        }
    }
}
