package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * Where a {@link MemoryMiniport} puts what it sends: the wire. Called once per sent NBL while the miniport still owns
 * it, so the sink may read the NBL's NBs (copy the bytes, count them) but must keep no reference to it.
 */
@FunctionalInterface
public interface TransmitSink {

    /** A sink that drops everything: the packets are only counted in the statistics. */
    TransmitSink DISCARD = nbl -> {};

    /** Puts the packets of {@code nbl} (one per NB) on the wire. */
    void transmit(NetBufferList nbl);
}
