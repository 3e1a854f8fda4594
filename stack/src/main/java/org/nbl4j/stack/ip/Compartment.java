package org.nbl4j.stack.ip;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A routing compartment ({@code COMPARTMENT_ID}): an isolated set of interfaces, local addresses and route tables.
 * Id 1 is the default; {@link #UNSPECIFIED_COMPARTMENT_ID} (0) in an API call means the default. Reads on the data
 * path see immutable arrays published through volatile fields.
 */
public final class Compartment {
    /** {@code UNSPECIFIED_COMPARTMENT_ID}: callers pass it to mean the default compartment. */
    public static final int UNSPECIFIED_COMPARTMENT_ID = 0;
    /** {@code DEFAULT_COMPARTMENT_ID}. */
    public static final int DEFAULT_COMPARTMENT_ID = 1;

    private final int id;
    private volatile RouteTable routesV4 = RouteTable.EMPTY;
    private volatile RouteTable routesV6 = RouteTable.EMPTY;
    private volatile InterfaceAddress[] localAddresses = new InterfaceAddress[0];

    Compartment(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The routes of a family, longest prefix first. */
    public List<Route> routes(AddressFamily family) {
        return table(family).routes();
    }

    private RouteTable table(AddressFamily family) {
        return family == AddressFamily.INET ? routesV4 : routesV6;
    }

    synchronized void addRoute(Route route) {
        if (route.family() == AddressFamily.INET) {
            routesV4 = routesV4.with(route);
        } else {
            routesV6 = routesV6.with(route);
        }
    }

    synchronized void addLocalAddress(InterfaceAddress address) {
        InterfaceAddress[] more = Arrays.copyOf(localAddresses, localAddresses.length + 1);
        more[localAddresses.length] = address;
        localAddresses = more;
    }

    /** The longest-prefix match for a destination, or null when there is no route. */
    public @Nullable Route lookup(AddressFamily family, long high, long low) {
        return table(family).lookup(high, low);
    }

    /** The longest-prefix match among the routes out of {@code egress}, or null (the strong host send model). */
    @Nullable
    Route lookup(AddressFamily family, long high, long low, IpInterface egress) {
        return table(family).lookup(high, low, egress);
    }

    /** The local address equal to the given one, or null: whether a packet is for this host. */
    @Nullable
    InterfaceAddress localAddress(AddressFamily family, long high, long low) {
        for (InterfaceAddress address : localAddresses) {
            if (address.is(family, high, low)) {
                return address;
            }
        }
        return null;
    }

    /** Any local address of the family, for packets no interface address fits; null if there is none. */
    @Nullable
    InterfaceAddress anyAddress(AddressFamily family) {
        for (InterfaceAddress address : localAddresses) {
            if (address.family() == family) {
                return address;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Compartment[" + id + "]";
    }
}
