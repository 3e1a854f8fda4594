package org.nbl4j.core.verify;

import java.util.Map;

/**
 * How to fix a broken rule, in one line a driver writer can act on: the last line of a report's headline. Kept apart
 * from the rules themselves and keyed by rule name, so that a rule declared in any module (NDIS's in core, WFP's in
 * stack) finds its fix here by the name reports print.
 */
public final class RuleFixes {
    private static final Map<String, String> FIXES = Map.ofEntries(
            Map.entry("MEMORY_DOUBLE_FREE", "free each block once; clear your pointer to it when you free it"),
            Map.entry("MEMORY_FOREIGN_FREE", "free memory with the function and handle that allocated it"),
            Map.entry("MEMORY_NOT_NONPAGED", "build MDLs over memory from NdisAllocateMemoryWithTagPriority"),
            Map.entry("MDL_DOUBLE_FREE", "free each MDL once; unlink it from its chain before you free it"),
            Map.entry("MDL_ADJUST_TOO_LONG", "adjust an MDL's length at most to the length it was allocated with"),
            Map.entry(
                    "MDL_LENGTH_NOT_RESTORED",
                    "restore the MDL's original length (NdisAdjustMdlLength) before freeing"),
            Map.entry("NB_ADVANCE_BEYOND_DATA", "advance by at most the NB's DataLength"),
            Map.entry("NB_LENGTH_OVERFLOW", "keep DataOffset and DataLength below 2^31"),
            Map.entry(
                    "NB_INVARIANT",
                    "change an NB's data only through retreat/advance, or keep DataOffset + DataLength within its MDLs"),
            Map.entry("NB_FREE_EMBEDDED", "free the NBL the NB came with, not the NB itself"),
            Map.entry("NB_DOUBLE_FREE", "free each NB once; clear your pointer to it when you free it"),
            Map.entry("NBL_DOUBLE_FREE", "free each NBL once; clear your pointer to it when you free it"),
            Map.entry(
                    "NBL_FREE_IN_FLIGHT",
                    "free an NBL only after it came back to you (send complete or return), never while it is in flight"),
            Map.entry("NBL_FREE_WITH_CHILDREN", "free every clone or fragment before its parent"),
            Map.entry("NBL_NOT_OWNED", "stop touching an NBL once you passed it on; wait until it comes back to you"),
            Map.entry(
                    "NBL_ILLEGAL_HAND_OFF",
                    "pass an NBL on only while you own it: complete or return what you were given, send what you made"),
            Map.entry("NBL_LEAKED", "free every NBL you allocated before you free its pool or unload"),
            Map.entry(
                    "LEAKED_AT_SHUTDOWN",
                    "free what the tags name before NDIS shuts down (poolmon's Diff column shows what is left)"),
            Map.entry(
                    "CLONE_HELD_TOO_LONG",
                    "inject or free a clone promptly; copy the data (a deep copy) if you must keep it longer"),
            Map.entry("IRQL_TOO_HIGH", "call the DDI at or below the IRQL it documents, or defer to a work item"),
            Map.entry(
                    "IRQL_DISPATCH_FLAG_LIES",
                    "set the *_DISPATCH_LEVEL flag only when KeGetCurrentIrql() is DISPATCH_LEVEL; clear it otherwise"),
            Map.entry("IRQL_BAD_RAISE_OR_LOWER", "raise only to a higher IRQL and lower back to the one you saved"),
            Map.entry(
                    "SPIN_LOCK_WRONG_IRQL",
                    "keep the IRQL at DISPATCH_LEVEL while you hold a spin lock; use the AtDpcLevel forms only there"),
            Map.entry(
                    "SPIN_LOCK_RECURSIVE_ACQUIRE",
                    "never acquire a spin lock you hold; release it before calling code that takes it"),
            Map.entry("SPIN_LOCK_NOT_OWNED", "release a spin lock once, on the thread that acquired it"),
            Map.entry(
                    "SPIN_LOCK_HELD_AT_RETURN",
                    "release every spin lock your handler acquired on every path before it returns"),
            Map.entry(
                    "WAIT_AT_DISPATCH",
                    "wait only below DISPATCH_LEVEL; at DISPATCH_LEVEL test with a zero timeout or defer to a work item"),
            Map.entry(
                    "NBL_WRONG_FREE_FUNCTION",
                    "free a clone with NdisFreeCloneNetBufferList, a fragment with NdisFreeFragmentNetBufferList,"
                            + " and so on"),
            Map.entry("CLONE_FLAGS_MISMATCH", "pass the free function the same flags you cloned with"),
            Map.entry("CLONE_RESERVED_FLAG", "leave NDIS_CLONE_FLAGS_RESERVED clear"),
            Map.entry("CLONE_FROM_DATA_POOL", "clone into a pool allocated without fAllocateNetBuffer data"),
            Map.entry("FRAGMENT_FLAGS_NOT_ZERO", "pass 0 as the flags"),
            Map.entry("FRAGMENT_DELTA_MISMATCH", "free a derived NBL with the DataOffsetDelta it was made with"),
            Map.entry("POOL_FREED_WITH_OUTSTANDING", "free every element of a pool before the pool"),
            Map.entry("POOL_WRONG_KIND", "return each element to the pool it came from"),
            Map.entry(
                    "POOL_USED_AFTER_FREE",
                    "stop using a pool handle once you freed the pool; clear your pointer to it when you free it"),
            Map.entry("CONTEXT_OVER_RELEASE", "free exactly the context size you allocated"),
            Map.entry("CHAIN_CYCLE", "set NEXT_NBL / NEXT_NB to NULL at the end of a chain"),
            Map.entry("CHAIN_OVERLAP", "unlink an NBL from one chain before you link it into another"),
            Map.entry("INFO_SLOT_RESERVED", "leave WfpNetBufferListInfo to WFP; keep your data in the NBL's context"),
            Map.entry("USE_AFTER_FREE", "stop using an NBL, NB or its memory once you freed it"),
            Map.entry(
                    "FILTER_ORIGINATE_NOT_ALLOWED",
                    "originate sends and indications only while the module is Running (between FilterRestart and"
                            + " FilterPause)"),
            Map.entry(
                    "NBL_MISROUTED",
                    "complete or return an NBL to the component that gave it to you; NBLs you made come back to you"),
            Map.entry(
                    "FILTER_PAUSE_COMPLETE",
                    "return from FilterPause with SUCCESS or PENDING, and complete a pended pause once, within 10 s"),
            Map.entry("FILTER_STATE", "call the module operation only in the state that allows it"),
            Map.entry(
                    "IRP_COMPLETED_TWICE",
                    "complete each IRP once: whoever takes it off your queue (or clears its cancel routine) completes it"),
            Map.entry(
                    "DRIVER_ROUTINE_THREW",
                    "fix what threw at the line named; a kernel routine may not let an exception out (Windows bugchecks)"),
            Map.entry(
                    "IRP_COMPLETED_HOLDING_SPIN_LOCK",
                    "take the IRPs off your queue under the lock, release it, then call IoCompleteRequest on each"),
            Map.entry(
                    "IRP_PENDED_WITHOUT_CANCEL_ROUTINE",
                    "queue a pended IRP in a cancel-safe queue (IoCsqInsertIrp) or set a cancel routine before you"
                            + " return STATUS_PENDING"),
            Map.entry(
                    "IRP_PENDING_AT_UNLOAD",
                    "cancel or complete every queued IRP (IRP_MJ_CLEANUP, then DriverUnload) before unload returns"),
            Map.entry(
                    "IRP_BUFFER_AFTER_COMPLETION",
                    "read and write the IRP's buffers before IoCompleteRequest; the IRP is the I/O manager's after it"),
            Map.entry(
                    "DEVICE_DELETED_WITH_OPEN_HANDLES",
                    "delete the symbolic link first and the device after its last IRP_MJ_CLOSE (or at unload)"),
            Map.entry(
                    "OID_REQUEST_COMPLETE",
                    "complete an OID request once: either return its status or return PENDING and call the Complete"
                            + " DDI later, never both"),
            Map.entry(
                    "FILTER_ATTACHED_AT_DEREGISTRATION",
                    "let every module pause (complete a pended FilterPause) so that NdisFDeregisterFilterDriver can"
                            + " detach it before the driver unloads"),
            Map.entry(
                    "FWPM_OBJECT_LEAKED",
                    "open the engine with FWPM_SESSION_FLAG_DYNAMIC, or delete what you added (FwpmFilterDeleteById0 and"
                            + " the like) before unload"),
            Map.entry(
                    "CALLOUT_CHANGED_OFFSETS",
                    "restore each NB's DataOffset and DataLength (advance what you retreated) before classifyFn returns"),
            Map.entry(
                    "WFP_INFO_STALE_ON_SEND",
                    "free the NBL in the send-complete handler and allocate a new one for the next send;"
                            + " NdisFreeNetBufferList is the only path that releases the WFP container"),
            Map.entry(
                    "WFP_INFO_ILLEGALLY_TRANSFERRED",
                    "never copy WfpNetBufferListInfo from one NBL to another; let WFP attach its own"),
            Map.entry("WFP_REFERENCE_UNBALANCED", "dereference an NBL only once per FwpsReferenceNetBufferList0"),
            Map.entry(
                    "WFP_WRONG_FREE_FUNCTION",
                    "free a WFP clone with FwpsFreeCloneNetBufferList0 and an allocated NBL with"
                            + " FwpsFreeNetBufferList0, once it came back to you"),
            Map.entry(
                    "CLONE_STRUCTURE_NOT_RESTORED",
                    "undo every NB and MDL you inserted or replaced in a clone before you free it"
                            + " (NdisFreeCloneNetBufferList, FwpsFreeCloneNetBufferList0)"),
            Map.entry(
                    "CLASSIFY_HANDLE_MISUSE",
                    "acquire a classify handle inside classifyFn, pend and complete once, release it once"),
            Map.entry(
                    "CLASSIFY_HANDLE_LEAKED",
                    "call FwpsReleaseClassifyHandle0 once for every FwpsAcquireClassifyHandle0, after completing"),
            Map.entry(
                    "PEND_COMPLETED_TWICE",
                    "call FwpsCompleteOperation0 once per completion context, then forget the context"),
            Map.entry(
                    "PEND_NOT_PENDED", "complete only a context that FwpsPendOperation0 returned with STATUS_SUCCESS"),
            Map.entry(
                    "PEND_NOT_PENDABLE",
                    "pend only in an ALE_AUTH_CONNECT or ALE_AUTH_RECV_ACCEPT classifyFn, with the"
                            + " completionHandle of its metadata (check FWPS_METADATA_FIELD_COMPLETION_HANDLE)"),
            Map.entry(
                    "PEND_NOT_ABSORBED",
                    "after a successful FwpsPendOperation0 return FWP_ACTION_BLOCK with FWPS_CLASSIFY_OUT_FLAG_ABSORB"
                            + " and the write right cleared; decide in the reauthorization"),
            Map.entry(
                    "PEND_NEVER_COMPLETED",
                    "complete every pended operation (with a BLOCK decision if need be) before its flow can end"));

    private RuleFixes() {}

    /** The one-line fix for the rule called {@code ruleName}, or a pointer to the rule's spec section if none is known. */
    public static String of(String ruleName, String section) {
        return FIXES.getOrDefault(ruleName, "see " + section);
    }

    /** The one-line fix for {@code rule}. */
    public static String of(Rule rule) {
        return of(rule.name(), rule.section());
    }
}
