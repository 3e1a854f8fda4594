package org.nbl4j.cli.replay;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.router.Router;

/**
 * What a view of a replay watches: progress, each NBL a miniport transmits, and the router once every NBL is back.
 * Called on the replaying thread; a method that is not overridden costs nothing.
 */
public interface ReplayObserver {
    /** Watches nothing. */
    ReplayObserver NONE = new ReplayObserver() {};

    /**
     * The router is built and its callout drivers loaded, before the first packet: where a test loads a filter driver
     * ({@code NdisFRegisterFilterDriver} attaches it to every adapter of {@code router}). Called on the replaying
     * thread, which is bound to the router's NDIS.
     */
    default void started(Router router) {}

    /**
     * Every so many packets: how many were read and how many bytes of the file (-1 for {@code totalBytes} when the
     * size is unknown).
     */
    default void progress(long packetsRead, long bytesRead, long totalBytes) {}

    /** The replay is over; the progress display may go. */
    default void finished() {}

    /**
     * A miniport transmits {@code nbl} (the NBL stays the miniport's: read it, keep no reference).
     *
     * @param interfaceName the egress interface
     */
    default void transmitted(String interfaceName, NetBufferList nbl) {}

    /** The capture is replayed and the router drained, before it is closed: what is still held now is pending. */
    default void drained(Router router) {}
}
