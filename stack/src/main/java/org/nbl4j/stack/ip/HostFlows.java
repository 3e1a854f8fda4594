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
}
