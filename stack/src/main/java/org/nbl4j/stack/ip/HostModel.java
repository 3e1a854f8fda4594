package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;

/**
 * The strong and weak host models (RFC 1122 §3.3.4.2) as Windows applies them per interface: the
 * {@code WeakHostReceive} and {@code WeakHostSend} parameters of {@code MIB_IPINTERFACE_ROW}, both off by default
 * (the strong host model), and the pass-through the weak host model gives at the forward layer
 * (wfp-callouts-and-injection §3.5, §5.5, §5.6 item 1):
 *
 * <ul>
 *   <li><b>Receive.</b> A packet that arrives on interface A for an address of interface B is accepted only if A
 *       has weak-host receive or forwarding on; otherwise it is dropped (NOT_LOCALLY_DESTINED). Accepted, it is shown
 *       at IPFORWARD with {@link #FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU} (SOURCE_INTERFACE_INDEX A,
 *       DESTINATION_INTERFACE_INDEX B, TTL untouched: the packet is not forwarded), then delivered as if it had
 *       arrived on B (INBOUND_IPPACKET shows INTERFACE_INDEX B), which is what a network-receive injection on the
 *       destination interface, WFPSampler's way of reinjecting it, gives too.
 *   <li><b>Send.</b> A packet this host sends from an address of B that is routed out of A is sent only if A has
 *       weak-host send or forwarding on; it is then shown at IPFORWARD with
 *       {@link #FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU} (SOURCE_INTERFACE_INDEX B, DESTINATION_INTERFACE_INDEX A)
 *       before fragmentation and OUTBOUND_IPPACKET. Otherwise the strong host model holds: only routes through B
 *       count, and without one the packet is dropped (NO_ROUTE).
 *   <li><b>Forward injection</b> of a pass-through packet (its source or destination an address of this host) is
 *       accepted and completes with STATUS_INVALID_PARAMETER in the NBL's Status: such packets are reinjected with
 *       network receive or send (§3.5 [S]; known only from a WFPSampler comment, §9 item 20).
 * </ul>
 *
 * <p>Forwarding implies the weak host model [I]: the WFP layer-requirements page says such packets reach the forward
 * layer "if IP forwarding is enabled", without saying on which interface; nbl4j reads the arrival interface's switch
 * for receive and the egress interface's for send, the same interfaces whose weak-host switches count.
 */
public final class HostModel {
    /** {@code FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU}: sourced here, leaving by another interface (§5.5). */
    public static final int FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU = 0x00040000;
    /** {@code FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU}: arrived on one interface for another one's address (§5.5). */
    public static final int FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU = 0x00080000;

    private HostModel() {}

    /** Whether {@code arrival} accepts packets for addresses of other interfaces (weak host receive). */
    static boolean receivesForOthers(IpInterface arrival) {
        return arrival.weakHostReceive() || arrival.forwarding();
    }

    /** Whether {@code egress} sends packets from addresses of other interfaces (weak host send). */
    static boolean sendsForOthers(IpInterface egress) {
        return egress.weakHostSend() || egress.forwarding();
    }

    /**
     * The interface that has the packet's source address, when it is an address of this host other than
     * {@code egress}'s: the packet is a weak-host send out of {@code egress}. Null otherwise.
     */
    static @Nullable IpInterface otherSourceInterface(IpInterface egress, PacketFacts facts) {
        InterfaceAddress source = egress.compartment().localAddress(facts.family, facts.sourceHigh, facts.sourceLow);
        return source == null || source.ipInterface() == egress ? null : source.ipInterface();
    }

    /**
     * Whether a packet whose data starts at an IP header of {@code family} is sourced from or addressed to an address
     * of this host in {@code compartment}: a pass-through packet, which the forward path never carries. A packet too
     * short for its addresses is not one (the path's other checks deal with it).
     *
     * @param window scratch space of at least 40 bytes
     */
    static boolean isPassThrough(Compartment compartment, NetBuffer nb, AddressFamily family, MemorySegment window) {
        boolean v4 = family == AddressFamily.INET;
        int needed = v4 ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
        if (nb.dataLength() < needed) {
            return false;
        }
        nb.copyTo(0, window, 0, needed);
        if (v4) {
            long source = Integer.toUnsignedLong(Ipv4Header.source(window));
            long destination = Integer.toUnsignedLong(Ipv4Header.destination(window));
            return compartment.localAddress(family, 0, source) != null
                    || compartment.localAddress(family, 0, destination) != null;
        }
        return compartment.localAddress(family, Ipv6Header.sourceHigh(window), Ipv6Header.sourceLow(window)) != null
                || compartment.localAddress(
                                family, Ipv6Header.destinationHigh(window), Ipv6Header.destinationLow(window))
                        != null;
    }
}
