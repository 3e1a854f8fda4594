package org.nbl4j.core.verify;

import static org.nbl4j.core.verify.RuleKind.ARGUMENT;
import static org.nbl4j.core.verify.RuleKind.SHUTDOWN;
import static org.nbl4j.core.verify.RuleKind.STATE;

import org.jspecify.annotations.Nullable;

/**
 * The rules of the NDIS buffer model that core checks itself: memory and MDLs, NET_BUFFER and NET_BUFFER_LIST
 * lengths, frees and owners, clones and fragments, pools, context, chains, info slots and IRQL.
 *
 * <p>Where Windows returns a status or NULL for bad input nbl4j does the same; these rules cover the programming
 * errors on which Windows corrupts memory or bugchecks, and which nbl4j reports instead. The rules of the stack's
 * filter path and of WFP are the stack's own enums.
 */
public enum BufferRule implements Rule {
    MEMORY_DOUBLE_FREE("ndis-buffers §2.5", "memory freed twice", STATE, doubleFree()),
    MEMORY_FOREIGN_FREE("ndis-buffers §2.5", "memory freed to an allocator that did not allocate it", ARGUMENT),
    MEMORY_NOT_NONPAGED("ndis-buffers §2.3", "an MDL must describe nonpaged (off-heap) memory", ARGUMENT),
    MDL_DOUBLE_FREE("ndis-buffers §2.5", "MDL freed twice", STATE),
    MDL_ADJUST_TOO_LONG(
            "ndis-buffers §2.3", "NdisAdjustMdlLength beyond the length the MDL was allocated with", ARGUMENT),
    MDL_LENGTH_NOT_RESTORED("ndis-buffers §2.3", "an MDL freed without its original length restored", STATE),
    NB_ADVANCE_BEYOND_DATA(
            "ndis-buffers §3.4", "advance by more than DataLength (NDIS would wrap the ULONG)", ARGUMENT),
    NB_LENGTH_OVERFLOW(
            "ndis-buffers §3.3", "DataOffset or DataLength would not fit an unsigned 31-bit length", ARGUMENT),
    NB_INVARIANT("ndis-buffers §3.2", "the NB's data fields are inconsistent with its MDL chain (I1/I2)", ARGUMENT),
    NB_FREE_EMBEDDED("ndis-buffers §3.10", "NdisFreeNetBuffer on an NB that came pre-attached to an NBL", STATE),
    NB_DOUBLE_FREE("ndis-buffers §3.10", "NET_BUFFER freed twice", STATE, doubleFree()),
    NBL_DOUBLE_FREE("ndis-buffers §4.10", "NET_BUFFER_LIST freed twice", STATE, doubleFree()),
    NBL_FREE_IN_FLIGHT("ndis-buffers §4.9", "an NBL freed while another component holds it", STATE),
    NBL_FREE_WITH_CHILDREN(
            "ndis-buffers §5.1", "a parent NBL freed or completed while children still reference it", STATE),
    NBL_NOT_OWNED("ndis-buffers §4.9, §6.12", "an NBL touched by a caller that no longer owns it", STATE),
    NBL_ILLEGAL_HAND_OFF("ndis-buffers §4.9, §6.12", "an NBL handed on from a state that does not allow it", STATE),
    NBL_LEAKED(
            "ndis-buffers §4.10, §9",
            "an NBL still allocated when its pool or NDIS shuts down",
            STATE,
            new Bugcheck(Bugcheck.BUGCODE_NDIS_DRIVER, "BUGCODE_NDIS_DRIVER", Bugcheck.NDIS_BUGCHECK_LEAKED_NBL, 0)),
    LEAKED_AT_SHUTDOWN(
            "nbl-reuse-leak-and-diagnostics §1.6",
            "allocations still outstanding when NDIS shuts down",
            SHUTDOWN,
            new Bugcheck(
                    Bugcheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                    "DRIVER_VERIFIER_DETECTED_VIOLATION",
                    Bugcheck.DRIVER_UNLOADED_WITH_POOL_ALLOCATIONS,
                    0)),
    CLONE_HELD_TOO_LONG("seed 000 (FwpsAllocateDeepCloneNetBufferList0)", "a clone held past its budget", STATE),
    IRQL_TOO_HIGH("ndis-buffers §6.11", "a DDI called above the highest IRQL it allows", STATE),
    IRQL_DISPATCH_FLAG_LIES(
            "ndis-buffers §6.2", "a *_DISPATCH_LEVEL flag set while the caller is below DISPATCH_LEVEL", STATE),
    IRQL_BAD_RAISE_OR_LOWER(
            "ndis-buffers §6.11", "KeRaiseIrql to a lower IRQL or KeLowerIrql to a higher one", ARGUMENT),
    NBL_WRONG_FREE_FUNCTION(
            "ndis-buffers §4.8, §5.2", "an NBL freed by the free function of another kind of NBL", STATE),
    CLONE_FLAGS_MISMATCH("ndis-buffers §5.2", "FreeCloneFlags differ from the AllocateCloneFlags of the clone", STATE),
    /** The one structure check of both clone families, NDIS's and WFP's ({@code CloneStructure}). */
    CLONE_STRUCTURE_NOT_RESTORED(
            "ndis-buffers §5.2, wfp-callouts-and-injection §2.5",
            "a clone freed with NBs or MDLs still inserted or replaced by the driver",
            STATE),
    CLONE_RESERVED_FLAG("ndis-buffers §5.2", "NDIS_CLONE_FLAGS_RESERVED is for NDIS only", ARGUMENT),
    CLONE_FROM_DATA_POOL("ndis-buffers §5.2", "a clone's NBL pool must not be a data pool", ARGUMENT),
    FRAGMENT_FLAGS_NOT_ZERO("ndis-buffers §5.3", "fragment and reassembly flags must be 0", ARGUMENT),
    FRAGMENT_DELTA_MISMATCH(
            "ndis-buffers §5.3", "a derived NBL freed with another DataOffsetDelta than it was made with", STATE),
    POOL_FREED_WITH_OUTSTANDING(
            "ndis-buffers §4.6", "a pool freed while some of its elements are still allocated", STATE),
    POOL_WRONG_KIND("ndis-buffers §3.10, §4.7", "an element returned to a pool it did not come from", ARGUMENT),
    POOL_USED_AFTER_FREE(
            "ndis-buffers §4.6", "a pool used after it was freed: its handle is no longer valid", ARGUMENT),
    CONTEXT_OVER_RELEASE("ndis-buffers §4.5", "more NBL context freed than was allocated", ARGUMENT),
    CHAIN_CYCLE("ndis-buffers §10.6", "an NBL or NB chain loops back on itself", ARGUMENT),
    CHAIN_OVERLAP("ndis-buffers §10.6", "an NBL is in two chains at once", ARGUMENT),
    INFO_SLOT_RESERVED("ndis-buffers §4.4, §4.10", "WfpNetBufferListInfo is reserved for WFP", ARGUMENT),
    USE_AFTER_FREE("ndis-buffers §4.10", "an NBL, NB or its memory used after it was freed", STATE);

    private final RuleDefinition definition;

    BufferRule(String section, String summary, RuleKind kind) {
        this(section, summary, kind, null);
    }

    BufferRule(String section, String summary, RuleKind kind, @Nullable Bugcheck bugcheck) {
        this.definition = new RuleDefinition(section, summary, kind, bugcheck);
    }

    /** 0xC2 {@code BAD_POOL_CALLER} with parameter 1 = 7: the block being freed is already free. */
    private static Bugcheck doubleFree() {
        return new Bugcheck(Bugcheck.BAD_POOL_CALLER, "BAD_POOL_CALLER", Bugcheck.BAD_POOL_CALLER_DOUBLE_FREE, 0);
    }

    @Override
    public RuleDefinition definition() {
        return definition;
    }
}
