package org.nbl4j.stack.ip;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** The stack-wide counters, updated from every receive-queue thread without allocating. */
final class IpCounters {
    private static final IpDiscardReason[] REASONS = IpDiscardReason.values();

    static final int FORWARDED = 0;
    static final int DELIVERED = 1;
    static final int FRAGMENTS_CREATED = 2;
    static final int DATAGRAMS_FRAGMENTED = 3;
    static final int REASSEMBLED = 4;
    static final int ICMP_ERRORS_SENT = 5;
    static final int ECHO_REPLIES_SENT = 6;
    static final int ICMP_RATE_LIMITED = 7;
    static final int REASSEMBLY_TIMEOUTS = 8;
    static final int INSPECTION_ABSORBED = 9;
    static final int RESETS_SENT = 10;
    private static final int COUNT = 11;

    private final AtomicLongArray discards = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray events = new AtomicLongArray(COUNT);

    void discard(IpDiscardReason reason) {
        discards.incrementAndGet(reason.ordinal());
    }

    void count(int event) {
        events.incrementAndGet(event);
    }

    void add(int event, int amount) {
        events.addAndGet(event, amount);
    }

    IpStatistics snapshot(List<InterfaceStatistics> interfaces) {
        Map<IpDiscardReason, Long> byReason = new EnumMap<>(IpDiscardReason.class);
        for (IpDiscardReason reason : REASONS) {
            long count = discards.get(reason.ordinal());
            if (count != 0) {
                byReason.put(reason, count);
            }
        }
        return new IpStatistics(
                byReason,
                events.get(FORWARDED),
                events.get(DELIVERED),
                events.get(FRAGMENTS_CREATED),
                events.get(DATAGRAMS_FRAGMENTED),
                events.get(REASSEMBLED),
                events.get(ICMP_ERRORS_SENT),
                events.get(ECHO_REPLIES_SENT),
                events.get(ICMP_RATE_LIMITED),
                events.get(REASSEMBLY_TIMEOUTS),
                events.get(INSPECTION_ABSORBED),
                events.get(RESETS_SENT),
                interfaces);
    }
}
