package org.nbl4j.stack.ip;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nbl4j.core.memory.internal.StripedCounters;

/**
 * The stack-wide counters behind {@link IpStatistics}, updated from every receive-queue thread without allocating and
 * without a shared atomic: each thread counts into its own cell, and {@link #snapshot} adds the cells up.
 */
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
    static final int SEGMENTS_CREATED = 11;
    static final int LARGE_SENDS = 12;
    private static final int COUNT = 13;

    /** The events first, then one counter per discard reason. */
    private final StripedCounters counters = new StripedCounters(COUNT + REASONS.length);

    void discard(IpDiscardReason reason) {
        counters.increment(COUNT + reason.ordinal());
    }

    void count(int event) {
        counters.increment(event);
    }

    void add(int event, int amount) {
        counters.add(event, amount);
    }

    IpStatistics snapshot(List<InterfaceStatistics> interfaces) {
        Map<IpDiscardReason, Long> byReason = new EnumMap<>(IpDiscardReason.class);
        for (IpDiscardReason reason : REASONS) {
            long count = counters.sum(COUNT + reason.ordinal());
            if (count != 0) {
                byReason.put(reason, count);
            }
        }
        return new IpStatistics(
                byReason,
                counters.sum(FORWARDED),
                counters.sum(DELIVERED),
                counters.sum(FRAGMENTS_CREATED),
                counters.sum(DATAGRAMS_FRAGMENTED),
                counters.sum(REASSEMBLED),
                counters.sum(ICMP_ERRORS_SENT),
                counters.sum(ECHO_REPLIES_SENT),
                counters.sum(ICMP_RATE_LIMITED),
                counters.sum(REASSEMBLY_TIMEOUTS),
                counters.sum(INSPECTION_ABSORBED),
                counters.sum(RESETS_SENT),
                counters.sum(SEGMENTS_CREATED),
                counters.sum(LARGE_SENDS),
                interfaces);
    }
}
