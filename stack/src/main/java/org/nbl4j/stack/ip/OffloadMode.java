package org.nbl4j.stack.ip;

/**
 * Where coalesced packets (RSC indications: TCP super-packets with {@code TcpRecvSegCoalesceInfo}) may travel through
 * the IP layer, and whether forwarded ones leave with LSO. A coalesced packet where RSC is off is cut into its
 * segments on arrival, as if the NIC had not coalesced it (the miniport segments), so that everything above sees what
 * Windows would. In every mode a WFP callout that did not opt in with {@code FWP_CALLOUT_FLAG_ALLOW_RSC} turns RSC off
 * ({@link PacketHook#allowsCoalescedPackets}): it sees segments.
 */
public enum OffloadMode {
    /**
     * No offloads (nbl4j before them): a coalesced packet that arrives anyway is cut into segments; the receive and
     * transmit checksum bits are still honoured.
     */
    OFF,
    /**
     * As Windows does (WDK, "Programming Considerations for RSC Drivers"): the stack disables RSC on any interface that
     * forwards, so coalesced packets go up only on interfaces that do not; a router's devices are not asked for
     * receive coalescing at all. Checksum offloads are used where the devices have them.
     */
    WINDOWS,
    /**
     * Beyond Windows: coalesced packets are forwarded whole (TTL and checksum changed once, the MTU checked against the
     * segment size, never IP-fragmented) and leave with LSO where the egress has it, cut in software where it has not.
     * A callout at the IP packet and forward layers that opted in sees the super-packet with its info slots.
     */
    THROUGHPUT;

    /** Whether a coalesced packet arriving on an interface with this forwarding setting may stay coalesced. */
    public boolean keepsCoalesced(boolean interfaceForwards) {
        return switch (this) {
            case OFF -> false;
            case WINDOWS -> !interfaceForwards;
            case THROUGHPUT -> true;
        };
    }
}
