package org.nbl4j.cli.replay;

import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * One route to add to the router's table ({@code MIB_IPFORWARD_ROW2} in spirit).
 *
 * @param prefix the destination prefix
 * @param via the next hop, or null for an on-link route
 * @param interfaceName the interface the route leaves by
 */
public record RouteSpec(Cidr prefix, @Nullable InetAddress via, String interfaceName) {}
