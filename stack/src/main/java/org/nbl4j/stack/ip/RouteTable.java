package org.nbl4j.stack.ip;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An immutable route table of one family, sorted by prefix length (longest first), then metric: the first matching
 * entry is the longest-prefix match. Lookup walks an array and allocates nothing; a change makes a new table
 * (copy-on-write), so the data path reads without locks. Linear in the number of routes, which suits the tables of
 * a test bed or a small router.
 */
final class RouteTable {
    static final RouteTable EMPTY = new RouteTable(new Route[0]);

    private static final Comparator<Route> ORDER =
            Comparator.comparingInt(Route::prefixLength).reversed().thenComparingInt(Route::metric);

    private final Route[] routes;

    private RouteTable(Route[] routes) {
        this.routes = routes;
    }

    /** A table with {@code route} added. */
    RouteTable with(Route route) {
        Route[] more = Arrays.copyOf(routes, routes.length + 1);
        more[routes.length] = route;
        Arrays.sort(more, ORDER);
        return new RouteTable(more);
    }

    /** The longest-prefix match, or null. */
    @Nullable
    Route lookup(long high, long low) {
        for (Route route : routes) {
            if (route.matches(high, low)) {
                return route;
            }
        }
        return null;
    }

    /** The longest-prefix match among the routes out of {@code egress}, or null (the strong host send model). */
    @Nullable
    Route lookup(long high, long low, IpInterface egress) {
        for (Route route : routes) {
            if (route.egress() == egress && route.matches(high, low)) {
                return route;
            }
        }
        return null;
    }

    List<Route> routes() {
        return List.of(routes);
    }
}
