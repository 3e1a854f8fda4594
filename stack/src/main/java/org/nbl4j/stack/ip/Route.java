package org.nbl4j.stack.ip;

import java.net.InetAddress;

/**
 * One entry of a compartment's route table ({@code MIB_IPFORWARD_ROW2}): a destination prefix, the interface it
 * leaves by and either a next-hop gateway or on-link delivery. Over point-to-point links (TUN) the next hop is
 * recorded but not resolved, as there is no neighbour cache.
 */
public final class Route {
    private final AddressFamily family;
    private final long prefixHigh;
    private final long prefixLow;
    private final int prefixLength;
    private final long maskHigh;
    private final long maskLow;
    private final boolean onLink;
    private final long nextHopHigh;
    private final long nextHopLow;
    private final IpInterface egress;
    private final int metric;

    Route(
            AddressFamily family,
            long prefixHigh,
            long prefixLow,
            int prefixLength,
            boolean onLink,
            long nextHopHigh,
            long nextHopLow,
            IpInterface egress,
            int metric) {
        if (prefixLength < 0 || prefixLength > IpAddresses.bits(family)) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " for " + family);
        }
        this.family = family;
        this.maskHigh = IpAddresses.maskHigh(family, prefixLength);
        this.maskLow = IpAddresses.maskLow(family, prefixLength);
        this.prefixHigh = prefixHigh & maskHigh;
        this.prefixLow = prefixLow & maskLow;
        this.prefixLength = prefixLength;
        this.onLink = onLink;
        this.nextHopHigh = nextHopHigh;
        this.nextHopLow = nextHopLow;
        this.egress = egress;
        this.metric = metric;
    }

    /** Whether the destination lies in this route's prefix. */
    boolean matches(long high, long low) {
        return ((high & maskHigh) == prefixHigh) && ((low & maskLow) == prefixLow);
    }

    public AddressFamily family() {
        return family;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The prefix, host bits cleared. */
    public InetAddress prefix() {
        return IpAddresses.toInetAddress(family, prefixHigh, prefixLow);
    }

    /** Whether the destination is on the link (no gateway). */
    public boolean onLink() {
        return onLink;
    }

    /** The gateway; the unspecified address for an on-link route. */
    public InetAddress nextHop() {
        return IpAddresses.toInetAddress(family, nextHopHigh, nextHopLow);
    }

    /** The interface packets matching the route leave by. */
    public IpInterface egress() {
        return egress;
    }

    /** Among routes of equal prefix length, the lower metric wins. */
    public int metric() {
        return metric;
    }

    @Override
    public String toString() {
        return prefix().getHostAddress() + "/" + prefixLength
                + (onLink ? " on-link" : " via " + nextHop().getHostAddress()) + " if " + egress.interfaceIndex()
                + " metric " + metric;
    }
}
