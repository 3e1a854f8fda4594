package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/**
 * The IP header the host role puts in front of a transport packet: the one a transport send injection gets
 * ({@code FwpsInjectTransportSendAsync0/1}) and the one {@code FwpsConstructIpHeaderForTransportPacket0} builds or
 * rebuilds for a callout (wfp-callouts-and-injection §3.7, §6.2). IPv4: no options, Identification 0, DF set, TTL 128
 * (Windows' default), header checksum computed. IPv6: traffic class and flow label 0, hop limit 128, no extension
 * headers. The transport checksum is never touched: the caller leaves it as it wants it (docs/wfp.md, "Injection").
 */
public final class TransportPacketHeaders {
    /** Windows' default TTL and hop limit. */
    static final int DEFAULT_HOP_LIMIT = 128;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TransportPacketHeaders() {}

    /** The length of the header this class writes for {@code family}. */
    static int length(AddressFamily family) {
        return family == AddressFamily.INET ? Ipv4Header.MINIMUM_LENGTH : Ipv6Header.LENGTH;
    }

    /**
     * Writes the header into {@code out} (its first {@link #length} bytes): from the source, given as the two halves
     * the flow table keeps (IPv4 in the low 32 bits of {@code sourceLow}), to {@code remote} (network order), for a
     * packet of {@code totalLength} bytes including this header.
     */
    static void write(
            MemorySegment out,
            AddressFamily family,
            int protocol,
            long sourceHigh,
            long sourceLow,
            byte[] remote,
            int totalLength) {
        if (family == AddressFamily.INET) {
            out.asSlice(0, Ipv4Header.MINIMUM_LENGTH).fill((byte) 0);
            out.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
            out.set(InternetChecksum.U16, 2, (short) totalLength);
            out.set(InternetChecksum.U16, 6, (short) 0x4000);
            out.set(ValueLayout.JAVA_BYTE, 8, (byte) DEFAULT_HOP_LIMIT);
            out.set(ValueLayout.JAVA_BYTE, 9, (byte) protocol);
            out.set(InternetChecksum.U32, 12, (int) sourceLow);
            MemorySegment.copy(remote, 0, out, ValueLayout.JAVA_BYTE, 16, 4);
            out.set(InternetChecksum.U16, 10, (short) InternetChecksum.compute(out, 0, Ipv4Header.MINIMUM_LENGTH));
        } else {
            out.asSlice(0, Ipv6Header.LENGTH).fill((byte) 0);
            out.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x60);
            out.set(InternetChecksum.U16, 4, (short) (totalLength - Ipv6Header.LENGTH));
            out.set(ValueLayout.JAVA_BYTE, 6, (byte) protocol);
            out.set(ValueLayout.JAVA_BYTE, 7, (byte) DEFAULT_HOP_LIMIT);
            out.set(U64, 8, sourceHigh);
            out.set(U64, 16, sourceLow);
            MemorySegment.copy(remote, 0, out, ValueLayout.JAVA_BYTE, 24, 16);
        }
    }

    /**
     * {@code FwpsConstructIpHeaderForTransportPacket0}: gives the NBL's one NB a new IP header from {@code source} to
     * {@code remote} (network order). With {@code headerIncludeHeaderLength} 0 the NB starts at its transport header
     * and the header goes into the headroom in front of it; otherwise the NB starts at an IP header of that length,
     * which is replaced (IPv4 options and IPv6 extension headers are dropped; Windows keeps IPv4 options). The NB then
     * starts at the new header.
     *
     * @return STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (more than one NB, addresses of another length, a header
     *     length longer than the data, or too little headroom: Windows would chain a new buffer), the NB unchanged
     */
    public static int construct(
            NetBufferList nbl,
            int headerIncludeHeaderLength,
            AddressFamily family,
            byte[] source,
            byte[] remote,
            int protocol) {
        NetBuffer nb = nbl.firstNetBuffer();
        int addressLength = family == AddressFamily.INET ? 4 : 16;
        int header = length(family);
        if (nb == null
                || nb.next() != null
                || source.length != addressLength
                || remote.length != addressLength
                || headerIncludeHeaderLength < 0
                || headerIncludeHeaderLength > nb.dataLength()
                || nb.dataOffset() + headerIncludeHeaderLength < header
                || nb.dataLength() - headerIncludeHeaderLength + header > 0xFFFF) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (headerIncludeHeaderLength > 0) {
            nb.advance(headerIncludeHeaderLength, false, null);
        }
        nb.retreat(header, 0, null);
        PathScratch.Frame frame = PathScratch.enter();
        try {
            write(frame.window, family, protocol, high(source), low(source), remote, nb.dataLength());
            nb.copyFrom(0, frame.window, 0, header);
        } finally {
            PathScratch.exit(frame);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** The high 64 bits of an IPv6 address, 0 for IPv4. */
    private static long high(byte[] address) {
        return address.length == 16 ? bits(address, 0) : 0;
    }

    /** The low 64 bits of an IPv6 address, or an IPv4 address in the low 32 bits. */
    private static long low(byte[] address) {
        return address.length == 16 ? bits(address, 8) : bits(address, 0) >>> 32;
    }

    /** Eight bytes from {@code from} (or fewer, at the end of the array), big-endian, left-aligned. */
    private static long bits(byte[] address, int from) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            int at = from + i;
            value = value << 8 | (at < address.length ? address[at] & 0xFF : 0);
        }
        return value;
    }
}
