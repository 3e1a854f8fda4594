package org.nbl4j.stack.ip;

import java.net.InetAddress;

/**
 * A unicast address assigned to an interface, with its prefix length ({@code MIB_UNICASTIPADDRESS_ROW}).
 *
 * @param family the address family
 * @param high the high half (0 for IPv4)
 * @param low the low half (the IPv4 address for IPv4)
 * @param prefixLength the on-link prefix length
 * @param ipInterface the interface it is assigned to
 */
public record InterfaceAddress(AddressFamily family, long high, long low, int prefixLength, IpInterface ipInterface) {

    /** The address as an {@link InetAddress}. */
    public InetAddress address() {
        return IpAddresses.toInetAddress(family, high, low);
    }

    boolean is(AddressFamily otherFamily, long otherHigh, long otherLow) {
        return family == otherFamily && high == otherHigh && low == otherLow;
    }
}
