package org.nbl4j.stack.ip;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/**
 * How injected packets enter the IP path (wfp-callouts-and-injection §3.5, §3.6, §3.11): the stack side of
 * {@code FwpsInjectForwardAsync0}, {@code FwpsInjectNetworkSendAsync0} and {@code FwpsInjectNetworkReceiveAsync0}.
 * Parameter checks of the DDIs (flags, handle types) stay with the injector; these methods check only what the path
 * itself needs. On success the path owns the NBL until it calls {@code completion} exactly once, with the NBL's
 * Status set; on failure it never calls it and the caller still owns the NBL.
 *
 * <p>Each NBL must start at an IP header, except a transport send's, which starts at its transport header.
 */
public interface PacketInjection {

    /**
     * Sends a packet out of {@code interfaceIndex} as if it had been forwarded, without showing it to any hook again.
     *
     * @return an NTSTATUS: STATUS_SUCCESS, or the reason the packet was not taken
     */
    int injectForward(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            PacketCompletion completion);

    /** Sends a packet as this host: routed, then shown at OUTBOUND_IPPACKET. */
    int injectNetworkSend(NetBufferList nbl, AddressFamily family, int compartmentId, PacketCompletion completion);

    /** Receives a packet as if it had arrived on {@code interfaceIndex}: shown at INBOUND_IPPACKET, then delivered. */
    int injectNetworkReceive(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion);

    /**
     * Sends a packet of a host-role flow from the top of the outbound path (§3.7, §3.11): the NBL starts at its
     * transport header; the path puts an IP header in front of it (in its headroom), from the flow's local address to
     * {@code remoteAddress}, and sends it through the host layers and OUTBOUND_IPPACKET. On completion the NBL starts
     * at its transport header again.
     *
     * @param endpointHandle the flow's handle ({@code inMetaValues->transportEndpointHandle})
     * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER for an unknown endpoint, a remote address of another family or
     *     an NBL without room for the IP header
     */
    default int injectTransportSend(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            long endpointHandle,
            byte[] remoteAddress,
            PacketCompletion completion) {
        return NtStatus.STATUS_FWP_TCPIP_NOT_READY;
    }
}
