package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;
import static org.nbl4j.stack.ip.InternetChecksum.U32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes the reset with which a TCP in state CLOSED answers a segment (RFC 9293 §3.10.7.1): the layer has no
 * listeners, so every TCP segment addressed to this host gets one, unless it is itself a reset. A segment with ACK
 * set is answered {@code <SEQ=SEG.ACK><CTL=RST>}; one without, {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>},
 * where SEG.LEN counts the data and one for each of SYN and FIN.
 */
final class TcpResetBuilder {
    /** The reset's TCP header: 20 bytes, no options, no data. */
    static final int TCP_HEADER_LENGTH = LocalProtocols.TCP_MINIMUM_HEADER_LENGTH;

    static final int FLAG_FIN = 0x01;
    static final int FLAG_SYN = 0x02;
    static final int FLAG_RST = 0x04;
    static final int FLAG_ACK = 0x10;

    private static final int SEQUENCE = 4;
    private static final int ACKNOWLEDGMENT = 8;
    private static final int DATA_OFFSET = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT = 18;

    private TcpResetBuilder() {}

    /** Whether a segment whose TCP header starts {@code segment} is answered: never a reset (§3.10.7.1). */
    static boolean due(MemorySegment segment) {
        return (flags(segment) & FLAG_RST) == 0;
    }

    /** The length of the reset packet. */
    static int length(AddressFamily family) {
        return (family == AddressFamily.INET ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH) + TCP_HEADER_LENGTH;
    }

    /**
     * Writes the reset to the segment parsed into {@code received}, from its destination to its source.
     *
     * @param segment the segment's TCP header, its first {@value #TCP_HEADER_LENGTH} bytes at offset 0
     * @param identification the IPv4 Identification of the reset
     */
    static void write(MemorySegment out, PacketFacts received, MemorySegment segment, int identification) {
        AddressFamily family = received.family;
        boolean v4 = family == AddressFamily.INET;
        int ipHeader = v4 ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
        int flags = flags(segment);
        int sequence;
        int acknowledgment;
        int resetFlags;
        if ((flags & FLAG_ACK) != 0) {
            sequence = segment.get(U32, ACKNOWLEDGMENT);
            acknowledgment = 0;
            resetFlags = FLAG_RST;
        } else {
            int dataOffset = (Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, DATA_OFFSET)) >>> 4) * 4;
            int segmentLength = received.packetLength - received.headerLength - dataOffset;
            segmentLength += ((flags & FLAG_SYN) != 0 ? 1 : 0) + ((flags & FLAG_FIN) != 0 ? 1 : 0);
            sequence = 0;
            // Sequence arithmetic is modulo 2^32: int overflow wraps the same way.
            acknowledgment = segment.get(U32, SEQUENCE) + segmentLength;
            resetFlags = FLAG_RST | FLAG_ACK;
        }
        MemorySegment tcp = out.asSlice(ipHeader, TCP_HEADER_LENGTH);
        tcp.set(U16, 0, segment.get(U16, 2));
        tcp.set(U16, 2, segment.get(U16, 0));
        tcp.set(U32, SEQUENCE, sequence);
        tcp.set(U32, ACKNOWLEDGMENT, acknowledgment);
        tcp.set(ValueLayout.JAVA_BYTE, DATA_OFFSET, (byte) ((TCP_HEADER_LENGTH / 4) << 4));
        tcp.set(ValueLayout.JAVA_BYTE, FLAGS, (byte) resetFlags);
        tcp.set(U16, WINDOW, (short) 0);
        tcp.set(U16, CHECKSUM, (short) 0);
        tcp.set(U16, URGENT, (short) 0);
        long sum = InternetChecksum.pseudoHeader(
                family,
                received.destinationHigh,
                received.destinationLow,
                received.sourceHigh,
                received.sourceLow,
                TCP_HEADER_LENGTH,
                IcmpMessages.IPPROTO_TCP);
        tcp.set(U16, CHECKSUM, (short) InternetChecksum.finish(InternetChecksum.add(sum, tcp, 0, TCP_HEADER_LENGTH)));
        if (v4) {
            Ipv4Header.write(
                    out,
                    ipHeader + TCP_HEADER_LENGTH,
                    identification,
                    0,
                    IcmpErrorBuilder.DEFAULT_HOP_LIMIT,
                    IcmpMessages.IPPROTO_TCP,
                    (int) received.destinationLow,
                    (int) received.sourceLow);
        } else {
            Ipv6Header.write(
                    out,
                    TCP_HEADER_LENGTH,
                    IcmpMessages.IPPROTO_TCP,
                    IcmpErrorBuilder.DEFAULT_HOP_LIMIT,
                    received.destinationHigh,
                    received.destinationLow,
                    received.sourceHigh,
                    received.sourceLow);
        }
    }

    private static int flags(MemorySegment segment) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, FLAGS));
    }
}
