package org.nbl4j.stack.ip;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * Where the WFP filter engine plugs into the IP path (wfp-callouts-and-injection §8.1, §8.3). The path calls it on
 * the receive-queue thread at DISPATCH_LEVEL, with the NBL's offset where the layer presents it (§5.2).
 */
public interface PacketHook {

    /** The hook of a path without a filter engine: every packet continues, no discard is shown. */
    PacketHook NONE = new PacketHook() {
        @Override
        public HookVerdict classify(HookPoint point, NetBufferList nbl, PacketFacts facts) {
            return HookVerdict.CONTINUE;
        }

        @Override
        public void discarded(HookPoint point, NetBufferList nbl, PacketFacts facts) {}
    };

    /**
     * Shows a packet at a hook point and returns the engine's verdict. The engine must leave every NB's offsets as
     * it found them.
     */
    HookVerdict classify(HookPoint point, NetBufferList nbl, PacketFacts facts);

    /**
     * Classifies where the layer shows no packet: a reauthorization at an ALE layer (§4.10), whose facts come from the
     * flow. The hook of a path without an engine continues.
     */
    default HookVerdict classifyWithoutPacket(HookPoint point, PacketFacts facts) {
        return HookVerdict.CONTINUE;
    }

    /**
     * Shows a packet the path is dropping at the discard twin of {@code point};
     * {@link PacketFacts#discardReason()} says why. The packet's offset is wherever the path stopped.
     */
    void discarded(HookPoint point, NetBufferList nbl, PacketFacts facts);

    /**
     * The path is about to give {@code nbl} back to its producer without freeing it (a return to its adapter): the
     * engine drops what it keeps on the NBL for this trip, as WFP releases its info container before tcpip.sys
     * returns a received NBL (nbl-reuse-leak-and-diagnostics §1).
     */
    default void releasing(NetBufferList nbl) {}

    /**
     * A flow of the host role ended (closed, idle, aborted or dropped with the table): the hook releases what it kept
     * for it, and the filter engine calls the callouts' {@code flowDeleteFn} for their contexts (§4.9). Called once per
     * flow, on whichever thread ended it.
     */
    default void flowEnded(Flow flow) {}

    /**
     * Whether coalesced packets (RSC) may be shown to the engine as they are; when not, the path cuts them into
     * segments on arrival. True unless the engine has a callout that did not opt in to them.
     */
    default boolean allowsCoalescedPackets() {
        return true;
    }
}
