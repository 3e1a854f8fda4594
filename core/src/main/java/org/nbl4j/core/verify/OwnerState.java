package org.nbl4j.core.verify;

/**
 * Who may touch an NBL now (ndis-buffers §4.9, §6.12): the ownership that passes with every send, indication,
 * injection and completion. nbl4j keeps it on every NBL when the verifier is on; NDIS keeps the equivalent in its
 * private NBL tracker word (info slot 27).
 */
public enum OwnerState {
    /** In its pool. */
    FREE,
    /** Held by its allocator or by the component it was last handed to: that one may touch it. */
    OWNED,
    /** Sent down the stack; back to its originator at send completion. */
    SENT,
    /** Indicated up the stack; back to the indicating component when returned. */
    INDICATED,
    /** Given to WFP injection; back to the injector in its completion function. */
    INJECTED
}
