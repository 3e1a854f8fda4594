package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;

/**
 * {@link PacketFacts} for tests outside {@code ip}: only {@link PacketParser} writes a packet's header facts, so a test
 * gets them by parsing real bytes, as the receive path does.
 */
public final class ParsedFacts {
    private ParsedFacts() {}

    /**
     * The facts of {@code packet} as the receive path shows it on arrival on interface {@code arrivalIndex} in
     * compartment {@code compartment}: a fragment is flagged IS_FRAGMENT and offers its fragment metadata.
     *
     * @throws IllegalArgumentException if the parser turns the packet down
     */
    public static PacketFacts arrived(byte[] packet, int compartment, int arrivalIndex) {
        PacketFacts facts = new PacketFacts();
        IpDiscardReason invalid = PacketParser.parse(
                MemorySegment.ofArray(packet),
                Math.min(packet.length, PacketParser.PARSE_WINDOW),
                packet.length,
                facts);
        if (invalid != null) {
            throw new IllegalArgumentException("the parser turns the packet down: " + invalid);
        }
        facts.showArrived(compartment, arrivalIndex, 0);
        return facts;
    }
}
