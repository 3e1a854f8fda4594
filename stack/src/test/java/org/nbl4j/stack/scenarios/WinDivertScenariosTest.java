package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.Layer;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
/** S-WD-1..4 (wfp-callouts-and-injection §7, §8.6) with {@link Divert} over the real host. */
class WinDivertScenariosTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong();

    @Test
    void swd1DivertAtTheForwardLayerAbsorbsCopiesAndReinjectsANewNblWithThePriorityAsContext() {
        byte[] packet = Packets.udpAcross(48);
        try (ScenarioHost host = new ScenarioHost();
                Divert divert = new Divert(host)) {
            Divert.Handle high = divert.open(Layer.IPFORWARD_V4, 10, 16, 2 * SECOND, clock::get);
            Divert.Handle low = divert.open(Layer.IPFORWARD_V4, 5, 16, 2 * SECOND, clock::get);

            host.receiveOn1(packet);
            assertEquals(1, high.diverted, "the higher priority classifies first");
            assertEquals(0, low.diverted);
            assertEquals(List.of(), host.sentOn2, "absorbed");
            assertEquals(ScenarioHost.RECEIVE_BUFFERS, host.wire1.freeReceiveBuffers(), "a deep copy: not kept");

            Divert.Packet diverted = high.recv();
            assertNotNull(diverted);
            assertEquals(ScenarioHost.IF2, diverted.address().interfaceIndex());
            assertFalse(diverted.address().impostor());
            assertEquals(NtStatus.STATUS_SUCCESS, high.send(diverted));
            host.router.drain();

            assertArrayEquals(Packets.forwarded(packet), host.sentOn2.getFirst());
            // Forward injection is classified nowhere, so the lower handle never sees the reinjected packet (I-4).
            assertEquals(1, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(0, low.diverted);
            host.assertInvariants();
        }
    }

    @Test
    void swd1HandlesOfHigherOrEqualPriorityPassAReinjectionLowerOnesDivertIt() {
        // At the network layer the reinjected packet is classified again (§3.11), so the priority rule of §7.2 acts.
        try (ScenarioHost host = new ScenarioHost();
                Divert divert = new Divert(host)) {
            Divert.Handle high = divert.open(Layer.OUTBOUND_IPPACKET_V4, 10, 16, 2 * SECOND, clock::get);
            Divert.Handle low = divert.open(Layer.OUTBOUND_IPPACKET_V4, 5, 16, 2 * SECOND, clock::get);
            Divert.Handle equal = divert.open(Layer.OUTBOUND_IPPACKET_V4, 5, 16, 2 * SECOND, clock::get);

            host.receiveOn1(Packets.echoRequestTo("192.0.2.1", 7));
            assertEquals(List.of(1L, 0L, 0L), List.of(high.diverted, low.diverted, equal.diverted));

            assertEquals(NtStatus.STATUS_SUCCESS, high.send(high.recv()));
            Divert.Handle second = low.diverted == 1 ? low : equal;
            assertEquals(1, low.diverted + equal.diverted, "one of the priority-5 handles diverts it once");
            assertEquals(List.of(), host.sentOn1);

            assertEquals(NtStatus.STATUS_SUCCESS, second.send(second.recv()));
            host.router.drain();
            assertEquals(1, high.diverted, "priority 5 <= 10: the higher handle passes it");
            assertEquals(1, low.diverted + equal.diverted, "the equal-priority handle passes it too");
            assertEquals(1, host.sentOn1.size());
            assertTrue(Packets.isEchoReply(host.sentOn1.getFirst()));
            host.assertInvariants();
        }
    }

    @Test
    void swd2AFullQueueDropsTheOldestAnExpiredPacketIsDroppedAndCloseReinjectsTheRest() {
        byte[] first = Packets.udpAcross(10);
        byte[] second = Packets.udpAcross(20);
        byte[] third = Packets.udpAcross(30);
        try (ScenarioHost host = new ScenarioHost();
                Divert divert = new Divert(host)) {
            Divert.Handle handle = divert.open(Layer.IPFORWARD_V4, 0, 2, 2 * SECOND, clock::get);
            host.receiveOn1(first);
            host.receiveOn1(second);
            host.receiveOn1(third);
            assertEquals(1, handle.droppedOldest);
            assertArrayEquals(
                    Packets.forwarded(second), handle.queue.peekFirst().bytes(), "the oldest went");

            clock.addAndGet(3 * SECOND);
            assertNull(handle.recv(), "both expired");
            assertEquals(2, handle.droppedExpired);

            host.receiveOn1(first);
            host.receiveOn1(second);
            handle.close();
            host.router.drain();
            assertEquals(
                    List.of(hex(Packets.forwarded(first)), hex(Packets.forwarded(second))),
                    host.sentOn2.stream().map(WinDivertScenariosTest::hex).toList(),
                    "fail-open: close reinjected what was queued");
            host.assertInvariants();
        }
    }

    @Test
    void swd3AnImpostorLosesOneTtlOnReinjectionAndDiesAtTheLast() {
        try (ScenarioHost host = new ScenarioHost();
                Divert divert = new Divert(host)) {
            Divert.Handle handle = divert.open(Layer.OUTBOUND_IPPACKET_V4, 0, 16, 2 * SECOND, clock::get);
            // Another driver injects packets of its own with its own handle: INJECTED_BY_OTHER to WinDivert.
            InjectionHandle other = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_NETWORK);
            Divert.Address sent = new Divert.Address(Layer.OUTBOUND_IPPACKET_V4, ScenarioHost.IF2, 0, false, 0);
            byte[] ttl64 = TestPackets.ipv4(
                    "198.51.100.1", "198.51.100.20", Packets.UDP, 64, TestPackets.udp(1, 2, new byte[8]));
            byte[] ttl1 = TestPackets.ipv4(
                    "198.51.100.1", "198.51.100.20", Packets.UDP, 1, TestPackets.udp(1, 2, new byte[8]));
            assertEquals(NtStatus.STATUS_SUCCESS, divert.inject(other, 0, divert.packet(ttl64, sent)));
            assertEquals(NtStatus.STATUS_SUCCESS, divert.inject(other, 0, divert.packet(ttl1, sent)));
            host.router.drain();
            assertEquals(2, handle.diverted);

            Divert.Packet impostor = handle.recv();
            assertTrue(impostor.address().impostor());
            assertEquals(NtStatus.STATUS_SUCCESS, handle.send(impostor));
            Divert.Packet exhausted = handle.recv();
            assertTrue(exhausted.address().impostor());
            assertEquals(NtStatus.STATUS_HOPLIMIT_EXCEEDED, handle.send(exhausted));
            host.router.drain();

            assertEquals(1, host.sentOn2.size());
            byte[] out = host.sentOn2.getFirst();
            assertEquals(63, out[8], "TTL decremented by WinDivert's loop protection");
            assertTrue(Packets.ipv4ChecksumValid(out));
            assertEquals(2, handle.diverted, "its own reinjection is SELF and passes");
            host.assertInvariants();
        }
    }

    @Test
    void swd4ATooBigReinjectionCompletesWithInvalidBufferSizeAndTheSourceGetsFragmentationNeeded() {
        byte[] big = TestPackets.ipv4(
                "192.0.2.10",
                "198.51.100.20",
                Packets.UDP,
                64,
                0x99,
                0x4000,
                new byte[0],
                TestPackets.udp(5, 6, new byte[1372]));
        try (ScenarioHost host = new ScenarioHost(1280);
                Divert divert = new Divert(host)) {
            Divert.Handle handle = divert.open(Layer.IPFORWARD_V4, 0, 16, 2 * SECOND, clock::get);
            host.receiveOn1(big);
            assertEquals(NtStatus.STATUS_SUCCESS, handle.send(handle.recv()), "accepted: the failure is asynchronous");
            host.router.drain();

            assertEquals(List.of(), host.sentOn2);
            assertEquals(1, host.sentOn1.size());
            byte[] icmp = host.sentOn1.getFirst();
            assertEquals(Packets.ICMP, icmp[9]);
            assertArrayEquals(TestPackets.ip("192.0.2.10").getAddress(), java.util.Arrays.copyOfRange(icmp, 16, 20));
            assertEquals(
                    List.of(3, 4, 1280),
                    List.of((int) icmp[20], (int) icmp[21], TestPackets.u16(icmp, 26)),
                    "destination unreachable, fragmentation needed, next-hop MTU");
            assertEquals(1, host.router.ip().statistics().icmpErrorsSent());
            host.assertInvariants();
        }
    }

    private static String hex(byte[] packet) {
        return HexFormat.of().formatHex(packet);
    }
}
