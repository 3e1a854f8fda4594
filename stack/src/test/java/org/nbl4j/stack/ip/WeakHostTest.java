package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.IpForwardingTest.assertIcmpV4;
import static org.nbl4j.stack.ip.IpForwardingTest.single;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.icmpEcho;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
import static org.nbl4j.stack.ip.TestPackets.udp;
import static org.nbl4j.stack.ip.TestPackets.withIcmpv6Checksum;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.status.NtStatus;

/**
 * The strong and weak host models ({@link HostModel}) and the pass-through they give at IPFORWARD
 * (wfp-callouts-and-injection §5.5, §5.6 item 1, §3.5): interface 1 owns 192.0.2.1, interface 2 owns 198.51.100.1.
 */
class WeakHostTest {
    private static final int INBOUND = HostModel.FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU;
    private static final int OUTBOUND = HostModel.FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU;

    /** The test bed with both interfaces as plain hosts: no forwarding, strong host model. */
    private static IpTestBed strongHost() {
        IpTestBed bed = new IpTestBed();
        bed.stack.interfaceByIndex(1).setForwarding(false);
        bed.stack.interfaceByIndex(2).setForwarding(false);
        return bed;
    }

    private static IpTestBed.Seen only(List<IpTestBed.Seen> seen) {
        assertEquals(1, seen.size(), () -> "exactly one: " + seen);
        return seen.getFirst();
    }

    private static byte[] echoRequest(String destination) {
        return ipv4("192.0.2.10", destination, 1, 64, icmpEcho(8, 0x77, 1, bytes(24, 5)));
    }

    /** A message this host takes without answering (ip-layer.md, local delivery): nothing is sent back. */
    private static byte[] echoReply(String destination) {
        return ipv4("192.0.2.10", destination, 1, 64, icmpEcho(0, 0x77, 1, bytes(24, 5)));
    }

    @Test
    @DisplayName("Strong host receive: a packet for interface 2's address arriving on 1 is NOT_LOCALLY_DESTINED")
    void strongHostReceiveDrops() {
        try (IpTestBed bed = strongHost()) {
            bed.wire1.receive(ipv4("192.0.2.10", "198.51.100.1", 17, 64, udp(1, 2, bytes(4, 0))));

            assertEquals(0, bed.statistics().delivered());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.NOT_LOCALLY_DESTINED));
            IpTestBed.Seen discard = only(bed.discards());
            assertEquals(HookPoint.INBOUND_IPPACKET, discard.point());
            assertEquals(List.of(), bed.classified(HookPoint.IPFORWARD));
            assertEquals(1, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("Weak host receive: IPFORWARD with IS_INBOUND_PASS_THRU, TTL untouched, then delivered on interface 2")
    void weakHostReceivePassesThroughIpForward() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            byte[] request = echoReply("198.51.100.1");
            bed.wire1.receive(request);

            IpTestBed.Seen passThrough = only(bed.classified(HookPoint.IPFORWARD));
            assertEquals(INBOUND, passThrough.flags());
            assertEquals(1, passThrough.arrivalInterface(), "SOURCE_INTERFACE_INDEX: where it arrived");
            assertEquals(2, passThrough.destinationInterface(), "DESTINATION_INTERFACE_INDEX: the address's owner");
            assertArrayEquals(request, passThrough.data(), "offset at the IP header, TTL not decremented");
            IpTestBed.Seen inbound = only(bed.classified(HookPoint.INBOUND_IPPACKET));
            assertEquals(2, inbound.arrivalInterface(), "delivered as if it had arrived on the owner");
            assertEquals(1, bed.statistics().delivered());
            assertEquals(0, bed.statistics().forwarded());
        }
    }

    @Test
    @DisplayName("IPv6 weak host receive passes through IPFORWARD too")
    void weakHostReceiveV6() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            bed.wire1.receive(withIcmpv6Checksum(
                    ipv6("2001:db8:1::10", "2001:db8:2::1", 58, 64, new byte[0], icmpEcho(129, 0x77, 1, bytes(8, 3)))));

            assertEquals(INBOUND, only(bed.classified(HookPoint.IPFORWARD)).flags());
            assertEquals(1, bed.statistics().delivered());
        }
    }

    @Test
    @DisplayName("A hook BLOCK of the pass-through at IPFORWARD stops delivery and shows the IPFORWARD discard")
    void passThroughBlocked() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            bed.verdicts.put(HookPoint.IPFORWARD, HookVerdict.BLOCK);
            bed.wire1.receive(echoRequest("198.51.100.1"));

            assertEquals(0, bed.statistics().delivered());
            assertEquals(HookPoint.IPFORWARD, only(bed.discards()).point());
            assertEquals(List.of(), bed.classified(HookPoint.INBOUND_IPPACKET));
        }
    }

    @Test
    @DisplayName("Strong host send: the reply from interface 2's address has no route out of 2, so it is dropped")
    void strongHostSendHasNoRoute() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            bed.wire1.receive(echoRequest("198.51.100.1"));

            assertEquals(1, bed.statistics().echoRepliesSent());
            assertTrue(bed.wire1.takeSent().isEmpty());
            assertTrue(bed.wire2.takeSent().isEmpty());
            IpTestBed.Seen discard = only(bed.discards());
            assertEquals(HookPoint.OUTBOUND_IPPACKET, discard.point());
            assertEquals(IpDiscardReason.NO_ROUTE, discard.reason());
        }
    }

    @Test
    @DisplayName("Strong host send takes a route out of the source's interface even when another one is longer")
    void strongHostSendUsesTheSourceInterfacesRoutes() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            bed.stack.addRoute(ip("0.0.0.0"), 0, ip("198.51.100.254"), 2, 0);
            bed.wire1.receive(echoRequest("198.51.100.1"));

            byte[] reply = single(bed.wire2.takeSent());
            assertIcmpV4(reply, "198.51.100.1", "192.0.2.10", 0, 0);
            assertTrue(bed.wire1.takeSent().isEmpty(), "192.0.2.0/24 on interface 1 is not a route for 198.51.100.1");
            assertEquals(
                    List.of(),
                    bed.classified(HookPoint.IPFORWARD).stream()
                            .filter(seen -> seen.flags() == OUTBOUND)
                            .toList());
        }
    }

    @Test
    @DisplayName("Weak host send: the reply is shown at IPFORWARD with IS_OUTBOUND_PASS_THRU, then OUTBOUND_IPPACKET")
    void weakHostSendPassesThroughIpForward() {
        try (IpTestBed bed = strongHost()) {
            bed.stack.interfaceByIndex(1).setWeakHostReceive(true);
            bed.stack.interfaceByIndex(1).setWeakHostSend(true);
            bed.wire1.receive(echoRequest("198.51.100.1"));

            byte[] reply = single(bed.wire1.takeSent());
            assertIcmpV4(reply, "198.51.100.1", "192.0.2.10", 0, 0);
            List<IpTestBed.Seen> forward = bed.classified(HookPoint.IPFORWARD);
            assertEquals(
                    List.of(INBOUND, OUTBOUND),
                    forward.stream().map(IpTestBed.Seen::flags).toList());
            IpTestBed.Seen outbound = forward.get(1);
            assertEquals(2, outbound.arrivalInterface(), "SOURCE_INTERFACE_INDEX: the source address's owner");
            assertEquals(1, outbound.destinationInterface());
            assertArrayEquals(reply, outbound.data());
            assertEquals(1, only(bed.classified(HookPoint.OUTBOUND_IPPACKET)).destinationInterface());
        }
    }

    @Test
    @DisplayName("Forwarding implies the weak host model in both directions (WFP layer requirements, §5.6 item 1)")
    void forwardingImpliesWeakHost() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.wire1.receive(echoRequest("198.51.100.1"));

            assertIcmpV4(single(bed.wire1.takeSent()), "198.51.100.1", "192.0.2.10", 0, 0);
            assertEquals(
                    List.of(INBOUND, OUTBOUND),
                    bed.classified(HookPoint.IPFORWARD).stream()
                            .map(IpTestBed.Seen::flags)
                            .toList());
            assertEquals(0, bed.statistics().forwarded(), "passed through, not forwarded");
        }
    }

    @Test
    @DisplayName("Forward injection of a pass-through packet is accepted and completes with STATUS_INVALID_PARAMETER")
    void forwardInjectionOfPassThroughCompletesWithInvalidParameter() {
        try (IpTestBed bed = new IpTestBed()) {
            IpInjectionTest.Injector injector = new IpInjectionTest.Injector(bed);
            byte[] toThisHost = echoRequest("198.51.100.1");
            byte[] fromThisHost = ipv4("192.0.2.1", "198.51.100.20", 17, 64, udp(1, 2, bytes(4, 0)));
            byte[] transit = ipv4("192.0.2.10", "198.51.100.20", 17, 64, udp(1, 2, bytes(4, 0)));
            for (byte[] packet : List.of(toThisHost, fromThisHost, transit)) {
                assertEquals(
                        NtStatus.STATUS_SUCCESS,
                        bed.stack.injectForward(injector.packet(packet), AddressFamily.INET, 0, 2, injector));
            }
            bed.settle();

            assertEquals(
                    List.of(
                            NtStatus.STATUS_INVALID_PARAMETER,
                            NtStatus.STATUS_INVALID_PARAMETER,
                            NtStatus.STATUS_SUCCESS),
                    injector.statuses,
                    "§3.5 [S]: in the NBL's Status, not as the call's result");
            assertEquals(
                    List.of(Arrays.toString(transit)),
                    bed.wire2.takeSent().stream().map(Arrays::toString).toList());
            injector.close();
        }
    }
}
