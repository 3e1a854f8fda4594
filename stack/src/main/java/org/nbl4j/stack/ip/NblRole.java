package org.nbl4j.stack.ip;

/**
 * Why the IP layer holds an NBL, kept in {@code ProtocolReserved[0]}: it decides what happens when the layer is done
 * with it (wfp-callouts-and-injection §8.2).
 */
enum NblRole {
    /** Indicated by an adapter with RESOURCES clear: returned to its binding ({@code ProtocolReserved[1]}). */
    INDICATED,
    /** Made by the layer ({@link GeneratedPackets}): freed with its memory ({@code ProtocolReserved[1]}). */
    GENERATED,
    /** A fragment NBL cut from its parent: freed, then the parent loses a child. */
    FRAGMENT,
    /** Given by an injector: completed through its {@link PacketCompletion} ({@code ProtocolReserved[1]}). */
    INJECTED
}
