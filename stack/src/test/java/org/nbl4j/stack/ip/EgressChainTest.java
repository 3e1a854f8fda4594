package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.icmpEcho;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.ipv6;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.OwnerState;

/**
 * What one receive indication sends leaves per egress as one chain in one {@code NdisSendNetBufferLists}, seen by the
 * filter module stacked on each egress as one {@code FilterSendNetBufferLists} call ({@link EgressGather}); outside an
 * indication a send goes down at once.
 */
class EgressChainTest {
    private static byte[] forwardedV4(int index) {
        return ipv4(
                "192.0.2.10", "203.0.113.5", 17, 64, 0x100 + index, 0, new byte[0], udp(4000, 53, bytes(40, index)));
    }

    private static byte[] forwardedV6(int index) {
        return ipv6("2001:db8:1::10", "2001:db8:3::5", 17, 9, new byte[0], udp(4000, 53, bytes(60, index)));
    }

    private static byte[] echoRequest(int sequence) {
        return ipv4("192.0.2.10", "192.0.2.1", 1, 64, icmpEcho(8, 0x77, sequence, bytes(16, sequence)));
    }

    /** The packet as the forward path sends it: TTL or hop limit one less, IPv4 checksum patched. */
    private static byte[] forwardedForm(byte[] packet) {
        byte[] out = packet.clone();
        if ((out[0] & 0xF0) == 0x40) {
            out[8]--;
            TestPackets.put16(out, 10, 0);
            TestPackets.put16(out, 10, TestPackets.checksum(out, 0, 20));
        } else {
            out[7]--;
        }
        return out;
    }

    @Test
    @DisplayName("An indication of 8 forwarded packets reaches the egress filter in one call with 8 NBLs, in order")
    void oneIndicationLeavesAsOneChain() {
        try (IpTestBed bed = new IpTestBed()) {
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                packets.add(i % 3 == 2 ? forwardedV6(i) : forwardedV4(i));
            }
            bed.wire1.receiveAll(packets);

            assertArrayEquals(new long[] {8, 1}, bed.wire2.sendsAndCalls(), "8 NBLs in 1 FilterSendNetBufferLists");
            List<byte[]> sent = bed.wire2.takeSent();
            assertEquals(8, sent.size());
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(forwardedForm(packets.get(i)), sent.get(i), "packet " + i + " in arrival order");
            }
            assertEquals(8, bed.wire1.returned(), "each NBL back to its miniport once its send completed");
            assertEquals(8, bed.statistics().interfaces().get(1).outPackets());
        }
    }

    @Test
    @DisplayName("Forwarded packets and the echo replies of one indication: one chain per egress, each in order")
    void eachEgressGetsItsOwnChain() {
        try (IpTestBed bed = new IpTestBed()) {
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                packets.add(i % 3 == 1 ? echoRequest(i) : forwardedV4(i));
            }
            bed.wire1.receiveAll(packets);

            assertArrayEquals(new long[] {6, 1}, bed.wire2.sendsAndCalls(), "the forwarded ones: one chain");
            assertArrayEquals(new long[] {3, 1}, bed.wire1.sendsAndCalls(), "the echo replies: one chain back");
            List<byte[]> forwarded = bed.wire2.takeSent();
            List<byte[]> replies = bed.wire1.takeSent();
            int f = 0;
            int r = 0;
            for (int i = 0; i < 9; i++) {
                if (i % 3 == 1) {
                    byte[] reply = replies.get(r++);
                    assertEquals(0, reply[20], "an echo reply");
                    assertEquals(i, TestPackets.u16(reply, 26), "the reply to request " + i + ", in order");
                } else {
                    assertArrayEquals(forwardedForm(packets.get(i)), forwarded.get(f++), "packet " + i + " in order");
                }
            }
        }
    }

    @Test
    @DisplayName("A clone a hook injects inline during the indication joins the egress chain at its packet's place")
    void inlineInjectionJoinsTheChain() {
        try (IpTestBed bed = new IpTestBed()) {
            List<Integer> completions = new ArrayList<>();
            bed.action = (point, nbl, facts) -> {
                int id = TestPackets.u16(nbl.firstNetBuffer().toByteArray(), 4);
                if (point != HookPoint.IPFORWARD) {
                    return;
                }
                // Odd packets: absorbed and sent again as a clone, from inside classify; even ones forwarded.
                boolean absorb = id % 2 == 1;
                bed.verdicts.put(HookPoint.IPFORWARD, absorb ? HookVerdict.ABSORB : HookVerdict.CONTINUE);
                if (!absorb) {
                    return;
                }
                NetBufferList clone = nbl.allocateClone(null, null, 0);
                assertNotNull(clone);
                clone.setParent(nbl);
                nbl.incrementChildRefCount();
                clone.handOff(OwnerState.INJECTED, "test injector");
                bed.stack.injectForward(clone, AddressFamily.INET, 0, 2, (done, dispatch) -> {
                    done.handOff(OwnerState.OWNED, null);
                    completions.add(done.status());
                    NetBufferList original = done.parent();
                    done.freeClone(0);
                    bed.stack.childFreed(original, dispatch);
                });
            };
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                packets.add(forwardedV4(i));
            }
            bed.wire1.receiveAll(packets);

            assertArrayEquals(new long[] {6, 1}, bed.wire2.sendsAndCalls(), "forwarded and injected: one chain");
            List<byte[]> sent = bed.wire2.takeSent();
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(forwardedForm(packets.get(i)), sent.get(i), "packet " + i + " in arrival order");
            }
            assertEquals(List.of(0, 0, 0), completions, "each clone completed once with STATUS_SUCCESS");
            assertEquals(6, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("Outside an indication (injection from the test thread) each send goes down at once, alone")
    void sendsOutsideAnIndicationGoAtOnce() {
        try (IpTestBed bed = new IpTestBed()) {
            IpInjectionTest.Injector injector = new IpInjectionTest.Injector(bed);
            // An indication first: the gather it opened must be closed again.
            bed.wire1.receive(forwardedV4(0));
            assertArrayEquals(new long[] {1, 1}, bed.wire2.sendsAndCalls());
            for (int i = 1; i <= 2; i++) {
                assertEquals(
                        NtStatus.STATUS_SUCCESS,
                        bed.stack.injectForward(injector.packet(forwardedV4(i)), AddressFamily.INET, 0, 2, injector));
                assertArrayEquals(
                        new long[] {1 + i, 1 + i}, bed.wire2.sendsAndCalls(), "sent before injectForward returned");
            }
            bed.settle();
            assertEquals(List.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS), injector.statuses);
            injector.close();
        }
    }
}
