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

    static FragmentKey of(int compartmentId, ParsedPacket parsed) {
        return new FragmentKey(
                compartmentId,
                parsed.family,
                parsed.sourceHigh,
                parsed.sourceLow,
                parsed.destinationHigh,
                parsed.destinationLow,
                parsed.identification,
                protocolOf(parsed));
    }

    /** Whether {@code parsed}, a fragment in {@code compartment}, belongs to the datagram this key names. */
    boolean matches(int compartment, ParsedPacket parsed) {
        return compartmentId == compartment
                && family == parsed.family
                && identification == parsed.identification
                && sourceLow == parsed.sourceLow
                && sourceHigh == parsed.sourceHigh
                && destinationLow == parsed.destinationLow
                && destinationHigh == parsed.destinationHigh
                && protocol == protocolOf(parsed);
    }

    private static int protocolOf(ParsedPacket parsed) {
        return parsed.family == AddressFamily.INET ? parsed.protocol : 0;
    }
}
