package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.checksum;
import static org.nbl4j.stack.ip.TestPackets.icmpv6ChecksumValid;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
import static org.nbl4j.stack.ip.TestPackets.u16;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;

/** The forward path: TTL, routes, the IPFORWARD hook, zero-copy sends, ICMP errors and ownership. */
class IpForwardingTest {
    private static final byte[] NO_OPTIONS = new byte[0];

    private static byte[] udpV4(String destination, int ttl, int length) {
        return ipv4("192.0.2.10", destination, 17, ttl, udp(4000, 53, bytes(length, 3)));
    }

    private static byte[] udpV6(String destination, int hopLimit, int length) {
        return ipv6("2001:db8:1::10", destination, 17, hopLimit, NO_OPTIONS, udp(4000, 53, bytes(length, 5)));
    }

    @Test
    @DisplayName(
            "IPv4 forward: TTL decremented before IPFORWARD with a correct checksum; the NBL itself is sent and returned once")
    void forwardsIpv4() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] packet = udpV4("203.0.113.5", 64, 100);
            bed.wire1.receive(packet);

            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(1, sent.size());
            byte[] out = sent.get(0);
            assertEquals(63, out[8] & 0xFF);
            assertEquals(0, checksum(out, 0, 20), "header checksum after the incremental update");
            byte[] expected = packet.clone();
            expected[8] = 63;
            expected[10] = out[10];
            expected[11] = out[11];
            assertArrayEquals(expected, out);
            assertEquals(1, bed.wire1.returned());

            IpTestBed.Seen forward = bed.classified(HookPoint.IPFORWARD).get(0);
            assertEquals(63, forward.data()[8] & 0xFF, "§9 item 16: IPFORWARD sees the decremented TTL");
            assertEquals(0x45, forward.data()[0] & 0xFF, "offset at the IP header (§5.2)");
            assertEquals(1, forward.arrivalInterface());
            assertEquals(2, forward.destinationInterface());
            assertEquals(1, forward.compartment());
            assertEquals(1, bed.statistics().forwarded());
            assertEquals(1, bed.statistics().interfaces().get(0).inPackets());
            assertEquals(1, bed.statistics().interfaces().get(1).outPackets());
        }
    }

    @Test
    @DisplayName("IPv6 forward: hop limit decremented, bytes otherwise unchanged")
    void forwardsIpv6() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] packet = udpV6("2001:db8:3::5", 10, 200);
            bed.wire1.receive(packet);

            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(1, sent.size());
            byte[] expected = packet.clone();
            expected[7] = 9;
            assertArrayEquals(expected, sent.get(0));
            assertEquals(1, bed.wire1.returned());
            assertEquals(9, bed.classified(HookPoint.IPFORWARD).get(0).data()[7]);
        }
    }

    @Test
    @DisplayName("IPv6 extension headers past the first bytes parsed are read from the whole parse window; beyond it,"
            + " HEADER_NOT_CONTIGUOUS for a Hop-by-Hop header, while a Destination Options header is left to the"
            + " destination")
    void longExtensionHeadersAreParsedFromTheWholeWindow() {
        try (IpTestBed bed = new IpTestBed()) {
            // A destination options header of 304 bytes: past the 128 bytes the receive path copies first.
            byte[] options = new byte[304];
            options[0] = 17;
            options[1] = (byte) (options.length / 8 - 1);
            options[2] = 1; // PadN over the rest
            options[3] = (byte) (options.length - 4);
            byte[] packet = ipv6("2001:db8:1::10", "2001:db8:3::5", 60, 64, options, udp(4000, 53, bytes(20, 7)));
            bed.wire1.receive(packet);

            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(1, sent.size());
            byte[] expected = packet.clone();
            expected[7] = 63;
            assertArrayEquals(expected, sent.get(0));

            byte[] tooLong = new byte[PacketParser.PARSE_WINDOW];
            tooLong[0] = 17;
            tooLong[1] = (byte) (tooLong.length / 8 - 1);
            byte[] transit = ipv6("2001:db8:1::10", "2001:db8:3::5", 60, 64, tooLong, udp(4000, 53, bytes(20, 7)));
            bed.wire1.receive(transit);
            assertEquals(1, bed.wire2.takeSent().size(), "RFC 8200 §4: no node on the path examines it");
            bed.wire1.receive(ipv6("2001:db8:1::10", "2001:db8:1::1", 60, 64, tooLong, udp(4000, 53, bytes(20, 7))));
            bed.wire1.receive(ipv6("2001:db8:1::10", "2001:db8:3::5", 0, 64, tooLong, udp(4000, 53, bytes(20, 7))));
            assertEquals(
                    List.of(IpDiscardReason.HEADER_NOT_CONTIGUOUS, IpDiscardReason.HEADER_NOT_CONTIGUOUS),
                    bed.discards().stream().map(IpTestBed.Seen::reason).toList());
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertEquals(2, bed.statistics().forwarded());
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("The received NBL goes back only when its send completes")
    void returnWaitsForSendCompletion() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire2.deferCompletions(true);
            bed.wire1.receive(udpV4("203.0.113.5", 64, 10));
            assertEquals(0, bed.wire1.returned());
            bed.wire2.completeAll();
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("No route: NO_ROUTE at IPFORWARD's discard twin, ICMP net unreachable quoting the packet")
    void noRouteV4() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] packet = udpV4("203.0.113.200", 64, 40);
            bed.wire1.receive(packet);

            assertTrue(bed.wire2.takeSent().isEmpty());
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV4(error, "192.0.2.1", "192.0.2.10", 3, 0);
            assertArrayEquals(packet, Arrays.copyOfRange(error, 28, error.length), "the whole packet is quoted");
            assertEquals(1, bed.statistics().discards(IpDiscardReason.NO_ROUTE));
            IpTestBed.Seen discard = bed.discards().get(0);
            assertEquals(HookPoint.IPFORWARD, discard.point());
            assertEquals(IpDiscardReason.NO_ROUTE, discard.reason());
            assertEquals(1, bed.wire1.returned());
            assertEquals(1, bed.statistics().icmpErrorsSent());
        }
    }

    @Test
    @DisplayName("No route over IPv6: ICMPv6 destination unreachable 1/0 with a correct pseudo-header checksum")
    void noRouteV6() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] packet = udpV6("2001:db8:4::1", 64, 40);
            bed.wire1.receive(packet);
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV6(error, 1, 0);
            assertArrayEquals(packet, Arrays.copyOfRange(error, 48, error.length));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.NO_ROUTE));
        }
    }

    @Test
    @DisplayName("TTL 1: HOP_LIMIT_EXCEEDED and ICMP time exceeded 11/0, the quote carries the TTL as received")
    void ttlExpires() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] packet = udpV4("203.0.113.5", 1, 30);
            bed.wire1.receive(packet);
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV4(error, "192.0.2.1", "192.0.2.10", 11, 0);
            assertArrayEquals(packet, Arrays.copyOfRange(error, 28, error.length));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.HOP_LIMIT_EXCEEDED));
            assertTrue(bed.classified(HookPoint.IPFORWARD).isEmpty());
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("Hop limit 1 over IPv6: ICMPv6 time exceeded 3/0")
    void hopLimitExpires() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(udpV6("2001:db8:3::5", 1, 30));
            assertIcmpV6(single(bed.wire1.takeSent()), 3, 0);
            assertEquals(1, bed.statistics().discards(IpDiscardReason.HOP_LIMIT_EXCEEDED));
        }
    }

    @Test
    @DisplayName("DF and bigger than the egress MTU: frag needed 3/4 with the next-hop MTU, quote as received")
    void dontFragment() {
        try (IpTestBed bed = new IpTestBed(1280)) {
            byte[] packet = ipv4(
                    "192.0.2.10",
                    "203.0.113.5",
                    17,
                    64,
                    7,
                    Ipv4Header.FLAG_DONT_FRAGMENT,
                    NO_OPTIONS,
                    udp(1, 2, bytes(1372, 1)));
            bed.wire1.receive(packet);
            assertTrue(bed.wire2.takeSent().isEmpty());
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV4(error, "192.0.2.1", "192.0.2.10", 3, 4);
            assertEquals(1280, u16(error, 26), "RFC 1191: next-hop MTU in the low half of the unused word");
            assertEquals(576, error.length, "RFC 1812 §4.3.2.3: at most 576 bytes");
            assertArrayEquals(Arrays.copyOf(packet, 576 - 28), Arrays.copyOfRange(error, 28, 576));
            assertEquals(1, bed.statistics().discards(IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED));
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("IPv6 bigger than the egress MTU: Packet Too Big with the MTU, at most 1280 bytes")
    void packetTooBig() {
        try (IpTestBed bed = new IpTestBed(1280)) {
            bed.wire1.receive(udpV6("2001:db8:3::5", 64, 1400));
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV6(error, 2, 0);
            assertEquals(1280, ((error[44] & 0xFF) << 24) | ((error[45] & 0xFF) << 16) | u16(error, 46));
            assertEquals(1280, error.length);
            assertEquals(64, error[48 + 7] & 0xFF, "the quote carries the hop limit as received");
        }
    }

    @Test
    @DisplayName("Fragmentation at MTU 576: sizes, MF, offsets, checksums, options; the pieces rebuild the packet")
    void fragments() {
        try (IpTestBed bed = new IpTestBed(576)) {
            // Router Alert (copied) and an empty timestamp option (not copied), 8 bytes: IHL 7.
            byte[] options = {(byte) 0x94, 4, 0, 0, 0x44, 4, 5, 0};
            byte[] payload = udp(9, 9, bytes(1392, 11));
            byte[] packet = ipv4("192.0.2.10", "203.0.113.5", 17, 64, 0x4242, 0, options, payload);
            bed.wire2.deferCompletions(true);
            bed.wire1.receive(packet);

            List<byte[]> fragments = bed.wire2.takeSent();
            int maximumPayload = (576 - 28) & ~7;
            assertEquals((payload.length + maximumPayload - 1) / maximumPayload, fragments.size());
            byte[] rebuilt = new byte[payload.length];
            int expectedOffset = 0;
            for (int i = 0; i < fragments.size(); i++) {
                byte[] fragment = fragments.get(i);
                assertTrue(fragment.length <= 576);
                assertEquals(fragment.length, u16(fragment, 2));
                assertEquals(0, checksum(fragment, 0, 28), "fragment " + i + " header checksum");
                assertEquals(0x4242, u16(fragment, 4));
                assertEquals(63, fragment[8] & 0xFF);
                int word = u16(fragment, 6);
                assertEquals(i < fragments.size() - 1, (word & 0x2000) != 0, "MF of fragment " + i);
                assertEquals(expectedOffset, (word & 0x1FFF) * 8);
                assertArrayEquals(Arrays.copyOfRange(options, 0, 4), Arrays.copyOfRange(fragment, 20, 24));
                byte[] secondOption = Arrays.copyOfRange(fragment, 24, 28);
                assertArrayEquals(
                        i == 0 ? Arrays.copyOfRange(options, 4, 8) : new byte[] {1, 1, 1, 1},
                        secondOption,
                        "RFC 791: an option without the copied flag only in the first fragment");
                System.arraycopy(fragment, 28, rebuilt, expectedOffset, fragment.length - 28);
                expectedOffset += fragment.length - 28;
            }
            assertArrayEquals(payload, rebuilt);
            assertEquals(0, bed.wire1.returned(), "the fragment NBL is a child: the original waits for it");
            bed.wire2.completeAll();
            assertEquals(1, bed.wire1.returned());
            assertEquals(fragments.size(), bed.statistics().fragmentsCreated());
        }
    }

    @Test
    @DisplayName("Arrival interface with forwarding off: NOT_LOCALLY_DESTINED, nothing sent")
    void forwardingOff() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.interfaceByIndex(1).setForwarding(false);
            bed.wire1.receive(udpV4("203.0.113.5", 64, 10));
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.NOT_LOCALLY_DESTINED));
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("BLOCK at IPFORWARD: INSPECTION_DROP at the discard twin, not sent, returned")
    void blocked() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.verdicts.put(HookPoint.IPFORWARD, HookVerdict.BLOCK);
            bed.wire1.receive(udpV4("203.0.113.5", 64, 10));
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertEquals(IpDiscardReason.INSPECTION_DROP, bed.discards().get(0).reason());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.INSPECTION_DROP));
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("§8.2: ABSORB with a reference: returned only at the dereference")
    void absorbedAndReferenced() {
        try (IpTestBed bed = new IpTestBed()) {
            NetBufferList[] kept = new NetBufferList[1];
            bed.verdicts.put(HookPoint.IPFORWARD, HookVerdict.ABSORB);
            bed.action = (point, nbl, facts) -> {
                bed.stack.referenceNetBufferList(nbl);
                kept[0] = nbl;
            };
            bed.wire1.receive(udpV4("203.0.113.5", 64, 10));
            assertEquals(0, bed.wire1.returned());
            assertTrue(bed.discards().isEmpty(), "I-6: no discard shown for ABSORB");
            assertEquals(1, bed.statistics().inspectionAbsorbed());
            bed.stack.dereferenceNetBufferList(kept[0], false);
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("ndis-buffers §5.1: a callout's clone keeps the original until childFreed")
    void cloneKeepsOriginal() {
        try (IpTestBed bed = new IpTestBed()) {
            NetBufferList[] clone = new NetBufferList[1];
            NetBufferList[] parent = new NetBufferList[1];
            bed.verdicts.put(HookPoint.IPFORWARD, HookVerdict.ABSORB);
            bed.action = (point, nbl, facts) -> {
                clone[0] = nbl.allocateClone(null, null, 0);
                clone[0].setParent(nbl);
                nbl.incrementChildRefCount();
                parent[0] = nbl;
            };
            bed.wire1.receive(udpV4("203.0.113.5", 64, 10));
            assertEquals(0, bed.wire1.returned());
            clone[0].freeClone(0);
            bed.stack.childFreed(parent[0], false);
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("ndis-buffers §6.4: indicated with RESOURCES set, a copy is forwarded and the original never returned")
    void resourcesFlagCopies() {
        try (IpTestBed bed = new IpTestBed(1500, 1500, builder -> builder, true)) {
            bed.wire2.deferCompletions(true);
            byte[] packet = udpV4("203.0.113.5", 64, 50);
            bed.wire1.receive(packet);
            assertEquals(0, bed.wire1.returned());
            assertEquals(63, single(bed.wire2.takeSent())[8]);
            assertEquals(1, bed.ndis.poolUsage().diff(IpPoolTags.RECEIVE_COPY), "the copy is in flight");
            bed.wire2.completeAll();
            assertEquals(0, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 1812 §4.3.2.7: no ICMP error about an ICMP error")
    void noErrorAboutError() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] unreachable = TestPackets.icmpEcho(3, 0, 0, bytes(28, 0));
            bed.wire1.receive(ipv4("192.0.2.10", "203.0.113.200", 1, 64, unreachable));
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.NO_ROUTE));
            assertEquals(0, bed.statistics().icmpErrorsSent());
        }
    }

    @Test
    @DisplayName("ICMP errors are rate limited by a token bucket on the stack's clock")
    void rateLimit() {
        try (IpTestBed bed = new IpTestBed(1500, builder -> builder.icmpRateLimit(1, 2))) {
            for (int i = 0; i < 5; i++) {
                bed.wire1.receive(udpV4("203.0.113.5", 1, 10));
            }
            assertEquals(2, bed.wire1.takeSent().size());
            assertEquals(3, bed.statistics().icmpRateLimited());
            bed.clock.addAndGet(1_000_000_000L);
            bed.wire1.receive(udpV4("203.0.113.5", 1, 10));
            assertEquals(1, bed.wire1.takeSent().size());
            assertEquals(6, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 1812 §5.2.2: a frame longer than its IP length (link padding) is forwarded trimmed, and goes"
            + " back to its miniport whole")
    void linkPaddingIsTrimmed() {
        try (IpTestBed bed = new IpTestBed()) {
            // Ethernet pads a frame to 60 bytes: 14 of header, so 46 of IP, here 28 bytes of IPv4 and 18 of zeros.
            byte[] v4 = ipv4("192.0.2.10", "203.0.113.5", 17, 64, udp(4000, 53, new byte[0]));
            bed.wire1.receive(TestPackets.concat(v4, new byte[18]));
            byte[] v6 = udpV6("2001:db8:3::5", 64, 0);
            bed.wire1.receive(TestPackets.concat(v6, new byte[6]));

            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(2, sent.size());
            byte[] expectedV4 = v4.clone();
            expectedV4[8] = 63;
            TestPackets.put16(expectedV4, 10, 0);
            TestPackets.put16(expectedV4, 10, checksum(expectedV4, 0, 20));
            assertArrayEquals(expectedV4, sent.get(0));
            byte[] expectedV6 = v6.clone();
            expectedV6[7] = 63;
            assertArrayEquals(expectedV6, sent.get(1));
            assertEquals(
                    v4.length, bed.classified(HookPoint.IPFORWARD).get(0).data().length, "the hook sees no padding");
            // The miniport takes its buffers back by the length it filled: a DataLength left trimmed would break that.
            assertEquals(2, bed.wire1.returned());
            assertEquals(
                    v4.length + 18 + v6.length + 6,
                    bed.statistics().interfaces().get(0).inBytes());
        }
    }

    @Test
    @DisplayName("RFC 3927 §7: IPv4 link-local sources and destinations are not forwarded (BEYOND_SCOPE), silently")
    void ipv4LinkLocalIsNotForwarded() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.addRoute(TestPackets.ip("0.0.0.0"), 0, TestPackets.ip("198.51.100.254"), 2, 0);
            bed.wire1.receive(udpV4("169.254.10.20", 64, 10));
            bed.wire1.receive(ipv4("169.254.7.7", "203.0.113.5", 17, 64, udp(1, 2, bytes(10, 0))));
            assertTrue(bed.wire2.takeSent().isEmpty(), "not even by the default route");
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BEYOND_SCOPE));
            assertTrue(bed.discards().stream().allMatch(d -> d.point() == HookPoint.IPFORWARD));
            assertTrue(bed.classified(HookPoint.IPFORWARD).isEmpty());
            assertEquals(2, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 4291 §2.5.6: IPv6 link-local is not forwarded; a link-local source gets Destination Unreachable"
            + " 1/2 (beyond scope of source address, RFC 4443 §3.1)")
    void ipv6LinkLocalIsNotForwarded() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(ipv6("2001:db8:1::10", "fe80::20", 17, 64, NO_OPTIONS, udp(1, 2, bytes(10, 0))));
            assertTrue(bed.wire1.takeSent().isEmpty(), "a link-local destination is another host's on the link");

            byte[] packet = ipv6("fe80::10", "2001:db8:3::5", 17, 64, NO_OPTIONS, udp(1, 2, bytes(10, 0)));
            bed.wire1.receive(packet);
            assertTrue(bed.wire2.takeSent().isEmpty());
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(TestPackets.icmpV6Error("2001:db8:1::1", "fe80::10", 1, 2, 0, packet), error);
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BEYOND_SCOPE));
            assertEquals(1, bed.statistics().icmpErrorsSent());
            assertEquals(2, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("RFC 1812 §4.3.3.5: a malformed IPv4 option gets Parameter Problem 12/0 pointing at it (BAD_OPTION)")
    void badIpv4Option() {
        try (IpTestBed bed = new IpTestBed()) {
            // Record Route with a pointer of 3: the first slot would overlap the option's own header.
            byte[] packet = ipv4(
                    "192.0.2.10",
                    "203.0.113.5",
                    17,
                    64,
                    9,
                    0,
                    new byte[] {7, 7, 3, 0, 0, 0, 0, 1},
                    udp(1, 2, bytes(8, 0)));
            bed.wire1.receive(packet);
            assertTrue(bed.wire2.takeSent().isEmpty());
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(
                    TestPackets.icmpV4Error("192.0.2.1", "192.0.2.10", u16(error, 4), 12, 0, 22 << 24, packet), error);
            assertEquals(1, bed.statistics().discards(IpDiscardReason.BAD_OPTION));
            assertEquals(HookPoint.INBOUND_IPPACKET, bed.discards().get(0).point());
            assertEquals(1, bed.wire1.returned());
        }
    }

    /** An IPv6 packet to {@code destination} whose first extension header is {@code header} (Next Header 17). */
    private static byte[] withExtension(String destination, int next, byte[] header) {
        return ipv6("2001:db8:1::10", destination, next, 64, header, udp(4000, 53, bytes(12, 2)));
    }

    @Test
    @DisplayName("RFC 8200 §4: a router processes Hop-by-Hop options (unrecognized 10xxxxxx: Parameter Problem 4/2 at"
            + " the option) and leaves every other extension header alone")
    void extensionHeadersInTransit() {
        try (IpTestBed bed = new IpTestBed()) {
            byte[] routingTypeZero = {17, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            byte[] unknownDestinationOption = {17, 0, (byte) 0x9E, 2, 0, 0, 1, 0};
            byte[] routed = withExtension("2001:db8:3::5", 43, routingTypeZero);
            byte[] optioned = withExtension("2001:db8:3::5", 60, unknownDestinationOption);
            bed.wire1.receive(routed);
            bed.wire1.receive(optioned);
            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(2, sent.size(), "the Routing and Destination Options headers are the destination's");
            byte[] expected = routed.clone();
            expected[7] = 63;
            assertArrayEquals(expected, sent.get(0));

            byte[] reported = withExtension("2001:db8:3::5", 0, new byte[] {17, 0, (byte) 0x9E, 2, 0, 0, 1, 0});
            bed.wire1.receive(reported);
            bed.wire1.receive(withExtension("2001:db8:3::5", 0, new byte[] {17, 0, 0x5E, 2, 0, 0, 1, 0}));
            bed.wire1.receive(withExtension("2001:db8:3::5", 0, new byte[] {17, 0, 0x1E, 2, 0, 0, 1, 0}));
            assertEquals(1, bed.wire2.takeSent().size(), "an unrecognized 00xxxxxx option is skipped");
            byte[] error = single(bed.wire1.takeSent());
            assertArrayEquals(TestPackets.icmpV6Error("2001:db8:1::1", "2001:db8:1::10", 4, 2, 42, reported), error);
            assertEquals(2, bed.statistics().discards(IpDiscardReason.BAD_OPTION));
            assertEquals(3, bed.statistics().forwarded());
            assertEquals(5, bed.wire1.returned());
        }
    }

    static byte[] single(List<byte[]> packets) {
        assertEquals(1, packets.size(), "exactly one packet");
        return packets.get(0);
    }

    static void assertIcmpV4(byte[] error, String source, String destination, int type, int code) {
        assertEquals(0x45, error[0] & 0xFF);
        assertEquals(error.length, u16(error, 2));
        assertEquals(1, error[9]);
        assertEquals(0, checksum(error, 0, 20), "IP header checksum");
        assertArrayEquals(TestPackets.ip(source).getAddress(), Arrays.copyOfRange(error, 12, 16));
        assertArrayEquals(TestPackets.ip(destination).getAddress(), Arrays.copyOfRange(error, 16, 20));
        assertEquals(type, error[20] & 0xFF);
        assertEquals(code, error[21] & 0xFF);
        assertEquals(0, checksum(error, 20, error.length - 20), "ICMP checksum");
    }

    static void assertIcmpV6(byte[] error, int type, int code) {
        assertEquals(0x60, error[0] & 0xFF);
        assertEquals(58, error[6]);
        assertEquals(error.length - 40, u16(error, 4));
        assertArrayEquals(TestPackets.ip("2001:db8:1::1").getAddress(), Arrays.copyOfRange(error, 8, 24));
        assertArrayEquals(TestPackets.ip("2001:db8:1::10").getAddress(), Arrays.copyOfRange(error, 24, 40));
        assertEquals(type, error[40] & 0xFF);
        assertEquals(code, error[41] & 0xFF);
        assertTrue(icmpv6ChecksumValid(error), "ICMPv6 checksum");
        assertFalse(error.length > 1280);
    }
}
