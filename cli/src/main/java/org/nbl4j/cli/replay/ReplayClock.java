package org.nbl4j.cli.replay;

/**
 * The capture time of the packet being replayed, which the egress recorders stamp on what the router sends in
 * response. One per replay, read and written on the replaying thread only.
 */
final class ReplayClock {
    /** Nanoseconds since the epoch. */
    long nanos;
}
