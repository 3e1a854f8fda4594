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
    SocketOwners NONE = flow -> null;

    /** The owner of {@code flow}'s socket on the host, or null when it cannot be told. */
    @Nullable
    SocketOwner find(Flow flow);
}
