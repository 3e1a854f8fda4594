package org.nbl4j.cli.replay;

/** Why a packet of the capture was not offered to the router. */
public enum SkipReason {
    /** The capture reader passed the frame over: no IP packet in it (ARP, other link types). */
    NOT_IP("not IP (ARP and other frames)"),
    /** The packet was seen leaving the captured router, not arriving at it (see {@link PacketSelection#ARRIVING}). */
    LEAVING("seen leaving the router"),
    /** The capture kept only part of the packet (snap length). */
    TRUNCATED("cut short by the capture"),
    /**
     * The packet is longer than the MTU of the interface it would arrive on and cannot be offered as a coalesced (RSC)
     * one: not TCP, or not a BIG TCP packet that can be cut into indications; see {@link CoalescedPackets}.
     */
    LONGER_THAN_MTU("longer than the interface MTU"),
    /** The capture interface maps to no router interface. */
    NO_INTERFACE("no router interface for its capture interface"),
    /** The miniport had no free receive buffer even after the router was polled: NBLs are held somewhere. */
    REFUSED("refused by the miniport (no receive buffer)");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    /** What the summary prints for it. */
    public String description() {
        return description;
    }
}
