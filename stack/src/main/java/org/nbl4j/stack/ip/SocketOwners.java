package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;

/**
 * Finds which process owns the socket of a host flow. Windows knows it from the endpoint the application opened; nbl4j
 * sees only packets, so it asks the Linux host whose applications it serves (io's {@code ProcSocketOwners}). Asked when
 * a flow is authorized at ALE_AUTH_CONNECT or ALE_AUTH_RECV_ACCEPT (once per flow, unless a pended authorization is
 * authorized afresh); the answer stays with the flow for its ALE_FLOW_ESTABLISHED classification.
 */
@FunctionalInterface
public interface SocketOwners {
    /** Asks nobody: every flow's owner is unknown, and the ALE layers leave the process fields out. */
    SocketOwners NONE = (protocol, localAddress, localPort, remoteAddress, remotePort) -> null;

    /**
     * The owner of the host's socket for a flow, or null when it cannot be told.
     *
     * @param protocol the upper-layer protocol (6 TCP, 17 UDP, 1 or 58 ICMP)
     * @param localAddress this host's address, network byte order (4 or 16 bytes)
     * @param localPort this host's port (the echo identifier for ICMP)
     * @param remoteAddress the remote address, network byte order
     * @param remotePort the remote port (the echo identifier for ICMP)
     */
    @Nullable
    SocketOwner find(int protocol, byte[] localAddress, int localPort, byte[] remoteAddress, int remotePort);
}
