package org.nbl4j.stack.ip;

import java.util.ArrayList;
import java.util.List;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Fragment grouping at the forward layer ({@code netsh interface ipv4|ipv6 set global groupforwardedfragments},
 * wfp-callouts-and-injection §5.6 item 3): the forwarded fragments of one datagram are held, each after its own
 * IPFORWARD indication, until all of them are there; then the path shows them together, as an NBL chain in offset
 * order with IS_FRAGMENT_GROUP, and sends them. Grouping is not reassembly: the fragments stay as they arrived.
 *
 * <p>Groups are keyed like reassembly (compartment, family, source, destination, identification, IPv4 protocol). A
 * group is complete when its fragments cover the payload from 0 to the last fragment's end without gap. A fragment
 * that overlaps or repeats one already held is not grouped (the path forwards it alone at once), nor is one that
 * finds the table full. Incomplete groups are dropped after the reassembly timeout. The table is shared by every
 * receive queue and guarded by its monitor (fragments are not the hot path); each group allocates.
 */
final class ForwardFragmentGrouping {

    /** One held fragment: the IP layer holds its NBL until the group is sent or dropped. */
    record Member(
            NetBufferList nbl,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            int offset,
            int length,
            boolean more,
            boolean continues) {}

    /** What became of a fragment given to {@link #add}. */
    enum Outcome {
        /** Held; its group is incomplete. */
        HELD,
        /** Its group is complete and out of the table. */
        COMPLETED,
        /** Not grouped (overlap, duplicate, table full): the caller keeps it and forwards it alone. */
        NOT_GROUPED
    }

    /** {@link #add}'s answer: the outcome, and for COMPLETED the group's members in offset order. */
    record Added(Outcome outcome, List<Member> members) {
        static final Added HELD = new Added(Outcome.HELD, List.of());
        static final Added NOT_GROUPED = new Added(Outcome.NOT_GROUPED, List.of());
    }

    private static final class Group {
        final FragmentKey key;
        final long started;
        /** In offset order. */
        final List<Member> members = new ArrayList<>();

        Group(int compartmentId, PacketFacts facts, long started) {
            this.key = FragmentKey.of(compartmentId, facts);
            this.started = started;
        }

        boolean complete() {
            int expected = 0;
            for (Member member : members) {
                if (member.offset() != expected) {
                    return false;
                }
                expected += member.length();
            }
            return !members.isEmpty() && !members.getLast().more();
        }
    }

    private final long timeoutNanos;
    private final int maximumGroups;
    private final List<Group> groups = new ArrayList<>();

    ForwardFragmentGrouping(long timeoutNanos, int maximumGroups) {
        this.timeoutNanos = timeoutNanos;
        this.maximumGroups = maximumGroups;
    }

    /**
     * Adds a fragment parsed into {@code facts}; the caller has taken a hold on {@code nbl} for the table.
     *
     * @param continues whether its own IPFORWARD indication let it continue
     */
    synchronized Added add(
            int compartmentId,
            PacketFacts facts,
            NetBufferList nbl,
            IpInterface arrival,
            int subInterface,
            IpInterface egress,
            boolean continues,
            long now) {
        Group group = null;
        for (Group candidate : groups) {
            if (candidate.key.matches(compartmentId, facts)) {
                group = candidate;
                break;
            }
        }
        int start = facts.fragmentOffset;
        int length = facts.fragmentPayloadLength();
        if (group == null) {
            if (groups.size() >= maximumGroups) {
                return Added.NOT_GROUPED;
            }
            group = new Group(compartmentId, facts, now);
            groups.add(group);
        }
        int insertAt = 0;
        for (int i = 0; i < group.members.size(); i++) {
            Member held = group.members.get(i);
            if (start < held.offset() + held.length() && held.offset() < start + length) {
                return Added.NOT_GROUPED;
            }
            if (held.offset() < start) {
                insertAt = i + 1;
            }
        }
        group.members.add(
                insertAt,
                new Member(nbl, arrival, subInterface, egress, start, length, facts.moreFragments, continues));
        if (!group.complete()) {
            return Added.HELD;
        }
        groups.remove(group);
        return new Added(Outcome.COMPLETED, group.members);
    }

    /**
     * Removes the groups older than the timeout at {@code now} (nanoseconds of the stack's clock).
     *
     * @return their members, which the caller drops
     */
    synchronized List<Member> expire(long now) {
        List<Member> expired = new ArrayList<>();
        for (int i = groups.size() - 1; i >= 0; i--) {
            Group group = groups.get(i);
            if (now - group.started >= timeoutNanos) {
                expired.addAll(group.members);
                groups.remove(i);
            }
        }
        return expired;
    }

    /** Removes every group; returns their members, which the caller drops. */
    synchronized List<Member> removeAll() {
        List<Member> all = new ArrayList<>();
        for (Group group : groups) {
            all.addAll(group.members);
        }
        groups.clear();
        return all;
    }
}
