package org.nbl4j.stack.ip;

/**
 * What makes fragments belong to one datagram: source, destination, identification and, for IPv4, the protocol (RFC
 * 791 §3.2; RFC 8200 §4.5 leaves the protocol out, it is in the first fragment only), within one compartment. Both
 * the reassembly table and the forward layer's fragment grouping key their entries by it.
 */
record FragmentKey(
        int compartmentId,
        AddressFamily family,
        long sourceHigh,
        long sourceLow,
        long destinationHigh,
        long destinationLow,
        int identification,
        int protocol) {

    static FragmentKey of(int compartmentId, PacketFacts facts) {
        return new FragmentKey(
                compartmentId,
                facts.family,
                facts.sourceHigh,
                facts.sourceLow,
                facts.destinationHigh,
                facts.destinationLow,
                facts.identification,
                protocolOf(facts));
    }

    /** Whether {@code facts}, a fragment in {@code compartment}, belongs to the datagram this key names. */
    boolean matches(int compartment, PacketFacts facts) {
        return compartmentId == compartment
                && family == facts.family
                && identification == facts.identification
                && sourceLow == facts.sourceLow
                && sourceHigh == facts.sourceHigh
                && destinationLow == facts.destinationLow
                && destinationHigh == facts.destinationHigh
                && protocol == protocolOf(facts);
    }

    private static int protocolOf(PacketFacts facts) {
        return facts.family == AddressFamily.INET ? facts.protocol : 0;
    }
}
