package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Round trip: a packet forwarded out of a small MTU is fragmented; the fragments, shuffled and received by the
 * stack as if addressed to it, reassemble to exactly the original transport bytes.
 */
class FragmentationProperties {

    @Property(tries = 40)
    void fragmentsReassembleToTheOriginal(
            @ForAll @IntRange(min = 1, max = 4000) int payloadLength,
            @ForAll @IntRange(min = 68, max = 1500) int mtu,
            @ForAll long shuffleSeed) {
        byte[] payload = TestPackets.udp(5, 6, TestPackets.bytes(payloadLength, (int) shuffleSeed));
        List<byte[]> fragments;
        // wire1 takes the whole packet: a jumbo-frame link, so that only wire2's MTU cuts it.
        try (IpTestBed router = new IpTestBed(9000, mtu, builder -> builder, false)) {
            router.wire1.receive(TestPackets.ipv4("192.0.2.10", "203.0.113.5", 17, 64, payload));
            fragments = router.wire2.takeSent();
        }
        int expected = payload.length + 20 <= mtu ? 1 : (payload.length + ((mtu - 20) & ~7) - 1) / ((mtu - 20) & ~7);
        assertEquals(expected, fragments.size());
        fragments.forEach(f -> assertTrue(f.length <= mtu));

        List<byte[]> shuffled = new ArrayList<>(fragments);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        try (IpTestBed host = new IpTestBed()) {
            host.stack.addAddress(1, TestPackets.ip("203.0.113.5"), 32);
            shuffled.forEach(host.wire1::receive);
            IpTestBed.Seen last = host.classified(HookPoint.INBOUND_IPPACKET).getLast();
            assertArrayEquals(payload, last.data());
            assertEquals(fragments.size() > 1 ? 1 : 0, host.statistics().reassembled());
        }
    }
}
