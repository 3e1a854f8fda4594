package org.nbl4j.cli.replay;

import java.util.List;

/**
 * One router interface to build: an in-memory miniport (the NDIS adapter) named {@code name}, bound to the IP stack
 * with {@code addresses} (each adds its on-link route) and the IP interface's forwarding switch.
 *
 * @param name the adapter's name; also the name of its output file and the capture interface it is fed from
 * @param addresses unicast addresses with their on-link prefixes
 * @param mtu the link MTU, which is also the size of each receive buffer
 * @param forwarding whether packets arriving here may be forwarded ({@code Forwarding} of {@code
 *     MIB_IPINTERFACE_ROW})
 */
public record InterfaceSpec(String name, List<Cidr> addresses, int mtu, boolean forwarding) {
    /** Ethernet's MTU, the default. */
    public static final int DEFAULT_MTU = 1500;

    public InterfaceSpec {
        addresses = List.copyOf(addresses);
    }
}
