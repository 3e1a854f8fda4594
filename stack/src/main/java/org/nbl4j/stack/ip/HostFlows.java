package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;

/**
 * The host role's flows as the filter engine reaches them by handle: what {@code FwpsFlowAssociateContext0},
 * {@code FwpsFlowRemoveContext0} and {@code FwpsFlowAbort0} act on (wfp-callouts-and-injection §4.9). The IP stack
 * implements it; the engine is given it when the two are wired together, as it is given {@link PacketInjection}.
 */
public interface HostFlows {
    /** The open flow with this handle ({@code flowId}), or null. */
    @Nullable
    Flow flow(long handle);

    /**
     * Ends a flow now ({@code FwpsFlowAbort0}); the hook's {@link PacketHook#flowEnded} runs before this returns.
     *
     * @return whether the flow was open
     */
    boolean abortFlow(long handle);

    /**
     * {@code FwpsPendOperation0} on the flow whose ALE authorization is being classified: its packets are held back
     * (dropped, so the applications retransmit) until {@link #completeAuthorization}.
     *
     * @return STATUS_SUCCESS; STATUS_FWP_CANNOT_PEND in a reauthorization; STATUS_FWP_NULL_POINTER when no
     *     authorization of that flow is being classified
     */
    int pendAuthorization(long completionHandle);

    /**
     * {@code FwpsCompleteOperation0}: ends a pended authorization. At ALE_AUTH_CONNECT the flow is reauthorized at
     * once, on the calling thread, with FWP_CONDITION_FLAG_IS_REAUTHORIZE and without a packet; at
     * ALE_AUTH_RECV_ACCEPT its next packet is authorized afresh (§4.10).
     *
     * @return whether the flow was open and pended
     */
    boolean completeAuthorization(long completionHandle);
}
