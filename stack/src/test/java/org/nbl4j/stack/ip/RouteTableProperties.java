package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.ProtocolBinding;

/** Longest-prefix match against a naive model: the longest matching prefix wins, then the lowest metric. */
class RouteTableProperties {
    private record Entry(long high, long low, int length, int metric) {}

    private static final IpInterface EGRESS;

    static {
        ProtocolBinding unused = new ProtocolBinding() {
            @Override
            public String adapterName() {
                return "lpm";
            }

            @Override
            public int mtu() {
                return 1500;
            }

            @Override
            public int receiveQueueCount() {
                return 1;
            }

            @Override
            public void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void returnNetBufferLists(NetBufferList chain, int returnFlags) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int oidRequest(OidRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void cancelOidRequest(Object requestId) {
                throw new UnsupportedOperationException();
            }
        };
        EGRESS = new IpInterface(1, unused, new Compartment(1));
    }

    @Provide
    Arbitrary<List<Entry>> v6Routes() {
        // Few distinct prefixes so that matches and ties happen.
        Arbitrary<Long> high = Arbitraries.of(0x20010db800000000L, 0x20010db800010000L, 0x20010db8ffff0000L);
        Arbitrary<Long> low = Arbitraries.of(0L, 1L, 0x8000000000000000L);
        return Combinators.combine(
                        high,
                        low,
                        Arbitraries.integers().between(0, 128),
                        Arbitraries.integers().between(0, 3))
                .as(Entry::new)
                .list()
                .ofMaxSize(12);
    }

    @Property
    void longestPrefixWins(
            @ForAll("v6Routes") List<Entry> entries,
            @ForAll("destinationHigh") long high,
            @ForAll("destinationLow") long low) {
        RouteTable table = RouteTable.EMPTY;
        for (Entry entry : entries) {
            table = table.with(new Route(
                    AddressFamily.INET6,
                    entry.high(),
                    entry.low(),
                    entry.length(),
                    true,
                    0,
                    0,
                    EGRESS,
                    entry.metric()));
        }
        Entry best = null;
        for (Entry entry : entries) {
            if (naiveMatch(entry, high, low)
                    && (best == null
                            || entry.length() > best.length()
                            || (entry.length() == best.length() && entry.metric() < best.metric()))) {
                best = entry;
            }
        }
        Route found = table.lookup(high, low);
        if (best == null) {
            assertEquals(null, found);
        } else {
            assertEquals(best.length(), found.prefixLength());
            assertEquals(best.metric(), found.metric());
        }
    }

    @Provide
    Arbitrary<Long> destinationHigh() {
        return Arbitraries.of(0x20010db800000000L, 0x20010db800010000L, 0x20010db800010001L, 0x30000000L);
    }

    @Provide
    Arbitrary<Long> destinationLow() {
        return Arbitraries.of(0L, 1L, 2L, 0x8000000000000001L);
    }

    /** Bit by bit over the 128 bits. */
    private static boolean naiveMatch(Entry entry, long high, long low) {
        for (int bit = 0; bit < entry.length(); bit++) {
            long prefixWord = bit < 64 ? entry.high() : entry.low();
            long word = bit < 64 ? high : low;
            int shift = 63 - (bit % 64);
            if (((prefixWord >>> shift) & 1) != ((word >>> shift) & 1)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void ipv4DefaultAndHostRoutes() {
        Route everything = new Route(AddressFamily.INET, 0, 0, 0, false, 0, 0xC6336401L, EGRESS, 0);
        Route host = new Route(AddressFamily.INET, 0, 0xCB007105L, 32, true, 0, 0, EGRESS, 0);
        RouteTable table = RouteTable.EMPTY.with(everything).with(host);
        assertSame(host, table.lookup(0, 0xCB007105L));
        assertSame(everything, table.lookup(0, 0xCB007106L));
    }
}
