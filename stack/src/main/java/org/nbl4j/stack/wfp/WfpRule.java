package org.nbl4j.stack.wfp;

import static org.nbl4j.core.verify.RuleKind.SHUTDOWN;
import static org.nbl4j.core.verify.RuleKind.STATE;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleDefinition;
import org.nbl4j.core.verify.RuleKind;

/**
 * The rules of the Windows Filtering Platform that the stack's filter engine and WFP buffer functions check: what a
 * callout must restore, how WFP's NBLs are referenced and freed, the WFP info container that rides on an NBL, and the
 * classify handle. Windows checks them with Driver Verifier and NDIS's bugchecks; core knows nothing of WFP.
 */
public enum WfpRule implements Rule {
    CALLOUT_CHANGED_OFFSETS(
            "wfp-callouts-and-injection §0.1, §8.3",
            "a classifyFn returned with an NB's DataOffset or DataLength not restored",
            STATE),
    WFP_INFO_STALE_ON_SEND(
            "nbl-reuse-leak-and-diagnostics §1.4, §1.5",
            "an NBL sent again still carrying the WFP info container of an earlier, completed send (recycled"
                    + " instead of freed and reallocated)",
            STATE),
    WFP_INFO_ILLEGALLY_TRANSFERRED(
            "nbl-reuse-leak-and-diagnostics §1.2",
            "an NBL carries a WFP info container whose owning NBL is another one",
            STATE,
            new Bugcheck(
                    Bugcheck.NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED,
                    "NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED",
                    0,
                    0)),
    WFP_REFERENCE_UNBALANCED(
            "wfp-callouts-and-injection §2.6", "FwpsDereferenceNetBufferList0 without a matching reference", STATE),
    WFP_WRONG_FREE_FUNCTION(
            "wfp-callouts-and-injection §2.2, §2.5, §8.2",
            "a WFP NBL freed with the free function of another kind, or while the stack owns it",
            STATE),
    CLASSIFY_HANDLE_MISUSE(
            "wfp-callouts-and-injection §4.10",
            "a classify handle acquired outside classifyFn, completed without a pend, pended twice or released"
                    + " twice",
            STATE),
    CLASSIFY_HANDLE_LEAKED(
            "wfp-callouts-and-injection §4.10",
            "a classify handle acquired with FwpsAcquireClassifyHandle0 was never released with"
                    + " FwpsReleaseClassifyHandle0 when the filter engine closed (the driver unloaded)",
            SHUTDOWN),
    PEND_COMPLETED_TWICE(
            "wfp-callouts-and-injection §4.10",
            "FwpsCompleteOperation0 on a completion context that was already completed",
            STATE),
    PEND_NOT_PENDED(
            "wfp-callouts-and-injection §4.10",
            "FwpsCompleteOperation0 with a completion context that no successful FwpsPendOperation0 returned",
            STATE),
    PEND_NOT_PENDABLE(
            "wfp-callouts-and-injection §4.10",
            "FwpsPendOperation0 with a completion handle of no ALE authorization being classified: outside classifyFn,"
                    + " or at a layer without FWPS_METADATA_FIELD_COMPLETION_HANDLE (transport, datagram data,"
                    + " ALE_FLOW_ESTABLISHED)",
            STATE),
    PEND_NOT_ABSORBED(
            "wfp-callouts-and-injection §4.10",
            "a classifyFn that pended its authorization with FwpsPendOperation0 returned another action than"
                    + " FWP_ACTION_BLOCK with FWPS_CLASSIFY_OUT_FLAG_ABSORB",
            STATE),
    PEND_NEVER_COMPLETED(
            "wfp-callouts-and-injection §4.10",
            "a flow ended while an authorization pended on it was never completed with FwpsCompleteOperation0",
            STATE),
    FWPM_OBJECT_LEAKED(
            "wfp-callouts-and-injection §4.1, §6.1",
            "a provider, sublayer, callout or filter that a non-dynamic session (or a session never closed) added is"
                    + " still in the filter engine when it shuts down",
            SHUTDOWN);

    private final RuleDefinition definition;

    WfpRule(String section, String summary, RuleKind kind) {
        this(section, summary, kind, null);
    }

    WfpRule(String section, String summary, RuleKind kind, @Nullable Bugcheck bugcheck) {
        this.definition = new RuleDefinition(section, summary, kind, bugcheck);
    }

    @Override
    public RuleDefinition definition() {
        return definition;
    }
}
