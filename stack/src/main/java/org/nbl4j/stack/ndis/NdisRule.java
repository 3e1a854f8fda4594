package org.nbl4j.stack.ndis;

import static org.nbl4j.core.verify.RuleKind.STATE;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleDefinition;
import org.nbl4j.core.verify.RuleKind;

/**
 * The rules of the NDIS driver stack that the stack checks itself: the lightweight-filter module states and pause,
 * and the routing of NBLs between miniports, filters and protocols. Driver Verifier's NDIS rules and the NBL tracker
 * check them on Windows; the buffer model's own rules are core's {@code BufferRule}.
 */
public enum NdisRule implements Rule {
    FILTER_ORIGINATE_NOT_ALLOWED(
            "ndis-buffers §6.1, §6.9",
            "a filter originated a send or indication while its module was not Running, or in a bypassed direction",
            STATE),
    NBL_MISROUTED(
            "ndis-buffers §6.3, §6.4, §6.5",
            "an NBL completed or returned past its originator, or to a component that did not originate it",
            STATE),
    FILTER_PAUSE_COMPLETE(
            "ndis-buffers §6.9, §9",
            "FilterPause took more than 10 s, returned another status than SUCCESS or PENDING, or completed twice"
                    + " (NdisFilterTimedPauseComplete)",
            STATE,
            new Bugcheck(
                    Bugcheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                    "DRIVER_VERIFIER_DETECTED_VIOLATION",
                    Bugcheck.NDIS_FILTER_TIMED_PAUSE_COMPLETE,
                    0)),
    FILTER_STATE("ndis-buffers §6.9", "a module operation called in a state that does not allow it", STATE),
    OID_REQUEST_COMPLETE(
            "docs/ndis-adapter.md, OID requests",
            "an OID request completed twice (its status returned and a Complete DDI called, or Complete called twice),"
                    + " or completed while not pending",
            STATE),
    FILTER_ATTACHED_AT_DEREGISTRATION(
            "docs/ndis-adapter.md, Filter drivers",
            "a filter module still attached when NdisFDeregisterFilterDriver returns: it could not be paused and"
                    + " detached",
            STATE);

    private final RuleDefinition definition;

    NdisRule(String section, String summary, RuleKind kind) {
        this(section, summary, kind, null);
    }

    NdisRule(String section, String summary, RuleKind kind, @Nullable Bugcheck bugcheck) {
        this.definition = new RuleDefinition(section, summary, kind, bugcheck);
    }

    @Override
    public RuleDefinition definition() {
        return definition;
    }
}
