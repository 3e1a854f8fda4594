package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.HeldSpinLocks;

/**
 * Filter arbitration for one indication at one layer: the reference algorithm of §4.7, with §9 items 2 to 4 resolved as
 * the spec says. Sublayers run heaviest first and every one of them runs; inside a sublayer, matching filters run
 * heaviest first until one decides (PERMIT or BLOCK; CONTINUE passes on). The engine keeps the current action and the
 * write right: a decision taken while the right is held replaces the current one and keeps the right only if the
 * decider left it set (a static BLOCK is hard, a static PERMIT soft unless CLEAR_ACTION_RIGHT, a callout's decision
 * hard or soft as it left the right); without the right, only a callout's BLOCK over a PERMIT counts (a veto). When
 * nothing decides, the packet is permitted.
 *
 * <p>One instance per thread; {@link #run} allocates nothing.
 */
final class Arbitration {
    private final ClassifyOut classifyOut = new ClassifyOut();
    private final ClassifyContext classifyContext = new ClassifyContext();
    private final OffsetGuard offsets = new OffsetGuard();
    private final boolean[] found = new boolean[1];

    private ActionType action;
    private boolean absorb;
    private long decidingFilterId;
    private boolean vetoed;
    /** The authorization the classify function being called pended ({@code FwpsPendOperation0}), if it did. */
    private @Nullable PendedOperation pendedInCall;

    /** The final action: PERMIT or BLOCK. */
    ActionType action() {
        return action;
    }

    /** Whether the final BLOCK is silent (a callout absorbed the packet). */
    boolean absorbed() {
        return absorb && action == ActionType.BLOCK;
    }

    /** The filter whose decision (or veto) stands, 0 if none decided. */
    long decidingFilterId() {
        return decidingFilterId;
    }

    /** Whether a callout vetoed a hard PERMIT. */
    boolean vetoed() {
        return vetoed;
    }

    void run(
            FilterEngine engine,
            Layer layer,
            Filter[] filters,
            IncomingValues values,
            IncomingMetadata metadata,
            @Nullable NetBufferList nbl,
            @Nullable FlowContexts flowContexts) {
        action = ActionType.PERMIT;
        boolean write = true;
        absorb = false;
        decidingFilterId = 0;
        vetoed = false;
        @Nullable Sublayer decidedSublayer = null;
        for (Filter filter : filters) {
            if (filter.sublayer() == decidedSublayer || !filter.matches(values)) {
                continue;
            }
            ActionType decision;
            boolean keepsRight;
            switch (filter.action()) {
                case BLOCK -> {
                    decision = ActionType.BLOCK;
                    keepsRight = false;
                }
                case PERMIT -> {
                    decision = ActionType.PERMIT;
                    keepsRight = (filter.flags() & Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) == 0;
                }
                default -> {
                    Filter.Registration registration = filter.registration();
                    if (registration == null) {
                        decision = unregistered(filter);
                        keepsRight = write;
                    } else {
                        long flowContext = flowContexts == null
                                ? 0
                                : flowContexts.find(layer.id(), registration.calloutId(), found);
                        boolean hasContext = flowContexts != null && found[0];
                        if (!hasContext
                                && (registration.callout().flags() & Callout.FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW)
                                        != 0) {
                            // Only flows with this callout's context are shown to it (§8.3 step 3); the IP layers
                            // have no flows at all.
                            continue;
                        }
                        callOut(engine, layer, filter, registration, values, metadata, nbl, write, flowContext);
                        decision = filter.action() == ActionType.CALLOUT_INSPECTION
                                ? ActionType.CONTINUE
                                : classifyOut.actionType();
                        keepsRight = classifyOut.hasWriteRight();
                        absorb |= (classifyOut.flags() & ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB) != 0;
                    }
                }
            }
            if (!decision.isDecision()) {
                continue;
            }
            if (write) {
                action = decision;
                write = keepsRight;
                decidingFilterId = filter.filterId();
            } else if (decision == ActionType.BLOCK
                    && action == ActionType.PERMIT
                    && filter.action().isCallout()) {
                action = ActionType.BLOCK;
                decidingFilterId = filter.filterId();
                vetoed = true;
            }
            decidedSublayer = filter.sublayer();
        }
    }

    /** Records that the classify function being called pended its authorization, for the check when it returns. */
    void pended(PendedOperation pended) {
        pendedInCall = pended;
    }

    /** A callout filter whose callout is not registered: BLOCK, PERMIT if the filter says so, ignored for inspection. */
    private static ActionType unregistered(Filter filter) {
        if (filter.action() == ActionType.CALLOUT_INSPECTION) {
            return ActionType.CONTINUE;
        }
        return (filter.flags() & Filter.FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) != 0
                ? ActionType.PERMIT
                : ActionType.BLOCK;
    }

    /** Calls a classify function with a fresh result, then checks that it left every NB's offsets as it found them. */
    private void callOut(
            FilterEngine engine,
            Layer layer,
            Filter filter,
            Filter.Registration registration,
            IncomingValues values,
            IncomingMetadata metadata,
            @Nullable NetBufferList nbl,
            boolean write,
            long flowContext) {
        if (nbl != null) {
            engine.containers().attach(nbl);
        }
        classifyOut.reset(action, write, filter.filterId());
        // The offsets are only compared for the verifier: with it off, the NBs are not walked twice per classify.
        boolean checkOffsets = engine.verifier().enabled();
        if (checkOffsets) {
            offsets.snapshot(nbl);
        }
        classifyContext.enter(layer);
        pendedInCall = null;
        int held = HeldSpinLocks.mark(engine.verifier());
        try {
            registration
                    .callout()
                    .classifyFn()
                    .classify(values, metadata, nbl, classifyContext, filter, flowContext, classifyOut);
        } finally {
            classifyContext.leave();
        }
        HeldSpinLocks.afterHandler(
                engine.verifier(), held, "classifyFn", registration.callout().calloutKey());
        PendedOperation pended = pendedInCall;
        pendedInCall = null;
        if (pended != null
                && (classifyOut.actionType() != ActionType.BLOCK
                        || (classifyOut.flags() & ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB) == 0)) {
            // The pend owns the operation from here on; another decision would also decide it now (§4.10).
            engine.verifier()
                    .report(
                            WfpRule.PEND_NOT_ABSORBED,
                            "callout " + registration.callout().calloutKey() + " pended at " + layer + " and returned "
                                    + classifyOut.actionType()
                                    + ((classifyOut.flags() & ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB) == 0
                                            ? " without ABSORB"
                                            : " with ABSORB"),
                            pended.pendedAt());
        }
        String change = checkOffsets ? offsets.firstChange(nbl) : null;
        if (change != null) {
            Verifier verifier = engine.verifier();
            verifier.report(
                    WfpRule.CALLOUT_CHANGED_OFFSETS,
                    "callout " + registration.callout().calloutKey() + " of " + filter + " at " + layer + ": " + change,
                    nbl == null ? null : nbl.track(),
                    0);
        }
    }
}
