package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.IpForwardingTest.assertIcmpV4;
import static org.nbl4j.stack.ip.IpForwardingTest.single;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.icmpEcho;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.OwnerState;

/** The injection entry points (wfp-callouts-and-injection §3.4–§3.6, §8.4 I-2, I-4): statuses and completions. */
class IpInjectionTest {
    private static final PoolTag TAG = PoolTag.of("TInj");

    /** An injector: NBLs from its own pool, handed off INJECTED, completions recorded. */
    static final class Injector implements PacketCompletion {
        final NetBufferListPool pool;
        final List<Integer> statuses = new ArrayList<>();

        Injector(IpTestBed bed) {
            pool = bed.ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, TAG, 8192));
        }

        NetBufferList packet(byte[] bytes) {
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            NetBuffer nb = nbl.firstNetBuffer();
            nb.retreat(bytes.length, 0, null);
            nb.write(0, bytes);
            nbl.handOff(OwnerState.INJECTED, "test injector");
            return nbl;
        }

        @Override
        public void complete(NetBufferList nbl, boolean dispatchLevel) {
            assertTrue(dispatchLevel);
            assertEquals(OwnerState.INJECTED, nbl.ownerState());
            nbl.handOff(OwnerState.OWNED, null);
            statuses.add(nbl.status());
            nbl.free();
        }

        /** A failed injection leaves the NBL with the caller (I-2): take it back and free it. */
        void reclaim(NetBufferList nbl) {
            nbl.handOff(OwnerState.OWNED, null);
            nbl.free();
        }

        void close() {
            pool.close();
        }
    }

    private static byte[] udpV4(String destination, int length) {
        return ipv4("192.0.2.10", destination, 17, 64, udp(1, 2, bytes(length, 1)));
    }

    @Test
    @DisplayName("injectForward: sent as is out of the interface, no hook (I-4), completed once with SUCCESS")
    void forward() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            byte[] packet = udpV4("203.0.113.5", 20);
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    bed.stack.injectForward(injector.packet(packet), AddressFamily.INET, 0, 2, injector));
            bed.settle();
            assertArrayEquals(packet, single(bed.wire2.takeSent()), "no TTL decrement on forward injection");
            assertTrue(bed.seen.isEmpty());
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName("injectForward bigger than the MTU: completed with STATUS_INVALID_BUFFER_SIZE, nothing sent")
    void forwardTooBig() {
        try (IpTestBed bed = new IpTestBed(576)) {
            Injector injector = new Injector(bed);
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    bed.stack.injectForward(
                            injector.packet(udpV4("203.0.113.5", 1000)), AddressFamily.INET, 1, 2, injector));
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertEquals(List.of(NtStatus.STATUS_INVALID_BUFFER_SIZE), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName("S-WD-4: after INVALID_BUFFER_SIZE the injector sends frag-needed toward the source through the stack")
    void fragNeededTowardSource() {
        try (IpTestBed bed = new IpTestBed(576)) {
            Injector injector = new Injector(bed);
            NetBufferList packet = injector.packet(udpV4("203.0.113.5", 1000));
            packet.handOff(OwnerState.OWNED, null);
            assertEquals(
                    NtStatus.STATUS_SUCCESS, bed.stack.sendIcmpError(packet, 1, IcmpErrorKind.PACKET_TOO_BIG, 576));
            byte[] error = single(bed.wire1.takeSent());
            assertIcmpV4(error, "192.0.2.1", "192.0.2.10", 3, 4);
            assertEquals(576, TestPackets.u16(error, 26));
            packet.free();
            injector.close();
        }
    }

    @Test
    @DisplayName("Failed injections return an error and never complete (I-2, API-5)")
    void failures() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            NetBufferList nbl = injector.packet(udpV4("203.0.113.5", 10));
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    bed.stack.injectForward(nbl, AddressFamily.INET, 0, 9, injector),
                    "unknown interface");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    bed.stack.injectForward(nbl, AddressFamily.INET, 5, 2, injector),
                    "wrong compartment");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    bed.stack.injectForward(nbl, AddressFamily.INET6, 0, 2, injector),
                    "family differs from the header");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    bed.stack.injectNetworkSend(nbl, AddressFamily.INET, 7, injector),
                    "unknown compartment");
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    bed.stack.injectNetworkReceive(nbl, AddressFamily.INET, 0, 9, 0, injector));
            NetBufferList unroutable = injector.packet(udpV4("203.0.113.200", 10));
            assertEquals(
                    NtStatus.STATUS_NOT_FOUND,
                    bed.stack.injectNetworkSend(unroutable, AddressFamily.INET, 0, injector));
            assertTrue(injector.statuses.isEmpty());
            assertTrue(bed.wire2.takeSent().isEmpty());
            injector.reclaim(nbl);
            injector.reclaim(unroutable);
            injector.close();
        }
    }

    @Test
    @DisplayName(
            "injectNetworkSend: routed, shown at OUTBOUND_IPPACKET, sent; the wire's status reaches the completion")
    void networkSend() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            byte[] packet = udpV4("203.0.113.5", 30);
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    bed.stack.injectNetworkSend(injector.packet(packet), AddressFamily.INET, 0, injector));
            bed.settle();
            assertArrayEquals(packet, single(bed.wire2.takeSent()));
            bed.wire2.failSendsWith(NtStatus.NDIS_STATUS_MEDIA_DISCONNECTED);
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    bed.stack.injectNetworkSend(injector.packet(packet), AddressFamily.INET, 0, injector));
            bed.settle();
            assertTrue(bed.wire2.takeSent().isEmpty(), "the failed send never reached the wire");
            assertEquals(2, bed.classified(HookPoint.OUTBOUND_IPPACKET).size());
            assertEquals(
                    0x45, bed.classified(HookPoint.OUTBOUND_IPPACKET).get(0).data()[0]);
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.NDIS_STATUS_MEDIA_DISCONNECTED), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName("injectNetworkSend blocked at OUTBOUND_IPPACKET: completed with a failure status")
    void networkSendBlocked() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            bed.verdicts.put(HookPoint.OUTBOUND_IPPACKET, HookVerdict.BLOCK);
            bed.stack.injectNetworkSend(injector.packet(udpV4("203.0.113.5", 30)), AddressFamily.INET, 0, injector);
            bed.settle();
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertEquals(List.of(NtStatus.STATUS_UNSUCCESSFUL), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName("injectNetworkReceive: INBOUND_IPPACKET then local delivery (an echo is answered), completed once")
    void networkReceive() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            byte[] echo = ipv4("192.0.2.10", "192.0.2.1", 1, 64, icmpEcho(8, 1, 2, bytes(10, 0)));
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    bed.stack.injectNetworkReceive(injector.packet(echo), AddressFamily.INET, 0, 1, 0, injector));
            bed.settle();
            assertEquals(1, bed.classified(HookPoint.INBOUND_IPPACKET).size());
            assertEquals(0, single(bed.wire1.takeSent())[20], "echo reply");
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName(
            "injectNetworkReceive of a packet not for this host: forwarded; TTL 1 completes with HOPLIMIT_EXCEEDED")
    void networkReceiveForwards() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            bed.stack.injectNetworkReceive(
                    injector.packet(udpV4("203.0.113.5", 10)), AddressFamily.INET, 0, 1, 0, injector);
            bed.settle();
            assertEquals(63, single(bed.wire2.takeSent())[8]);
            byte[] expiring = ipv4("192.0.2.10", "203.0.113.5", 17, 1, udp(1, 2, bytes(4, 0)));
            bed.stack.injectNetworkReceive(injector.packet(expiring), AddressFamily.INET, 0, 1, 0, injector);
            bed.settle();
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_HOPLIMIT_EXCEEDED), injector.statuses);
            injector.close();
        }
    }

    @Test
    @DisplayName("A hook injecting a clone from inside classify: the outer packet's state survives the nested pass")
    void nestedInjection() {
        try (IpTestBed bed = new IpTestBed()) {
            Injector injector = new Injector(bed);
            NetBufferList[] parent = new NetBufferList[1];
            bed.verdicts.put(HookPoint.IPFORWARD, HookVerdict.ABSORB);
            bed.action = (point, nbl, facts) -> {
                if (point != HookPoint.IPFORWARD) {
                    return;
                }
                NetBufferList clone = nbl.allocateClone(null, null, 0);
                assertNotNull(clone);
                clone.setParent(nbl);
                nbl.incrementChildRefCount();
                parent[0] = nbl;
                clone.handOff(OwnerState.INJECTED, "test injector");
                bed.stack.injectForward(clone, AddressFamily.INET, 0, 2, (done, dispatch) -> {
                    done.handOff(OwnerState.OWNED, null);
                    NetBufferList original = done.parent();
                    done.freeClone(0);
                    bed.stack.childFreed(original, dispatch);
                });
            };
            byte[] packet = udpV4("203.0.113.5", 10);
            bed.wire1.receive(packet);
            byte[] sent = single(bed.wire2.takeSent());
            assertEquals(63, sent[8], "decremented once, before IPFORWARD; forward injection does not decrement");
            assertEquals(1, bed.wire1.returned());
            injector.close();
        }
    }
}
