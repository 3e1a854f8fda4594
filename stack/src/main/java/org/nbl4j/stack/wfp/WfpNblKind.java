package org.nbl4j.stack.wfp;

/** How WFP made an NBL, which decides the WFP free function that may free it (§2.2, §2.5, §8.2). */
public enum WfpNblKind {
    /** Not made by a WFP buffer function: indicated by the stack, or allocated by a driver through NDIS. */
    FOREIGN,
    /** {@code FwpsAllocateNetBufferAndNetBufferList0}: freed with {@code FwpsFreeNetBufferList0}. */
    ALLOCATED,
    /** {@code FwpsAllocateCloneNetBufferList0}: freed with {@code FwpsFreeCloneNetBufferList0}. */
    CLONE,
    /** {@code FwpsAllocateDeepCloneNetBufferList0}: freed with {@code FwpsFreeCloneNetBufferList0}. */
    DEEP_CLONE,
    /** {@code FwpsReassembleForwardFragmentGroup0}: freed with {@code FwpsFreeNetBufferList0}. */
    REASSEMBLED_GROUP
}
