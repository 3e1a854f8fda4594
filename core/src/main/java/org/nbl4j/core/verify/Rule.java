package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;

/**
 * A rule of the NDIS buffer model that a caller can break, with the place in the spec that states it.
 *
 * <p>Where Windows returns a status or NULL for bad input nbl4j does the same; these rules cover the programming
 * errors on which Windows corrupts memory or bugchecks, and which nbl4j reports instead.
 */
public enum Rule {
    MEMORY_DOUBLE_FREE("ndis-buffers §2.5", "memory freed twice", Bugcheck.BAD_POOL_CALLER, "BAD_POOL_CALLER", 0x7),
    MEMORY_FOREIGN_FREE("ndis-buffers §2.5", "memory freed to an allocator that did not allocate it"),
    MEMORY_NOT_NONPAGED("ndis-buffers §2.3", "an MDL must describe nonpaged (off-heap) memory"),
    MDL_DOUBLE_FREE("ndis-buffers §2.5", "MDL freed twice"),
    MDL_ADJUST_TOO_LONG("ndis-buffers §2.3", "NdisAdjustMdlLength beyond the length the MDL was allocated with"),
    MDL_LENGTH_NOT_RESTORED("ndis-buffers §2.3", "an MDL freed without its original length restored"),
    NB_ADVANCE_BEYOND_DATA("ndis-buffers §3.4", "advance by more than DataLength (NDIS would wrap the ULONG)"),
    NB_LENGTH_OVERFLOW("ndis-buffers §3.3", "DataOffset or DataLength would not fit an unsigned 31-bit length"),
    NB_INVARIANT("ndis-buffers §3.2", "the NB's data fields are inconsistent with its MDL chain (I1/I2)"),
    NB_FREE_EMBEDDED("ndis-buffers §3.10", "NdisFreeNetBuffer on an NB that came pre-attached to an NBL"),
    NB_DOUBLE_FREE("ndis-buffers §3.10", "NET_BUFFER freed twice", Bugcheck.BAD_POOL_CALLER, "BAD_POOL_CALLER", 0x7),
    NBL_DOUBLE_FREE(
            "ndis-buffers §4.10", "NET_BUFFER_LIST freed twice", Bugcheck.BAD_POOL_CALLER, "BAD_POOL_CALLER", 0x7),
    NBL_FREE_IN_FLIGHT("ndis-buffers §4.9", "an NBL freed while another component holds it"),
    NBL_FREE_WITH_CHILDREN("ndis-buffers §5.1", "a parent NBL freed or completed while children still reference it"),
    NBL_NOT_OWNED("ndis-buffers §4.9, §6.12", "an NBL touched by a caller that no longer owns it"),
    NBL_ILLEGAL_HAND_OFF("ndis-buffers §4.9, §6.12", "an NBL handed on from a state that does not allow it"),
    NBL_LEAKED(
            "ndis-buffers §4.10, §9",
            "an NBL still allocated when its pool or NDIS shuts down",
            Bugcheck.BUGCODE_NDIS_DRIVER,
            "BUGCODE_NDIS_DRIVER",
            Bugcheck.NDIS_BUGCHECK_LEAKED_NBL),
    LEAKED_AT_SHUTDOWN(
            "nbl-reuse-leak-and-diagnostics §1.6",
            "allocations still outstanding when NDIS shuts down",
            Bugcheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
            "DRIVER_VERIFIER_DETECTED_VIOLATION",
            Bugcheck.DRIVER_UNLOADED_WITH_POOL_ALLOCATIONS),
    CLONE_HELD_TOO_LONG("seed 000 (FwpsAllocateDeepCloneNetBufferList0)", "a clone held past its budget"),
    IRQL_TOO_HIGH("ndis-buffers §6.11", "a DDI called above the highest IRQL it allows"),
    IRQL_DISPATCH_FLAG_LIES(
            "ndis-buffers §6.2", "a *_DISPATCH_LEVEL flag set while the caller is below DISPATCH_LEVEL"),
    IRQL_BAD_RAISE_OR_LOWER("ndis-buffers §6.11", "KeRaiseIrql to a lower IRQL or KeLowerIrql to a higher one"),
    NBL_WRONG_FREE_FUNCTION("ndis-buffers §4.8, §5.2", "an NBL freed by the free function of another kind of NBL"),
    CLONE_FLAGS_MISMATCH("ndis-buffers §5.2", "FreeCloneFlags differ from the AllocateCloneFlags of the clone"),
    CLONE_RESERVED_FLAG("ndis-buffers §5.2", "NDIS_CLONE_FLAGS_RESERVED is for NDIS only"),
    CLONE_FROM_DATA_POOL("ndis-buffers §5.2", "a clone's NBL pool must not be a data pool"),
    FRAGMENT_FLAGS_NOT_ZERO("ndis-buffers §5.3", "fragment and reassembly flags must be 0"),
    FRAGMENT_DELTA_MISMATCH(
            "ndis-buffers §5.3", "a derived NBL freed with another DataOffsetDelta than it was made with"),
    POOL_FREED_WITH_OUTSTANDING("ndis-buffers §4.6", "a pool freed while some of its elements are still allocated"),
    POOL_WRONG_KIND("ndis-buffers §3.10, §4.7", "an element returned to a pool it did not come from"),
    CONTEXT_OVER_RELEASE("ndis-buffers §4.5", "more NBL context freed than was allocated"),
    CHAIN_CYCLE("ndis-buffers §10.6", "an NBL or NB chain loops back on itself"),
    CHAIN_OVERLAP("ndis-buffers §10.6", "an NBL is in two chains at once"),
    INFO_SLOT_RESERVED("ndis-buffers §4.4, §4.10", "WfpNetBufferListInfo is reserved for WFP"),
    USE_AFTER_FREE("ndis-buffers §4.10", "an NBL, NB or its memory used after it was freed"),
    FILTER_ORIGINATE_NOT_ALLOWED(
            "ndis-buffers §6.1, §6.9",
            "a filter originated a send or indication while its module was not Running, or in a bypassed direction"),
    NBL_MISROUTED(
            "ndis-buffers §6.3, §6.4, §6.5",
            "an NBL completed or returned past its originator, or to a component that did not originate it"),
    FILTER_PAUSE_COMPLETE(
            "ndis-buffers §6.9, §9",
            "FilterPause took more than 10 s, returned another status than SUCCESS or PENDING, or completed twice"
                    + " (NdisFilterTimedPauseComplete)",
            Bugcheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
            "DRIVER_VERIFIER_DETECTED_VIOLATION",
            Bugcheck.NDIS_FILTER_TIMED_PAUSE_COMPLETE),
    FILTER_STATE("ndis-buffers §6.9", "a module operation called in a state that does not allow it"),
    CALLOUT_CHANGED_OFFSETS(
            "wfp-callouts-and-injection §0.1, §8.3",
            "a classifyFn returned with an NB's DataOffset or DataLength not restored"),
    WFP_INFO_STALE_ON_SEND(
            "nbl-reuse-leak-and-diagnostics §1.4, §1.5",
            "an NBL sent again still carrying the WFP info container of an earlier, completed send (recycled"
                    + " instead of freed and reallocated)"),
    WFP_INFO_ILLEGALLY_TRANSFERRED(
            "nbl-reuse-leak-and-diagnostics §1.2",
            "an NBL carries a WFP info container whose owning NBL is another one",
            Bugcheck.NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED,
            "NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED",
            0),
    WFP_REFERENCE_UNBALANCED(
            "wfp-callouts-and-injection §2.6", "FwpsDereferenceNetBufferList0 without a matching reference"),
    WFP_WRONG_FREE_FUNCTION(
            "wfp-callouts-and-injection §2.2, §2.5, §8.2",
            "a WFP NBL freed with the free function of another kind, or while the stack owns it"),
    CLONE_STRUCTURE_NOT_RESTORED(
            "wfp-callouts-and-injection §2.5",
            "a clone freed with NBs or MDLs still inserted or replaced by the callout"),
    CLASSIFY_HANDLE_MISUSE(
            "wfp-callouts-and-injection §4.10",
            "a classify handle acquired outside classifyFn, completed without a pend, pended twice or released"
                    + " twice");

    private final String section;
    private final String summary;
    private final int bugcheckCode;
    private final String bugcheckName;
    private final long bugcheckParameter1;

    Rule(String section, String summary) {
        this(section, summary, 0, "", 0);
    }

    Rule(String section, String summary, int bugcheckCode, String bugcheckName, long bugcheckParameter1) {
        this.section = section;
        this.summary = summary;
        this.bugcheckCode = bugcheckCode;
        this.bugcheckName = bugcheckName;
        this.bugcheckParameter1 = bugcheckParameter1;
    }

    /** The bugcheck Windows raises for this rule, with {@code parameter2}, or {@code null} if it has none. */
    public @Nullable Bugcheck bugcheck(long parameter2) {
        return bugcheckCode == 0 ? null : new Bugcheck(bugcheckCode, bugcheckName, bugcheckParameter1, parameter2);
    }

    /** Where the rule is stated, e.g. {@code ndis-buffers §5.2}. */
    public String section() {
        return section;
    }

    /** The rule in one line. */
    public String summary() {
        return summary;
    }
}
