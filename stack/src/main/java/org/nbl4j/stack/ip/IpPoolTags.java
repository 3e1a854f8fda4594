package org.nbl4j.stack.ip;

import org.nbl4j.core.memory.PoolTag;

/**
 * The pool tags of everything the IP layer allocates, so that poolmon names the layer's own packets the way Windows
 * names {@code Ipxx} allocations.
 */
public final class IpPoolTags {
    /** The NBLs of packets the layer makes (echo replies, ICMP errors, reassemblies, copies). */
    public static final PoolTag PACKET_NBLS = PoolTag.of("Ipnl");
    /** Data of ICMP echo replies. */
    public static final PoolTag ECHO_REPLY = PoolTag.of("Ipec");
    /** Data of ICMP errors the layer sends. */
    public static final PoolTag ICMP_ERROR = PoolTag.of("Ipic");
    /** Data of TCP resets the layer answers segments for this host with. */
    public static final PoolTag TCP_RESET = PoolTag.of("Iptr");
    /** Data of reassembled datagrams. */
    public static final PoolTag REASSEMBLED = PoolTag.of("Ipra");
    /** Fragment payloads held while their datagram is incomplete. */
    public static final PoolTag REASSEMBLY_PIECE = PoolTag.of("Iprf");
    /** Copies of packets indicated with NDIS_RECEIVE_FLAGS_RESOURCES, which the layer may not keep. */
    public static final PoolTag RECEIVE_COPY = PoolTag.of("Iprc");
    /** The fragment NBLs cut from packets bigger than the egress MTU (ndis-buffers §5.3). */
    public static final PoolTag FRAGMENT_NBLS = PoolTag.of("Ipfl");
    /** The NBs of fragment NBLs beyond each NBL's first. */
    public static final PoolTag FRAGMENT_NBS = PoolTag.of("Ipfb");

    /** The NBLs of segments cut in software from a coalesced packet for an egress without LSO. */
    public static final PoolTag SEGMENT_NBLS = PoolTag.of("Ipsl");
    /** The NBs of segment NBLs beyond each NBL's first. */
    public static final PoolTag SEGMENT_NBS = PoolTag.of("Ipsb");
    /** Segments copied out of a coalesced packet where RSC is off (they go up one per NBL). */
    public static final PoolTag SEGMENT_COPY = PoolTag.of("Ipsc");

    private IpPoolTags() {}
}
