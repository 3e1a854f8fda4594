package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.router.Router;

/**
 * The offload paths allocate nothing per packet with the verifier off: forwarding a coalesced packet with LSO, cutting
 * one in software for an egress without LSO, and turning a partial checksum into a transmit request. Five times the
 * packets must cost the forwarding thread almost no more heap (the bound is measurement noise, as in the replay's
 * allocation test).
 */
class OffloadAllocationTest {
    private static final long NOISE_PER_PACKET = 8;
    private static final OffloadCapabilities LSO =
            new OffloadCapabilities(true, true, true, true, 65_535, 2, false, false, false, false);

    private static byte[] superPacket() {
        byte[] tcp = TestPackets.tcp(4000, 5001, 1000, 77, 0x18, TestPackets.bytes(8000, 3));
        return TestPackets.withChecksum(
                TestPackets.ipv4("192.0.2.10", "198.51.100.7", 6, 64, 0x100, 0x4000, new byte[0], tcp));
    }

    /** Forwards {@code packets} copies of {@code packet} and returns the heap this thread allocated doing it. */
    private static long allocated(
            OffloadCapabilities egressOffloads, byte[] packet, int checksumBits, int segments, int packets)
            throws Exception {
        Ndis ndis = Ndis.create(VerifierSettings.off());
        MemoryMiniport wire1 = MemoryMiniport.builder()
                .name("wire1")
                .mtu(9000)
                .receiveBuffers(64)
                .build();
        MemoryMiniport wire2 = MemoryMiniport.builder()
                .name("wire2")
                .mtu(1500)
                .offloads(egressOffloads)
                .build();
        Router router = Router.create(ndis);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, TestPackets.ip("192.0.2.1"), 24).address(2, TestPackets.ip("198.51.100.1"), 24);
        router.ip().setOffloadMode(OffloadMode.THROUGHPUT);
        Adapter ingress = router.adapter(1);
        Adapter egress = router.adapter(2);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemorySegment wire = Arena.ofAuto().allocateFrom(ValueLayout.JAVA_BYTE, packet);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < packets; i++) {
            assertTrue(wire1.receive(wire, 0, packet.length, checksumBits, segments));
            while (ingress.poll(0, 64) + egress.poll(0, 64) > 0) {
                // until the packet is forwarded and its sends completed
            }
        }
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(packets, router.ip().statistics().forwarded());
        router.close();
        ndis.close();
        return bytes;
    }

    /** Heap per extra packet: five times the packets against as many as the warm-up. */
    private static long perExtraPacket(
            OffloadCapabilities egressOffloads, byte[] packet, int checksumBits, int segments) throws Exception {
        int few = 5_000;
        int many = 25_000;
        allocated(egressOffloads, packet, checksumBits, segments, few); // JIT, class loading, first-use paths
        long fewBytes = allocated(egressOffloads, packet, checksumBits, segments, few);
        long manyBytes = allocated(egressOffloads, packet, checksumBits, segments, many);
        return (manyBytes - fewBytes) / (many - few);
    }

    private static void assertNoAllocationPerPacket(
            OffloadCapabilities egressOffloads, byte[] packet, int checksumBits, int segments) throws Exception {
        long perExtraPacket = perExtraPacket(egressOffloads, packet, checksumBits, segments);
        assertTrue(perExtraPacket < NOISE_PER_PACKET, () -> perExtraPacket + " B per extra packet");
    }

    @Test
    void aCoalescedPacketForwardedWithLsoAllocatesNothing() throws Exception {
        assertNoAllocationPerPacket(LSO, superPacket(), 0, 6);
    }

    @Test
    void aCoalescedPacketCutInSoftwareAllocatesNothing() throws Exception {
        assertNoAllocationPerPacket(OffloadCapabilities.NONE, superPacket(), 0, 6);
    }

    @Test
    void aPartialChecksumTurnedIntoATransmitRequestAllocatesNothing() throws Exception {
        byte[] small = TestPackets.withChecksum(TestPackets.ipv4(
                "192.0.2.10",
                "198.51.100.7",
                6,
                64,
                TestPackets.tcp(4000, 5001, 1, 2, 0x10, TestPackets.bytes(500, 9))));
        int bits = OffloadInfo.RECEIVE_IP_CHECKSUM_SUCCEEDED
                | OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED
                | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID;
        assertNoAllocationPerPacket(LSO, small, bits, 0);
    }
}
