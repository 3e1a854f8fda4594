package org.nbl4j.stack.wfp;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a driver registers: {@code FWPS_CALLOUT2} (§4.1).
 *
 * @param calloutKey the GUID filters name in their action
 * @param flags {@code FWP_CALLOUT_FLAG_*}
 * @param notifyFn told about filters being added and deleted, or {@code null}
 * @param flowDeleteFn {@code null} if the callout never associates flow contexts
 */
public record Callout(
        UUID calloutKey,
        int flags,
        ClassifyFn classifyFn,
        @Nullable NotifyFn notifyFn,
        @Nullable FlowDeleteFn flowDeleteFn) {
    /**
     * Call classifyFn only for flows with a context of this callout at the layer: never at the IP layers, which have no
     * flows.
     */
    public static final int FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW = 0x00000001;

    public static final int FWP_CALLOUT_FLAG_ALLOW_OFFLOAD = 0x00000002;
    /** Receive ADD_FILTER_POST_COMMIT notifications. */
    public static final int FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY = 0x00000004;
    /**
     * The callout takes receive packets larger than the link MTU (RSC coalesced packets); without it, registering the
     * callout turns RSC off (WDK, "Programming Considerations for RSC Drivers"). fwpsk.h: 0x40.
     */
    public static final int FWP_CALLOUT_FLAG_ALLOW_RSC = 0x00000040;

    /** A callout with only a classify function. */
    public static Callout of(UUID calloutKey, ClassifyFn classifyFn) {
        return new Callout(calloutKey, 0, classifyFn, null, null);
    }
}
