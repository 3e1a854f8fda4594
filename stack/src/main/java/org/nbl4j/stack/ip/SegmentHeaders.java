package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The header rules of cutting a TCP or UDP super-packet into smaller packets that carry its headers: what an LSO NIC
 * and Linux's GSO do for each segment ({@code tcp_gso_segment}, {@code inet_gso_segment}), and what a coalescing NIC's
 * indications of the same segments show when a packet longer than an RSC indication may be is cut into several
 * (WDK, "Updating the IP Headers for Coalesced Segments": the Identification is the first coalesced segment's). The
 * transport checksum is left to the caller, who knows whether it is computed in full or left partial.
 */
public final class SegmentHeaders {
    private static final int PROTOCOL_TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private SegmentHeaders() {}

    /**
     * Fixes the copy of the original's headers at {@code base} of {@code buffer} for a piece of {@code size} payload
     * bytes that starts {@code offset} bytes into the original's payload. IPv4: Total Length, Identification advanced
     * by {@code identificationAdvance} (mod 2^16), header checksum recomputed; IPv6: Payload Length. TCP: Sequence
     * Number advanced by {@code offset}, FIN and PSH kept only on the last piece, CWR only on the first. UDP: Length.
     * The transport checksum field is zeroed.
     *
     * @param headers the IP and transport headers' length (IPv4 with options, or IPv6 without extension headers)
     * @return the pseudo-header sum of the piece, not folded, to which the transport bytes' sum is added
     */
    public static long fix(
            MemorySegment buffer,
            long base,
            int headers,
            int identificationAdvance,
            boolean first,
            boolean last,
            int offset,
            int size) {
        boolean v4 = isIpv4(buffer, base);
        int ipLength = ipLength(buffer, base);
        int protocol = protocol(buffer, base);
        int transportLength = headers - ipLength + size;
        if (v4) {
            buffer.set(InternetChecksum.U16, base + Ipv4Header.TOTAL_LENGTH, (short) (headers + size));
            int id = Short.toUnsignedInt(buffer.get(InternetChecksum.U16, base + Ipv4Header.IDENTIFICATION));
            buffer.set(InternetChecksum.U16, base + Ipv4Header.IDENTIFICATION, (short) (id + identificationAdvance));
            buffer.set(InternetChecksum.U16, base + Ipv4Header.CHECKSUM, (short) 0);
            buffer.set(InternetChecksum.U16, base + Ipv4Header.CHECKSUM, (short)
                    InternetChecksum.compute(buffer, base, ipLength));
        } else {
            buffer.set(InternetChecksum.U16, base + Ipv6Header.PAYLOAD_LENGTH, (short) transportLength);
        }
        long transport = base + ipLength;
        if (protocol == PROTOCOL_TCP) {
            int sequence = buffer.get(InternetChecksum.U32, transport + 4) + offset;
            buffer.set(InternetChecksum.U32, transport + 4, sequence);
            int flags = Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, transport + 13));
            if (!last) {
                flags &= ~(TCP_FIN | TCP_PSH);
            }
            if (!first) {
                flags &= ~TCP_CWR;
            }
            buffer.set(ValueLayout.JAVA_BYTE, transport + 13, (byte) flags);
        } else {
            buffer.set(InternetChecksum.U16, transport + 4, (short) transportLength);
        }
        buffer.set(InternetChecksum.U16, checksumField(transport, protocol), (short) 0);
        return v4
                ? InternetChecksum.add(0, buffer, base + Ipv4Header.SOURCE, 8) + transportLength + protocol
                : InternetChecksum.ipv6PseudoHeader(
                        buffer, base + Ipv6Header.SOURCE, base + Ipv6Header.DESTINATION, transportLength, protocol);
    }

    private static boolean isIpv4(MemorySegment buffer, long base) {
        return Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, base)) >>> 4 == 4;
    }

    /** The length of the IP header at {@code base}: IPv4's header length, or IPv6's fixed header. */
    public static int ipLength(MemorySegment buffer, long base) {
        return isIpv4(buffer, base)
                ? (Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, base)) & 0x0F) * 4
                : Ipv6Header.LENGTH;
    }

    /** The transport protocol of the IP header at {@code base} (IPv6 without extension headers). */
    public static int protocol(MemorySegment buffer, long base) {
        return Byte.toUnsignedInt(buffer.get(
                ValueLayout.JAVA_BYTE, base + (isIpv4(buffer, base) ? Ipv4Header.PROTOCOL : Ipv6Header.NEXT_HEADER)));
    }

    /** Where the checksum field of a TCP or UDP header that starts at {@code transport} lies. */
    public static long checksumField(long transport, int protocol) {
        return transport + (protocol == PROTOCOL_TCP ? 16 : 6);
    }
}
