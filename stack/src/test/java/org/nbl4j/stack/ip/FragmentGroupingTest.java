package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.bytes;
import static org.nbl4j.stack.ip.TestPackets.checksum;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.put16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Fragment grouping at the forward layer (wfp-callouts-and-injection §5.6 items 2 and 3,
 * {@link IpStack#setGroupForwardedFragments}): a datagram from wire1 to 198.51.100.20 in three fragments.
 */
class FragmentGroupingTest {
    private static final int GROUP = IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP;
    private static final byte[] PAYLOAD = bytes(48, 7);

    /** Fragment {@code index} (0, 1, 2) of 16 payload bytes each; the last has MF clear. */
    private static byte[] fragment(int index) {
        int word = (index < 2 ? 0x2000 : 0) | (index * 16 / 8);
        return ipv4(
                "192.0.2.10",
                "198.51.100.20",
                17,
                64,
                0x5151,
                word,
                new byte[0],
                Arrays.copyOfRange(PAYLOAD, index * 16, index * 16 + 16));
    }

    /** The fragment as forwarded: TTL one less, checksum recomputed. */
    private static String forwarded(byte[] packet) {
        byte[] expected = packet.clone();
        expected[8]--;
        put16(expected, 10, 0);
        put16(expected, 10, checksum(expected, 0, 20));
        return HexFormat.of().formatHex(expected);
    }

    private static List<String> hex(List<byte[]> packets) {
        return packets.stream().map(HexFormat.of()::formatHex).toList();
    }

    /** Records the chain length of every IPFORWARD indication. */
    private static List<Integer> chainLengths(IpTestBed bed) {
        List<Integer> lengths = new ArrayList<>();
        bed.action = (point, nbl, facts) -> {
            if (point == HookPoint.IPFORWARD) {
                int length = 0;
                for (NetBufferList each = nbl; each != null; each = each.next()) {
                    length++;
                }
                lengths.add(length);
            }
        };
        return lengths;
    }

    private static List<Integer> forwardFlags(IpTestBed bed) {
        return bed.classified(HookPoint.IPFORWARD).stream()
                .map(IpTestBed.Seen::flags)
                .toList();
    }

    @Test
    @DisplayName("Grouping off (default): each fragment is shown once and forwarded at once")
    void groupingOff() {
        try (IpTestBed bed = new IpTestBed()) {
            assertFalse(bed.stack.groupForwardedFragments());
            bed.wire1.receive(fragment(0));
            assertEquals(List.of(forwarded(fragment(0))), hex(bed.wire2.takeSent()));
            bed.wire1.receive(fragment(1));
            bed.wire1.receive(fragment(2));

            assertEquals(2, bed.wire2.takeSent().size());
            assertEquals(List.of(0x20, 0x20, 0x20), forwardFlags(bed), "IS_FRAGMENT only, never a group");
        }
    }

    @Test
    @DisplayName("Grouping on: shown alone, held, shown again as an offset-ordered chain with IS_FRAGMENT_GROUP, sent")
    void groupingOnHoldsThenShowsTheChain() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            List<Integer> chains = chainLengths(bed);
            bed.wire1.receive(fragment(2));
            bed.wire1.receive(fragment(0));
            assertTrue(bed.wire2.takeSent().isEmpty(), "held until the group is complete");
            assertEquals(0, bed.wire1.returned());
            bed.wire1.receive(fragment(1));

            assertEquals(List.of(0x20, 0x20, 0x20, GROUP), forwardFlags(bed));
            assertEquals(List.of(1, 1, 1, 3), chains);
            IpTestBed.Seen group = bed.classified(HookPoint.IPFORWARD).get(3);
            assertEquals(forwarded(fragment(0)), HexFormat.of().formatHex(group.data()), "the chain's head: offset 0");
            assertEquals(2, group.destinationInterface());
            assertEquals(
                    List.of(forwarded(fragment(0)), forwarded(fragment(1)), forwarded(fragment(2))),
                    hex(bed.wire2.takeSent()),
                    "sent in offset order, each as it arrived (grouping is not reassembly)");
            assertEquals(3, bed.statistics().forwarded());
            assertEquals(3, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("The group's BLOCK drops every fragment, shown once at the IPFORWARD discard twin")
    void groupBlocked() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            bed.action = (point, nbl, facts) -> bed.verdicts.put(
                    HookPoint.IPFORWARD,
                    (facts.conditionFlags() & GROUP) != 0 ? HookVerdict.BLOCK : HookVerdict.CONTINUE);
            for (int i = 0; i < 3; i++) {
                bed.wire1.receive(fragment(i));
            }

            assertTrue(bed.wire2.takeSent().isEmpty());
            IpTestBed.Seen discard = bed.discards().getFirst();
            assertEquals(1, bed.discards().size());
            assertEquals(HookPoint.IPFORWARD, discard.point());
            assertEquals(IpDiscardReason.INSPECTION_DROP, discard.reason());
            assertEquals(3, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("A fragment absorbed at its own indication is still in the chain, and is not sent after it")
    void absorbedFragmentStaysInTheGroup() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            List<Integer> chains = new ArrayList<>();
            bed.action = (point, nbl, facts) -> {
                boolean group = (facts.conditionFlags() & GROUP) != 0;
                boolean middle = !group && facts.fragmentOffset() == 16;
                if (group) {
                    int length = 0;
                    for (NetBufferList each = nbl; each != null; each = each.next()) {
                        length++;
                    }
                    chains.add(length);
                }
                bed.verdicts.put(HookPoint.IPFORWARD, middle ? HookVerdict.ABSORB : HookVerdict.CONTINUE);
            };
            for (int i = 0; i < 3; i++) {
                bed.wire1.receive(fragment(i));
            }

            assertEquals(List.of(3), chains);
            assertEquals(List.of(forwarded(fragment(0)), forwarded(fragment(2))), hex(bed.wire2.takeSent()));
            assertEquals(1, bed.statistics().inspectionAbsorbed());
        }
    }

    @Test
    @DisplayName("A duplicate fragment is not grouped: it is forwarded alone at once")
    void duplicateIsForwardedAlone() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            bed.wire1.receive(fragment(0));
            bed.wire1.receive(fragment(0));
            assertEquals(List.of(forwarded(fragment(0))), hex(bed.wire2.takeSent()));
            bed.wire1.receive(fragment(1));
            bed.wire1.receive(fragment(2));

            assertEquals(3, bed.wire2.takeSent().size(), "the group, once complete");
            assertEquals(4, bed.wire1.returned());
        }
    }

    @Test
    @DisplayName("An incomplete group is dropped after the reassembly timeout (FIRST_FRAGMENT_INCOMPLETE)")
    void incompleteGroupTimesOut() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            bed.wire1.receive(fragment(0));
            bed.wire1.receive(fragment(2));
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(59).toNanos(), false);
            assertEquals(0, bed.wire1.returned(), "not yet");
            bed.stack.expireReassembly(bed.clock.get() + Duration.ofSeconds(60).toNanos(), false);

            assertEquals(2, bed.wire1.returned());
            assertEquals(2, bed.statistics().discards(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE));
            assertTrue(bed.wire2.takeSent().isEmpty());
            assertEquals(List.of(0x20, 0x20), forwardFlags(bed), "no group indication");
        }
    }

    @Test
    @DisplayName("Switching grouping off drops the fragments held in incomplete groups")
    void switchingOffDropsTheHeldFragments() {
        try (IpTestBed bed = new IpTestBed()) {
            bed.stack.setGroupForwardedFragments(true);
            bed.wire1.receive(fragment(1));
            bed.stack.setGroupForwardedFragments(false);

            assertEquals(1, bed.wire1.returned());
            assertEquals(1, bed.statistics().discards(IpDiscardReason.FIRST_FRAGMENT_INCOMPLETE));
            bed.wire1.receive(fragment(2));
            assertEquals(List.of(forwarded(fragment(2))), hex(bed.wire2.takeSent()), "forwarded at once again");
        }
    }
}
