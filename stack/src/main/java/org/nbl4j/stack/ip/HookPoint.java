package org.nbl4j.stack.ip;

/**
 * The places on the IP path where a packet is shown to the filter engine (wfp-callouts-and-injection §8.1). Each
 * has a discard twin, shown when the path drops the packet there instead.
 */
public enum HookPoint {
    /**
     * A received packet addressed to this host, offset at the transport header (the IP header is already
     * consumed): INBOUND_IPPACKET_V4/V6.
     */
    INBOUND_IPPACKET,
    /** A packet this host sends, offset at the IP header, after fragmentation: OUTBOUND_IPPACKET_V4/V6. */
    OUTBOUND_IPPACKET,
    /** A packet being forwarded, offset at the IP header, egress interface chosen: IPFORWARD_V4/V6. */
    IPFORWARD
}
