package org.nbl4j.core.buffer;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;

/**
 * Walking and joining NBL and NB chains, which are intrusive singly linked lists (ndis-buffers §4.9), with the checks
 * of §10.6: a chain must not loop, and an NBL must not be in two chains at once.
 */
public final class NetBufferLists {
    private static final AtomicLong MARKS = new AtomicLong();

    private NetBufferLists() {}

    /** The number of NBLs in a chain ({@code NumberOfNetBufferLists}). */
    public static int count(@Nullable NetBufferList head) {
        int count = 0;
        for (NetBufferList nbl = head; nbl != null; nbl = nbl.next) {
            count++;
        }
        return count;
    }

    /** The last NBL of a non-empty chain. */
    public static NetBufferList last(NetBufferList head) {
        NetBufferList nbl = head;
        while (nbl.next != null) {
            nbl = nbl.next;
        }
        return nbl;
    }

    /**
     * Appends chain {@code tail} to chain {@code head} and returns the joined chain's head. With a checked
     * {@link Ndis}, both chains are first checked for loops and for sharing an NBL.
     */
    public static NetBufferList append(@Nullable NetBufferList head, NetBufferList tail) {
        if (head == null) {
            return tail;
        }
        if (head.pool.ndis().checked()) {
            requireDisjoint(head, tail);
        }
        last(head).next = tail;
        return head;
    }

    /**
     * Throws if the chain loops back on itself (Floyd's two pointers: no allocation, no marks).
     *
     * @throws RuleViolation {@link BufferRule#CHAIN_CYCLE}
     */
    public static void requireNoCycle(@Nullable NetBufferList head) {
        NetBufferList slow = head;
        NetBufferList fast = head;
        while (fast != null && fast.next != null) {
            slow = slow == null ? null : slow.next;
            fast = fast.next.next;
            if (fast != null && fast == slow) {
                throw fast.pool
                        .verifier()
                        .rejected(BufferRule.CHAIN_CYCLE, "NBL chain from " + head + " loops at " + fast);
            }
        }
    }

    /** Throws if an NB chain loops back on itself. */
    public static void requireNoCycle(@Nullable NetBuffer first) {
        NetBuffer slow = first;
        NetBuffer fast = first;
        while (fast != null && fast.next != null) {
            slow = slow == null ? null : slow.next;
            fast = fast.next.next;
            if (fast != null && fast == slow) {
                throw fast.pool.ndis().verifier().rejected(BufferRule.CHAIN_CYCLE, "NB chain from " + first + " loops");
            }
        }
    }

    /**
     * Throws if either chain loops or the two share an NBL (the NetAdapterCx {@code nblutil.h} overlap assertion).
     *
     * @throws RuleViolation {@link BufferRule#CHAIN_CYCLE} or {@link BufferRule#CHAIN_OVERLAP}
     */
    public static void requireDisjoint(@Nullable NetBufferList first, @Nullable NetBufferList second) {
        requireNoCycle(first);
        requireNoCycle(second);
        long mark = MARKS.incrementAndGet();
        for (NetBufferList nbl = first; nbl != null; nbl = nbl.next) {
            nbl.chainMark = mark;
        }
        for (NetBufferList nbl = second; nbl != null; nbl = nbl.next) {
            if (nbl.chainMark == mark) {
                throw nbl.pool.verifier().rejected(BufferRule.CHAIN_OVERLAP, nbl + " is in both chains");
            }
        }
    }
}
