/**
 * The IPv4/IPv6 layer: validation, compartments, interfaces, routes, forwarding, fragmentation, reassembly, ICMP
 * errors and local delivery, with hook points for the WFP filter engine and entry points for injected packets.
 */
@NullMarked
package org.nbl4j.stack.ip;

import org.jspecify.annotations.NullMarked;
