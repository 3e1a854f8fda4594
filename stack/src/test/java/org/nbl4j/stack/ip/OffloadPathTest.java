package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.stack.ndis.FilterDrivers;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * Windows' offload rules on the IP path: where coalesced (RSC) packets may go, LSO on the egress, and the checksum bits
 * both ways (WDK: "Programming Considerations for RSC Drivers", NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO,
 * NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO).
 */
class OffloadPathTest {
    private static final OffloadCapabilities LSO_AND_CHECKSUM =
            new OffloadCapabilities(true, true, true, true, 65_535, 2, false, false, false, false);

    /** A TCP super-packet of 4000 payload bytes (PSH set) that an RSC NIC coalesced from 3 segments. */
    private static byte[] superPacket() {
        byte[] tcp = TestPackets.tcp(4000, 5001, 1000, 77, 0x18, TestPackets.bytes(4000, 3));
        return TestPackets.withChecksum(
                TestPackets.ipv4("192.0.2.10", "203.0.113.5", 6, 64, 0x100, 0x4000, new byte[0], tcp));
    }

    private static byte[] payloadOf(byte[] packet) {
        return Arrays.copyOfRange(packet, 40, packet.length);
    }

    private static boolean transportChecksumValid(byte[] packet) {
        int stored = TestPackets.u16(packet, 36);
        return TestPackets.u16(TestPackets.withChecksum(packet.clone()), 36) == stored;
    }

    @Test
    void rscIsOffOnAForwardingInterfaceUnderWindows() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.WINDOWS);
            router.wire1.receive(superPacket(), 0, 3);
            List<IpTestBed.Seen> forward = router.classified(HookPoint.IPFORWARD);
            assertEquals(3, forward.size(), "the stack sees the three segments the NIC would have indicated");
            forward.forEach(seen -> assertEquals(0, seen.coalescedSegments()));
            List<byte[]> sent = router.wire2.takeSent();
            assertEquals(3, sent.size());
            byte[] joined = TestPackets.concat(payloadOf(sent.get(0)), payloadOf(sent.get(1)), payloadOf(sent.get(2)));
            assertArrayEquals(payloadOf(superPacket()), joined);
            sent.forEach(segment -> assertTrue(transportChecksumValid(segment)));
            router.wire2.sentInfo.forEach(info -> assertEquals(0, info[0], "no LSO for segments"));
            assertEquals(3, router.statistics().segmentsCreated());
        }
    }

    @Test
    void aNonForwardingInterfaceKeepsRscUnderWindows() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false)) {
            router.stack.setOffloadMode(OffloadMode.WINDOWS);
            router.stack.interfaceByIndex(1).setForwarding(false);
            router.stack.addAddress(1, TestPackets.ip("192.0.2.77"), 32);
            byte[] tcp = TestPackets.tcp(4000, 5001, 1000, 77, 0x18, TestPackets.bytes(4000, 3));
            byte[] packet = TestPackets.withChecksum(
                    TestPackets.ipv4("192.0.2.10", "192.0.2.77", 6, 64, 0x100, 0x4000, new byte[0], tcp));
            router.wire1.receive(packet, 0, 3);
            List<IpTestBed.Seen> inbound = router.classified(HookPoint.INBOUND_IPPACKET);
            assertEquals(1, inbound.size());
            assertEquals(3, inbound.getFirst().coalescedSegments(), "delivered up coalesced, with its RSC info");
        }
    }

    /** The IP layer's side of NDIS turning RSC off under an NDIS 6.20 filter (NdisLwfTest has the facade's). */
    @Test
    void underAFilterThatCannotTakeCoalescedPacketsTheStackSeesSegmentsEvenUnderThroughput() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            FilterDrivers drivers = FilterDrivers.of(router.ndis);
            FilterDrivers.Registration old =
                    drivers.register(new LwfAttachment("ndis620", handle -> new LwfHandlers() {}, false));
            router.wire1.receive(superPacket(), 0, 3);
            assertEquals(3, router.classified(HookPoint.IPFORWARD).size(), "RSC off: the segments");
            assertEquals(3, router.wire2.takeSent().size());

            drivers.deregister(old);
            router.wire1.receive(superPacket(), 0, 3);
            assertEquals(4, router.classified(HookPoint.IPFORWARD).size(), "RSC on again: one coalesced packet");
            assertEquals(1, router.wire2.takeSent().size());
        }
    }

    @Test
    void aHookRefusingCoalescedPacketsSeesSegmentsEvenUnderThroughput() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.hookAllowsCoalesced = false;
            router.wire1.receive(superPacket(), 0, 3);
            assertEquals(3, router.classified(HookPoint.IPFORWARD).size());
            assertEquals(3, router.wire2.takeSent().size());
        }
    }

    @Test
    void throughputForwardsTheSuperPacketWholeWithLso() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(superPacket(), 0, 3);
            List<IpTestBed.Seen> forward = router.classified(HookPoint.IPFORWARD);
            assertEquals(1, forward.size());
            assertEquals(3, forward.getFirst().coalescedSegments(), "an opted-in hook sees the info slot");
            List<byte[]> sent = router.wire2.takeSent();
            assertEquals(1, sent.size());
            byte[] out = sent.getFirst();
            assertEquals(63, out[8] & 0xFF, "TTL decremented once for all segments");
            assertEquals(0, TestPackets.checksum(out, 0, 20), "IPv4 header checksum updated");
            int lso = (int) router.wire2.sentInfo.getFirst()[0];
            assertEquals(1334, OffloadInfo.largeSendMss(lso), "MSS from an even split: ceil(4000 / 3)");
            assertEquals(20, OffloadInfo.largeSendTcpHeaderOffset(lso));
            assertEquals(OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, OffloadInfo.largeSendType(lso));
            // LSO's checksum field: the pseudo-header sum without the TCP length (the NIC adds each segment's).
            byte[] pseudo = new byte[12];
            System.arraycopy(out, 12, pseudo, 0, 8);
            pseudo[9] = 6;
            assertEquals(~TestPackets.checksum(pseudo, 0, 12) & 0xFFFF, TestPackets.u16(out, 36));
            assertEquals(1, router.statistics().largeSends());
            assertEquals(0, router.statistics().fragmentsCreated());
        }
    }

    @Test
    void throughputCutsInSoftwareForAnEgressWithoutLso() {
        try (IpTestBed router = new IpTestBed(9000, 1500, builder -> builder, false)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(superPacket(), 0, 3);
            List<byte[]> sent = router.wire2.takeSent();
            assertEquals(
                    SegmentationProperties.linuxSegments(decremented(superPacket()), 1334)
                            .size(),
                    sent.size());
            List<byte[]> expected = SegmentationProperties.linuxSegments(decremented(superPacket()), 1334);
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(expected.get(i), sent.get(i));
            }
            assertEquals(0x10, sent.get(0)[33] & 0xFF, "PSH only on the last segment");
            assertEquals(0x18, sent.get(2)[33] & 0xFF);
            assertEquals(0x101, TestPackets.u16(sent.get(1), 4), "IP IDs count up from the super-packet's");
        }
    }

    @Test
    void aSuperPacketIsNeverFragmentedItsSegmentSizeMeetsTheMtu() {
        try (IpTestBed router = new IpTestBed(9000, 1000, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(superPacket(), 0, 3);
            assertEquals(0, router.wire2.takeSent().size());
            assertEquals(0, router.statistics().fragmentsCreated());
            assertEquals(1L, router.statistics().discards().get(IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED));
            byte[] error = router.wire1.takeSent().getFirst();
            assertEquals(3, error[20] & 0xFF, "destination unreachable");
            assertEquals(4, error[21] & 0xFF, "fragmentation needed");
            assertEquals(1000, TestPackets.u16(error, 26), "with the egress MTU");
        }
    }

    /** A TCP super-packet of 10,000 payload bytes (PSH set) that a sender cut at 1,448: 7 segments, the last short. */
    private static byte[] gsoPacket() {
        byte[] tcp = TestPackets.tcp(4000, 5001, 1000, 77, 0x18, TestPackets.bytes(10_000, 5));
        return TestPackets.withChecksum(
                TestPackets.ipv4("192.0.2.10", "203.0.113.5", 6, 64, 0x100, 0x4000, new byte[0], tcp));
    }

    private static List<Integer> payloadSizes(List<byte[]> sent) {
        return sent.stream().map(segment -> segment.length - 40).toList();
    }

    /**
     * Where the miniport carried the sender's segment size (a TUN device's gso_size), software segmentation cuts there,
     * as Linux's GSO does: 10,000 bytes at 1,448 are six of 1,448 and one of 1,312 (an even split of the 7 would give
     * six of 1,429 and one of 1,426), on the forward path and where RSC is off on arrival alike, on the indicated packet
     * and on the stack's copy of one indicated with RESOURCES. A size that does not
     * agree with the count is not trusted: the even split, as without one.
     */
    @Test
    void aCarriedSegmentSizeCutsWhereTheSendersSegmentsEnded() {
        List<Integer> linux = List.of(1448, 1448, 1448, 1448, 1448, 1448, 1312);
        for (int run = 0; run < 4; run++) {
            OffloadMode mode = run < 2 ? OffloadMode.THROUGHPUT : OffloadMode.WINDOWS;
            // With RESOURCES the stack works on its own copy of the indication, which keeps the size too.
            boolean resources = run % 2 == 1;
            try (IpTestBed router = new IpTestBed(20_000, 1500, builder -> builder, resources)) {
                router.stack.setOffloadMode(mode);
                router.wire1.receive(gsoPacket(), 0, 7, 1448);
                List<byte[]> sent = router.wire2.takeSent();
                assertEquals(linux, payloadSizes(sent), mode + (resources ? ", resources" : ""));
                List<byte[]> expected = SegmentationProperties.linuxSegments(decremented(gsoPacket()), 1448);
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(expected.get(i), sent.get(i), mode + " segment " + i);
                }

                router.wire1.receive(gsoPacket(), 0, 8, 1448);
                assertEquals(
                        Collections.nCopies(8, 1250), payloadSizes(router.wire2.takeSent()), "8 segments: not 1448");
            }
        }
    }

    /**
     * The MTU check and LSO take the carried segment size: 40 + 1,448 bytes do not fit an MTU of 1,470, though the
     * even split's 40 + 1,429 would; where they fit, the LSO send asks for an MSS of 1,448.
     */
    @Test
    void theMtuCheckAndLsoUseTheCarriedSegmentSize() {
        try (IpTestBed router = new IpTestBed(20_000, 1470, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(gsoPacket(), 0, 7, 1448);
            assertEquals(0, router.wire2.takeSent().size());
            assertEquals(1L, router.statistics().discards().get(IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED));
            assertEquals(1470, TestPackets.u16(router.wire1.takeSent().getFirst(), 26), "packet too big, MTU 1470");
        }
        try (IpTestBed router = new IpTestBed(20_000, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.THROUGHPUT);
            router.wire1.receive(gsoPacket(), 0, 7, 1448);
            assertEquals(1, router.wire2.takeSent().size());
            assertEquals(
                    1448, OffloadInfo.largeSendMss((int) router.wire2.sentInfo.getFirst()[0]));
        }
    }

    @Test
    void aReceiveChecksumTheNicCheckedIsNotCheckedAgain() {
        byte[] udp = TestPackets.udp(4000, 9, TestPackets.bytes(10, 1));
        byte[] packet = TestPackets.withChecksum(TestPackets.ipv4("192.0.2.10", "192.0.2.1", 17, 64, udp));
        packet[26] ^= 0x55; // a wrong UDP checksum
        try (IpTestBed host = new IpTestBed()) {
            host.wire1.receive(packet.clone());
            assertEquals(1L, host.statistics().discards().get(IpDiscardReason.BAD_CHECKSUM));
            host.wire1.receive(packet.clone(), OffloadInfo.RECEIVE_UDP_CHECKSUM_SUCCEEDED, 0);
            assertEquals(1L, host.statistics().discards().get(IpDiscardReason.BAD_CHECKSUM), "not again");
            assertEquals(1L, host.statistics().discards().get(IpDiscardReason.PORT_UNREACHABLE));
        }
    }

    /** The super-packet with its TCP checksum field holding only the pseudo-header sum (Linux's CHECKSUM_PARTIAL). */
    private static byte[] partial(byte[] packet) {
        byte[] copy = packet.clone();
        byte[] pseudo = new byte[12];
        System.arraycopy(copy, 12, pseudo, 0, 8);
        pseudo[9] = 6;
        TestPackets.put16(pseudo, 10, copy.length - 20);
        TestPackets.put16(copy, 36, ~TestPackets.checksum(pseudo, 0, 12) & 0xFFFF);
        return copy;
    }

    @Test
    void aPartialChecksumBecomesATransmitRequestWhereTheEgressCanComputeIt() {
        byte[] packet = partial(TestPackets.withChecksum(TestPackets.ipv4(
                "192.0.2.10",
                "203.0.113.5",
                6,
                64,
                TestPackets.tcp(4000, 5001, 1, 2, 0x10, TestPackets.bytes(500, 9)))));
        int bits = OffloadInfo.RECEIVE_IP_CHECKSUM_SUCCEEDED
                | OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED
                | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID;
        try (IpTestBed router = new IpTestBed(1500, 1500, builder -> builder, false, LSO_AND_CHECKSUM)) {
            router.stack.setOffloadMode(OffloadMode.WINDOWS);
            router.wire1.receive(packet, bits, 0);
            byte[] out = router.wire2.takeSent().getFirst();
            int transmit = (int) router.wire2.sentInfo.getFirst()[1];
            assertEquals(OffloadInfo.TRANSMIT_IS_IPV4 | OffloadInfo.TRANSMIT_TCP_CHECKSUM, transmit & 0xFFFF);
            assertEquals(20, OffloadInfo.transmitTransportHeaderOffset(transmit));
            assertEquals(TestPackets.u16(packet, 36), TestPackets.u16(out, 36), "left for the NIC");
        }
        try (IpTestBed router = new IpTestBed(1500, 1500, builder -> builder, false)) {
            router.wire1.receive(packet, bits, 0);
            byte[] out = router.wire2.takeSent().getFirst();
            assertEquals(0, router.wire2.sentInfo.getFirst()[1], "nothing asked of an egress without offloads");
            assertTrue(transportChecksumValid(out), "completed in software");
        }
    }

    private static byte[] decremented(byte[] packet) {
        byte[] copy = packet.clone();
        copy[8]--;
        return copy;
    }
}
