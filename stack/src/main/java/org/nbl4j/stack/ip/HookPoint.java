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
    IPFORWARD,
    /** A packet of this host's received for it, offset after the transport header: INBOUND_TRANSPORT_V4/V6 (host role). */
    INBOUND_TRANSPORT,
    /** A packet this host's applications send, offset at the transport header: OUTBOUND_TRANSPORT_V4/V6 (host role). */
    OUTBOUND_TRANSPORT,
    /**
     * A UDP or ICMP datagram of an authorized flow, either direction: DATAGRAM_DATA_V4/V6 (host role). Outbound the offset
     * is at the transport header, inbound after it.
     */
    DATAGRAM_DATA,
    /** The first packet of an inbound flow, authorized for the local endpoint: ALE_AUTH_RECV_ACCEPT_V4/V6 (host role). */
    ALE_AUTH_RECV_ACCEPT,
    /** The first packet of an outbound flow, authorized for the remote endpoint: ALE_AUTH_CONNECT_V4/V6 (host role). */
    ALE_AUTH_CONNECT,
    /** An authorized flow, once, when it is established: ALE_FLOW_ESTABLISHED_V4/V6 (host role). */
    ALE_FLOW_ESTABLISHED
}
