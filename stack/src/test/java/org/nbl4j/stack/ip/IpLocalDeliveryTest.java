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
import static org.nbl4j.stack.ip.TestPackets.icmpv6ChecksumValid;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
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
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(29).toNanos(), true);
            assertEquals(1, bed.stack.pendingReassemblies());
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(30).toNanos(), true);
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
    @DisplayName("Other protocols are counted as delivered; BLOCK at INBOUND_IPPACKET stops delivery")
    void deliveredAndBlocked() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(ipv4("192.0.2.10", "198.51.100.1", 17, 64, TestPackets.udp(1, 2, bytes(4, 0))));
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
}
