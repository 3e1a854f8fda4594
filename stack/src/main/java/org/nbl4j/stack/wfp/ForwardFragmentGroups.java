package org.nbl4j.stack.wfp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * {@code FwpsReassembleForwardFragmentGroup0} (§2.9): turns the fragment group indicated at IPFORWARD (an NBL chain,
 * one fragment per NBL, each starting at its IP header) into one NBL with one NB: a new IP header for the whole
 * datagram followed by MDLs that describe the fragments' payloads in place, without copying. The result holds a WFP
 * reference on every fragment and is freed with {@code FwpsFreeNetBufferList0}, which drops them.
 *
 * <p>This runs once per fragment group, not per packet: its bookkeeping allocates.
 */
final class ForwardFragmentGroups {
    /** The pool tag of the rebuilt IP headers (nbl4j's choice). */
    static final PoolTag HEADER_TAG = PoolTag.of("Wfph");

    private static final int IPV6_HEADER = 40;
    private static final int IPV6_FRAGMENT_HEADER = 44;

    /** One fragment: where its payload starts in its NB, how long it is, and where it goes in the datagram. */
    private record Piece(NetBuffer nb, int payloadStart, int payloadLength, int offset, boolean more) {}

    private ForwardFragmentGroups() {}

    /**
     * @param pool an NBL pool with NBs and no data, {@code null} for NDIS's default
     * @param dataBackFill unused bytes to leave in front of the new IP header
     * @throws FwpStatusException STATUS_FWP_TCPIP_NOT_READY, STATUS_INVALID_PARAMETER (non-zero flags, a chain that
     *     is not one complete fragment group of {@code family}), STATUS_INSUFFICIENT_RESOURCES
     */
    static NetBufferList reassemble(
            WfpBuffers buffers,
            AddressFamily family,
            NetBufferList fragmentGroup,
            @Nullable NetBufferListPool pool,
            int dataBackFill,
            int flags) {
        if (buffers.faults().tcpipNotReady()) {
            throw new FwpStatusException(NtStatus.STATUS_FWP_TCPIP_NOT_READY, "fault switch");
        }
        if (flags != 0 || dataBackFill < 0) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, "flags must be 0, backfill >= 0");
        }
        Ndis ndis = buffers.ndis();
        NetBufferListPool target = pool != null ? pool : ndis.defaultNetBufferListPool();
        if (!target.parameters().allocateNetBuffer() || target.isDataPool()) {
            throw new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, target + " must have NBs and no data");
        }
        List<Piece> pieces = new ArrayList<>();
        byte[] firstHeader = null;
        for (NetBufferList nbl = fragmentGroup; nbl != null; nbl = nbl.next()) {
            NetBuffer nb = nbl.firstNetBuffer();
            if (nb == null) {
                throw invalid("a fragment NBL without an NB");
            }
            byte[] header = family == AddressFamily.INET ? ipv4Piece(nb, pieces) : ipv6Piece(nb, pieces);
            if (pieces.getLast().offset() == 0) {
                firstHeader = header;
            }
        }
        pieces.sort(Comparator.comparingInt(Piece::offset));
        int expected = 0;
        for (Piece piece : pieces) {
            if (piece.offset() != expected) {
                throw invalid("the fragments do not cover the datagram (gap or overlap at " + expected + ")");
            }
            expected += piece.payloadLength();
        }
        if (firstHeader == null || pieces.getLast().more()) {
            throw invalid("the first or the last fragment is missing");
        }
        int payload = expected;
        byte[] header =
                family == AddressFamily.INET ? ipv4Header(firstHeader, payload) : ipv6Header(firstHeader, payload);
        MemoryBlock block = ndis.memory().allocate(HEADER_TAG, dataBackFill + header.length);
        if (block == null) {
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "header buffer");
        }
        MemorySegment.copy(header, 0, block.segment(), ValueLayout.JAVA_BYTE, dataBackFill, header.length);
        Mdl head = ndis.mdls().describe(block.segment(), 0, dataBackFill + header.length, MdlOrigin.CALLER, block);
        Mdl tail = head;
        for (Piece piece : pieces) {
            tail = appendPartials(ndis, tail, piece.nb(), piece.payloadStart(), piece.payloadLength());
        }
        NetBufferList whole =
                target.allocateNetBufferAndNetBufferList(0, 0, head, dataBackFill, header.length + payload);
        if (whole == null) {
            freeChain(ndis, head);
            throw new FwpStatusException(NtStatus.STATUS_INSUFFICIENT_RESOURCES, "reassembled NBL");
        }
        WfpInfoContainers containers = buffers.containers();
        WfpInfoContainer container = containers.attach(whole);
        container.kind = WfpNblKind.REASSEMBLED_GROUP;
        container.structure.record(whole);
        WfpInfoContainer source = containers.find(fragmentGroup);
        if (source != null) {
            container.inheritHistory(source);
        }
        NetBufferList[] fragments = new NetBufferList[pieces.size()];
        int count = 0;
        for (NetBufferList nbl = fragmentGroup; nbl != null; nbl = nbl.next()) {
            buffers.referenceNetBufferList(nbl, false);
            fragments[count++] = nbl;
        }
        container.fragments = fragments;
        return whole;
    }

    /** FwpsFreeNetBufferList0 of a reassembled group: its MDLs and header, the NBL, then the fragment references. */
    static void free(WfpBuffers buffers, NetBufferList whole, WfpInfoContainer container) {
        NetBufferList[] fragments = container.fragments;
        Mdl head = container.structure.recordedMdlChain(0);
        boolean dispatch = Irql.current() == Irql.DISPATCH_LEVEL;
        whole.free();
        if (head != null) {
            freeChain(buffers.ndis(), head);
        }
        if (fragments != null) {
            for (NetBufferList nbl : fragments) {
                buffers.dereferenceNetBufferList(nbl, dispatch);
            }
        }
    }

    private static byte[] ipv4Piece(NetBuffer nb, List<Piece> pieces) {
        byte[] fixed = read(nb, 0, 20);
        if (((fixed[0] & 0xFF) >> 4) != 4) {
            throw invalid("not an IPv4 packet");
        }
        int headerLength = (fixed[0] & 0x0F) * 4;
        int totalLength = unsigned16(fixed, 2);
        int flagsAndOffset = unsigned16(fixed, 6);
        if (headerLength < 20 || totalLength < headerLength || totalLength > nb.dataLength()) {
            throw invalid("a malformed IPv4 fragment");
        }
        pieces.add(new Piece(
                nb,
                headerLength,
                totalLength - headerLength,
                (flagsAndOffset & 0x1FFF) * 8,
                (flagsAndOffset & 0x2000) != 0));
        return read(nb, 0, headerLength);
    }

    private static byte[] ipv4Header(byte[] first, int payload) {
        byte[] header = first.clone();
        int total = header.length + payload;
        if (total > 0xFFFF) {
            throw invalid("the datagram would exceed 65535 bytes");
        }
        put16(header, 2, total);
        put16(header, 6, unsigned16(header, 6) & 0x4000); // keep DF, clear MF and the offset
        put16(header, 10, 0);
        put16(header, 10, checksum(header));
        return header;
    }

    /** Walks the extension headers to the Fragment header (RFC 8200 §4.5); returns the unfragmentable part. */
    private static byte[] ipv6Piece(NetBuffer nb, List<Piece> pieces) {
        byte[] fixed = read(nb, 0, IPV6_HEADER);
        if (((fixed[0] & 0xFF) >> 4) != 6) {
            throw invalid("not an IPv6 packet");
        }
        int next = fixed[6] & 0xFF;
        int at = IPV6_HEADER;
        int nextHeaderField = 6;
        while (next == 0 || next == 43 || next == 60) {
            byte[] extension = read(nb, at, 2);
            nextHeaderField = at;
            next = extension[0] & 0xFF;
            at += ((extension[1] & 0xFF) + 1) * 8;
        }
        if (next != IPV6_FRAGMENT_HEADER) {
            throw invalid("an IPv6 packet without a Fragment header");
        }
        byte[] fragment = read(nb, at, 8);
        int offsetAndFlags = unsigned16(fragment, 2);
        int payloadLength = unsigned16(fixed, 4);
        int end = IPV6_HEADER + payloadLength;
        if (end > nb.dataLength() || end < at + 8) {
            throw invalid("a malformed IPv6 fragment");
        }
        pieces.add(new Piece(nb, at + 8, end - at - 8, offsetAndFlags & 0xFFF8, (offsetAndFlags & 1) != 0));
        byte[] unfragmentable = read(nb, 0, at);
        unfragmentable[nextHeaderField] = fragment[0];
        return unfragmentable;
    }

    private static byte[] ipv6Header(byte[] unfragmentable, int payload) {
        byte[] header = unfragmentable.clone();
        int payloadLength = header.length - IPV6_HEADER + payload;
        if (payloadLength > 0xFFFF) {
            throw invalid("the datagram would exceed a 65535-byte payload");
        }
        put16(header, 4, payloadLength);
        return header;
    }

    /** Appends partial MDLs over {@code length} bytes of {@code nb}'s data from {@code skip}; returns the new tail. */
    private static Mdl appendPartials(Ndis ndis, Mdl tail, NetBuffer nb, int skip, int length) {
        MdlCursor runs = new MdlCursor();
        for (boolean more = runs.seek(nb.currentMdl(), (long) nb.currentMdlOffset() + skip, length);
                more;
                more = runs.next()) {
            Mdl part = runs.partial(ndis.mdls(), MdlOrigin.REASSEMBLY_PARTIAL);
            tail.setNext(part);
            tail = part;
        }
        return tail;
    }

    /** Frees the header MDL with its buffer and every partial MDL after it. */
    private static void freeChain(Ndis ndis, Mdl head) {
        Mdl rest = head.next();
        ndis.mdls().freeWithMemory(head);
        while (rest != null) {
            Mdl following = rest.next();
            ndis.mdls().free(rest);
            rest = following;
        }
    }

    private static byte[] read(NetBuffer nb, int offset, int length) {
        if (offset + length > nb.dataLength()) {
            throw invalid("a fragment shorter than its headers");
        }
        byte[] all = nb.toByteArray();
        byte[] part = new byte[length];
        System.arraycopy(all, offset, part, 0, length);
        return part;
    }

    private static int checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < header.length; i += 2) {
            sum += unsigned16(header, i);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static int unsigned16(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    private static void put16(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >> 8);
        bytes[at + 1] = (byte) value;
    }

    private static FwpStatusException invalid(String detail) {
        return new FwpStatusException(NtStatus.STATUS_INVALID_PARAMETER, detail);
    }
}
