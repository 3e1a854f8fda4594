package org.nbl4j.cli.replay;

/**
 * Which packets of a capture are offered to the router. A capture taken on a router's interfaces holds every packet
 * twice, once arriving and once leaving; only the arriving ones are the router's input.
 */
public enum PacketSelection {
    /**
     * A packet captured on an interface is offered only if it arrived there: its source is none of the router's
     * addresses, and the router's route back to the source leaves by that same interface (the strict reverse-path
     * check of RFC 3704). A source the router has no route to (link-local, unspecified) cannot be judged and is
     * offered.
     */
    ARRIVING,
    /** Every packet is offered to the interface it was captured on. */
    ALL
}
