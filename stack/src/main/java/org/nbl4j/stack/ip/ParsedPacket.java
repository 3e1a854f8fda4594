package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;

/**
 * What {@link PacketParser} learned from one packet's headers: one instance per thread, filled again for each packet
 * so that parsing allocates nothing. Addresses are two longs (IPv4: the low 32 bits of {@code low}, {@code high} 0).
 */
final class ParsedPacket {
    AddressFamily family = AddressFamily.INET;
    /** Bytes from the IP header's start to the upper-layer header (IPv6: through the fragment header, if any). */
    int headerLength;
    /** The packet's length as its header states it (IPv4 Total Length, IPv6 40 + Payload Length). */
    int packetLength;
    /** The upper-layer protocol (IPv6: the Next Header after the walk, or of the fragment header). */
    int protocol;
    /** The offset of the field that names {@link #protocol}: IPv4 Protocol, or the last IPv6 Next Header walked. */
    int protocolField;

    int hopLimit;
    long sourceHigh;
    long sourceLow;
    long destinationHigh;
    long destinationLow;
    boolean fragment;
    /** The fragment's offset in bytes. */
    int fragmentOffset;

    boolean moreFragments;
    int identification;
    boolean dontFragment;
    /** IPv6: where the fragment header starts, which is also the length of the unfragmentable part. */
    int fragmentHeaderOffset;
    /** IPv6: the offset of the Next Header byte that names the fragment header. */
    int fragmentNextHeaderField;

    /**
     * A check that only the packet's destination makes failed: IPv6 extension headers after Hop-by-Hop (RFC 8200 §4:
     * no node on the path examines them), fragment lengths (the reassembling node's). Null if none did; meaningless
     * when the parse turned the packet down. A forwarded packet ignores it.
     */
    @Nullable
    IpDiscardReason deliveryProblem;

    /**
     * The ICMP error the failed check calls for (the parse's, else {@link #deliveryProblem}'s): null when the packet
     * is dropped silently.
     */
    @Nullable
    IcmpErrorKind problem;

    /** The Parameter Problem pointer or protocol-unreachable Next Header offset of {@link #problem}. */
    int problemPointer;

    void reset(AddressFamily newFamily) {
        family = newFamily;
        headerLength = 0;
        packetLength = 0;
        protocol = 0;
        hopLimit = 0;
        sourceHigh = 0;
        sourceLow = 0;
        destinationHigh = 0;
        destinationLow = 0;
        fragment = false;
        fragmentOffset = 0;
        moreFragments = false;
        identification = 0;
        dontFragment = false;
        fragmentHeaderOffset = 0;
        fragmentNextHeaderField = 0;
        protocolField = 0;
        deliveryProblem = null;
        problem = null;
        problemPointer = 0;
    }

    /** Records why a check failed and which ICMP error (null: none) with which pointer it calls for. */
    IpDiscardReason failed(IpDiscardReason reason, @Nullable IcmpErrorKind error, int pointer) {
        problem = error;
        problemPointer = pointer;
        return reason;
    }

    /** The fragment's payload length: what follows the headers. */
    int fragmentPayloadLength() {
        return packetLength - headerLength;
    }
}
