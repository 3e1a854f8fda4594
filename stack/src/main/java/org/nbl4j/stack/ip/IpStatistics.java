package org.nbl4j.stack.ip;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the IP layer's counters ({@code MIB_IPSTATS} in spirit).
 *
 * @param discards packets (or, for reassembly, datagrams) dropped, by reason; reasons never seen are absent
 * @param forwarded packets forwarded (a fragmented packet counts once)
 * @param delivered packets delivered locally (reassembled datagrams once, not their fragments)
 * @param fragmentsCreated fragments cut from packets bigger than the egress MTU
 * @param datagramsFragmented packets that were cut into fragments
 * @param reassembled datagrams rebuilt from fragments
 * @param icmpErrorsSent ICMP and ICMPv6 errors sent
 * @param echoRepliesSent echo replies sent
 * @param icmpRateLimited ICMP errors not sent because of the rate limit
 * @param reassemblyTimeouts incomplete datagrams dropped when their time ran out
 * @param inspectionAbsorbed packets a hook absorbed (BLOCK + ABSORB), which are not discards
 * @param resetsSent TCP resets sent to segments addressed to this host, which has no listeners
 * @param segmentsCreated segments cut in software from coalesced packets (an egress without LSO, or RSC off)
 * @param largeSends coalesced packets forwarded whole with LSO ({@code --offload=throughput})
 * @param interfaces each interface's counters
 */
public record IpStatistics(
        Map<IpDiscardReason, Long> discards,
        long forwarded,
        long delivered,
        long fragmentsCreated,
        long datagramsFragmented,
        long reassembled,
        long icmpErrorsSent,
        long echoRepliesSent,
        long icmpRateLimited,
        long reassemblyTimeouts,
        long inspectionAbsorbed,
        long resetsSent,
        long segmentsCreated,
        long largeSends,
        List<InterfaceStatistics> interfaces) {

    public IpStatistics {
        discards = Map.copyOf(discards);
        interfaces = List.copyOf(interfaces);
    }

    /** The discards of one reason (0 if none). */
    public long discards(IpDiscardReason reason) {
        return discards.getOrDefault(reason, 0L);
    }

    /** All discards. */
    public long totalDiscards() {
        long total = 0;
        for (long count : discards.values()) {
            total += count;
        }
        return total;
    }
}
