package org.nbl4j.stack.ip;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * Software segmentation of a coalesced packet (an RSC indication, a TCP or UDP super-packet) into packets of at most
 * {@code mss} payload bytes: what a NIC does for an LSO send, and what Linux's GSO does when the egress cannot. The
 * segments are cut the way Linux cuts them ({@code tcp_gso_segment} in net/ipv4/tcp_offload.c,
 * {@code inet_gso_segment} in net/ipv4/af_inet.c, {@code ipv6_gso_segment}):
 *
 * <ul>
 *   <li>every segment carries the original's IP and TCP (or UDP) headers, options included;
 *   <li>IPv4: Total Length per segment, Identification the original's plus the segment's index (mod 2^16), header
 *       checksum recomputed; IPv6: Payload Length per segment;
 *   <li>TCP: Sequence Number advanced by the payload before the segment; FIN and PSH only on the last segment, CWR
 *       only on the first; UDP: Length per segment;
 *   <li>the TCP or UDP checksum computed in full over each segment (a UDP result of 0 is sent as 0xFFFF), whatever
 *       the original's field held (a partial sum, as a coalesced packet's may).
 * </ul>
 *
 * <p>{@link #segmentForSend} cuts without copying the payload: one {@code NdisAllocateFragmentNetBufferList} call, one
 * NB per segment with fresh header space in front (as {@link Fragmenter} does), the NBL a child of the original.
 * {@link #segmentCopies} copies each segment into a packet of the layer's own, one NBL each, for the receive path,
 * which takes one packet per NBL.
 */
final class Segmenter implements AutoCloseable {
    /** The longest IP header (IPv4 with options) and TCP header (with options) together. */
    static final int MAXIMUM_HEADERS = 60 + 60;

    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;

    /** Per thread: the original's headers, read once per coalesced packet. */
    private static final ThreadLocal<MemorySegment> HEADERS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(MAXIMUM_HEADERS, 8));

    private final NetBufferListPool segmentNbls;
    private final NetBufferPool segmentNbs;
    private final NblHolds holds;
    private final GeneratedPackets generatedPackets;
    private final IpCounters counters;

    Segmenter(Ndis ndis, NblHolds holds, GeneratedPackets generatedPackets, IpCounters counters) {
        NetBufferListPool nbls =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, IpPoolTags.SEGMENT_NBLS, 0));
        NetBufferPool nbs = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(IpPoolTags.SEGMENT_NBS, 0));
        if (nbls == null || nbs == null) {
            throw new IllegalStateException("the IP layer's segment pools could not be made");
        }
        this.segmentNbls = nbls;
        this.segmentNbs = nbs;
        this.holds = holds;
        this.generatedPackets = generatedPackets;
        this.counters = counters;
    }

    /**
     * The length of a coalescable packet's IP and transport headers (IPv4 with options, or IPv6 without extension
     * headers, then TCP or UDP), read into this thread's header scratch; 0 if the packet is not one.
     */
    static int headersLength(NetBuffer nb) {
        MemorySegment headers = HEADERS.get();
        int length = nb.dataLength();
        int copied = nb.copyTo(0, headers, 0, Math.min(length, MAXIMUM_HEADERS));
        if (copied < Ipv4Header.MINIMUM_LENGTH) {
            return 0;
        }
        int first = Byte.toUnsignedInt(headers.get(ValueLayout.JAVA_BYTE, 0));
        int ipLength;
        int protocol;
        if (first >>> 4 == 4) {
            ipLength = (first & 0x0F) * 4;
            protocol = Byte.toUnsignedInt(headers.get(ValueLayout.JAVA_BYTE, Ipv4Header.PROTOCOL));
        } else if (first >>> 4 == 6) {
            ipLength = Ipv6Header.LENGTH;
            protocol = Byte.toUnsignedInt(headers.get(ValueLayout.JAVA_BYTE, Ipv6Header.NEXT_HEADER));
        } else {
            return 0;
        }
        int transport;
        if (ipLength > copied) {
            return 0;
        } else if (protocol == PROTOCOL_TCP && ipLength + 13 < copied) {
            transport = (Byte.toUnsignedInt(headers.get(ValueLayout.JAVA_BYTE, ipLength + 12)) >>> 4) * 4;
        } else if (protocol == PROTOCOL_UDP) {
            transport = 8;
        } else {
            return 0;
        }
        int total = ipLength + transport;
        return transport >= 8 && total <= copied ? total : 0;
    }

    /**
     * Where a coalesced packet with {@code payload} bytes after its headers is cut: the sender's segment size where the
     * miniport carried it ({@link OffloadInfo#coalescedSegmentSize}, nbl4j's, which Linux's GSO cuts at) and it agrees
     * with {@code CoalescedSegCount}; otherwise, as NDIS's RSC info carries no MSS, the largest segment of an even
     * split into {@code CoalescedSegCount}, which is never larger than the sender's.
     */
    static int segmentSize(NetBufferList nbl, int payload) {
        int segments = OffloadInfo.coalescedSegmentCount(nbl);
        int carried = OffloadInfo.coalescedSegmentSize(nbl);
        if (carried != 0 && OffloadInfo.segmentCount(payload, carried) == segments) {
            return carried;
        }
        return Math.max(1, (payload + segments - 1) / Math.max(1, segments));
    }

    /**
     * Cuts a coalesced packet into segments of at most {@code mss} payload bytes without copying the payload.
     *
     * @param headers the packet's header length, from {@link #headersLength} on this thread just before
     * @return the segment NBL (one NB per segment), held once for the caller, who must release it; or null if an
     *     allocation failed
     */
    @Nullable
    NetBufferList segmentForSend(NetBufferList original, int headers, int mss) {
        NetBuffer nb = original.firstNetBuffer();
        NetBufferList segments = original.allocateFragment(segmentNbls, segmentNbs, headers, mss, headers, 0, 0);
        if (segments == null) {
            return null;
        }
        holds.adoptChild(segments, original, headers);
        MemorySegment template = HEADERS.get();
        int count = 0;
        for (NetBuffer segment = segments.firstNetBuffer(); segment != null; segment = segment.next()) {
            count++;
        }
        int index = 0;
        int offset = 0;
        for (NetBuffer segment = segments.firstNetBuffer(); segment != null; segment = segment.next()) {
            int size = segment.dataLength() - headers;
            writeHeaders(template, segment, headers, index, count, offset, size);
            index++;
            offset += size;
        }
        counters.add(IpCounters.SEGMENTS_CREATED, count);
        return segments;
    }

    /**
     * Copies a coalesced packet out as segments of at most {@code mss} payload bytes, one packet of the layer's own
     * per segment, each adopted as {@link NblRole#GENERATED}.
     *
     * @param headers the packet's header length, from {@link #headersLength} on this thread just before
     * @return the chain of segments, or null if memory ran out (nothing is left allocated then)
     */
    @Nullable
    NetBufferList segmentCopies(NetBufferList original, int headers, int mss) {
        NetBuffer nb = original.firstNetBuffer();
        int payload = nb.dataLength() - headers;
        int count = OffloadInfo.segmentCount(payload, mss);
        MemorySegment template = HEADERS.get();
        NetBufferList head = null;
        NetBufferList tail = null;
        for (int index = 0; index < count; index++) {
            int offset = index * mss;
            int size = Math.min(mss, payload - offset);
            NetBufferList copy = generatedPackets.allocate(headers + size, IpPoolTags.SEGMENT_COPY);
            if (copy == null) {
                freeCopies(head);
                return null;
            }
            NetBuffer segment = copy.firstNetBuffer();
            NetBuffer.copy(segment, headers, size, nb, headers + offset);
            writeHeaders(template, segment, headers, index, count, offset, size);
            holds.adopt(copy, NblRole.GENERATED, copy.protocolReserved()[NblHolds.SLOT_TARGET]);
            if (tail == null) {
                head = copy;
            } else {
                tail.setNext(copy);
            }
            tail = copy;
        }
        counters.add(IpCounters.SEGMENTS_CREATED, count);
        return head;
    }

    private void freeCopies(@Nullable NetBufferList chain) {
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            nbl.setNext(null);
            holds.release(nbl, false);
            nbl = next;
        }
    }

    /**
     * Writes the original's headers ({@code template}) in front of segment {@code index} of {@code count}, whose
     * payload starts {@code offset} bytes into the original's and is {@code size} long, fixes them for it and computes
     * its transport checksum. The header space is addressed in its MDL's buffer directly: a view of it per segment
     * would be a heap object per segment.
     */
    static void writeHeaders(
            MemorySegment template, NetBuffer segment, int headers, int index, int count, int offset, int size) {
        Mdl mdl = segment.currentMdl();
        if (!MdlCursor.inOneMdl(mdl, segment.currentMdlOffset(), headers)) {
            throw new IllegalStateException("segment header space is not contiguous: " + segment);
        }
        MemorySegment buffer = mdl.buffer();
        long base = mdl.bufferOffset() + segment.currentMdlOffset();
        MemorySegment.copy(template, 0, buffer, base, headers);
        long sum = SegmentHeaders.fix(buffer, base, headers, index, index == 0, index == count - 1, offset, size);
        int ipLength = SegmentHeaders.ipLength(buffer, base);
        int protocol = SegmentHeaders.protocol(buffer, base);
        int transportLength = headers - ipLength + size;
        long transport = base + ipLength;
        Mdl payload = mdl.next();
        if (segment.currentMdlOffset() + headers == mdl.byteCount() && MdlCursor.inOneMdl(payload, 0, size)) {
            // The usual shape (fresh header space, then one run of the original's payload): summed without a cursor,
            // which the JIT does not always keep off the heap. The transport header's length is even.
            sum = InternetChecksum.add(sum, buffer, transport, headers - ipLength);
            sum = InternetChecksum.add(sum, payload.buffer(), payload.bufferOffset(), size);
        } else {
            sum = NetBufferBytes.checksum(segment, ipLength, transportLength, sum);
        }
        int checksum = InternetChecksum.finish(sum);
        if (checksum == 0 && protocol == PROTOCOL_UDP) {
            checksum = 0xFFFF;
        }
        buffer.set(InternetChecksum.U16, SegmentHeaders.checksumField(transport, protocol), (short) checksum);
    }

    @Override
    public void close() {
        segmentNbls.close();
        segmentNbs.close();
    }
}
