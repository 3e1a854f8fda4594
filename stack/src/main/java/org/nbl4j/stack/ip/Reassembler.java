package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.MemoryBlock;

/**
 * IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) reassembly of fragments addressed to this host. Fragments are keyed
 * by (compartment, family, source, destination, identification, IPv4 protocol). Each fragment's payload is copied
 * into a piece of tagged memory ({@link IpPoolTags#REASSEMBLY_PIECE}), so the fragment's NBL goes back to its
 * adapter at once; the complete datagram is copied into one new NBL ({@link IpPoolTags#REASSEMBLED}).
 *
 * <p>Rules chosen here: an overlap between two fragments drops the whole datagram and every later fragment of it
 * until its time runs out (RFC 5722 for IPv6; the same for IPv4, where RFC 791 would allow overwriting, because
 * overlaps are an attack vector); an exact duplicate is ignored (RFC 8200 §4.5 allows that). The table is bounded in
 * bytes held and datagrams; a fragment that does not fit is dropped and its datagram left to time out. A datagram
 * older than the timeout is dropped when {@link #expire} runs, which the path calls for each arriving fragment and
 * the stack's user may call from a timer; if its first fragment had arrived, an ICMP Time Exceeded (code 1) goes to the
 * source. The table is shared by every receive queue and guarded by its monitor (fragments are not the hot path).
 */
final class Reassembler implements AutoCloseable {
    /** What became of one fragment. */
    enum Outcome {
        /** Held; the datagram is incomplete. */
        HELD,
        /** The datagram is complete: the frame's {@code completed} holds it, held once for the caller. */
        COMPLETED,
        /** The fragment overlaps another, or its datagram already did: all of it is dropped. */
        OVERLAP,
        /** The fragment would exceed the table's byte or datagram bound. */
        NO_MEMORY,
        /** The reassembled datagram would exceed the largest IP packet. */
        TOO_LONG
    }

    /** The reaction to a datagram that timed out. */
    interface TimeoutListener {
        /**
         * Called outside the table's lock, once per expired datagram whose first fragment had arrived.
         *
         * @param firstFragment the IP header and start of the first fragment, as a packet of its own (owned by the
         *     reassembler and freed after the call)
         */
        void timedOut(NetBufferList firstFragment, AddressFamily family, int compartmentId);
    }

    private static final class Piece {
        final int offset;
        final int length;
        final MemoryBlock block;

        Piece(int offset, int length, MemoryBlock block) {
            this.offset = offset;
            this.length = length;
            this.block = block;
        }
    }

    private static final class Datagram {
        final FragmentKey key;
        final long started;
        final List<Piece> pieces = new ArrayList<>();
        /** The payload's full length, once the last fragment arrived; -1 before. */
        int totalLength = -1;

        int received;
        /** The first fragment's header (IPv6: unfragmentable part), once it arrived. */
        byte @Nullable [] header;
        /** IPv6: where in {@link #header} the Next Header byte naming the fragment header is. */
        int nextHeaderField;
        /** IPv6: the upper-layer protocol, from the first fragment's fragment header. */
        int nextHeader;

        boolean poisoned;

        Datagram(int compartmentId, PacketFacts facts, long started) {
            this.key = FragmentKey.of(compartmentId, facts);
            this.started = started;
        }

        int heldBytes() {
            return received + (header == null ? 0 : header.length);
        }
    }

    private final Ndis ndis;
    private final GeneratedPackets generatedPackets;
    private final NblHolds holds;
    private final long timeoutNanos;
    private final long maximumBytes;
    private final int maximumDatagrams;
    private final List<Datagram> datagrams = new ArrayList<>();
    private long heldBytes;

    Reassembler(
            Ndis ndis,
            GeneratedPackets generatedPackets,
            NblHolds holds,
            long timeoutNanos,
            long maximumBytes,
            int maximumDatagrams) {
        this.ndis = ndis;
        this.generatedPackets = generatedPackets;
        this.holds = holds;
        this.timeoutNanos = timeoutNanos;
        this.maximumBytes = maximumBytes;
        this.maximumDatagrams = maximumDatagrams;
    }

    /**
     * Adds a fragment; its payload is copied, so the caller may let the fragment's NBL go.
     *
     * @param header the fragment's first bytes, at least {@code facts.headerLength} of them
     */
    synchronized Outcome add(
            int compartmentId,
            PacketFacts facts,
            MemorySegment header,
            NetBuffer nb,
            long now,
            PathScratch.Frame frame) {
        Datagram datagram = find(compartmentId, facts);
        if (datagram != null && datagram.poisoned) {
            return Outcome.OVERLAP;
        }
        int payload = facts.fragmentPayloadLength();
        int headerBytes = facts.fragmentOffset == 0 ? unfragmentableLength(facts) : 0;
        if (datagram == null) {
            if (datagrams.size() >= maximumDatagrams || heldBytes + payload + headerBytes > maximumBytes) {
                return Outcome.NO_MEMORY;
            }
            datagram = new Datagram(compartmentId, facts, now);
            datagrams.add(datagram);
        } else if (heldBytes + payload + headerBytes > maximumBytes) {
            return Outcome.NO_MEMORY;
        }
        int start = facts.fragmentOffset;
        int end = start + payload;
        int insertAt = 0;
        for (int i = 0; i < datagram.pieces.size(); i++) {
            Piece piece = datagram.pieces.get(i);
            if (piece.offset == start && piece.length == payload) {
                return Outcome.HELD;
            }
            if (start < piece.offset + piece.length && piece.offset < end) {
                poison(datagram);
                return Outcome.OVERLAP;
            }
            if (piece.offset < start) {
                insertAt = i + 1;
            }
        }
        if (!facts.moreFragments) {
            if (datagram.totalLength >= 0 && datagram.totalLength != end) {
                poison(datagram);
                return Outcome.OVERLAP;
            }
            datagram.totalLength = end;
        }
        if (datagram.totalLength >= 0 && end > datagram.totalLength) {
            poison(datagram);
            return Outcome.OVERLAP;
        }
        int limit = facts.family == AddressFamily.INET ? 0xFFFF : 0xFFFF + Ipv6Header.LENGTH;
        if (datagram.totalLength >= 0 && datagram.totalLength + unfragmentableLength(facts) > limit) {
            poison(datagram);
            return Outcome.TOO_LONG;
        }
        if (payload > 0) {
            MemoryBlock block = ndis.allocateMemoryWithTag(payload, IpPoolTags.REASSEMBLY_PIECE);
            if (block == null) {
                return Outcome.NO_MEMORY;
            }
            nb.copyTo(facts.headerLength, block.segment(), 0, payload);
            datagram.pieces.add(insertAt, new Piece(start, payload, block));
            datagram.received += payload;
            heldBytes += payload;
        }
        if (facts.fragmentOffset == 0 && datagram.header == null) {
            byte[] copy = new byte[headerBytes];
            MemorySegment.copy(header, ValueLayout.JAVA_BYTE, 0, copy, 0, headerBytes);
            datagram.header = copy;
            datagram.nextHeaderField = facts.fragmentNextHeaderField;
            datagram.nextHeader = facts.protocol;
            heldBytes += headerBytes;
        }
        if (datagram.header == null || datagram.totalLength < 0 || datagram.received != datagram.totalLength) {
            return Outcome.HELD;
        }
        NetBufferList whole = build(datagram);
        discard(datagram);
        if (whole == null) {
            return Outcome.NO_MEMORY;
        }
        frame.completed = whole;
        return Outcome.COMPLETED;
    }

    private static int unfragmentableLength(PacketFacts facts) {
        return facts.family == AddressFamily.INET ? facts.headerLength : facts.fragmentHeaderOffset;
    }

    private @Nullable Datagram find(int compartmentId, PacketFacts facts) {
        for (int i = 0; i < datagrams.size(); i++) {
            Datagram datagram = datagrams.get(i);
            if (datagram.key.matches(compartmentId, facts)) {
                return datagram;
            }
        }
        return null;
    }

    /** Builds the whole datagram from its header and pieces into a new NBL, or null when memory ran out. */
    private @Nullable NetBufferList build(Datagram datagram) {
        byte[] header = datagram.header;
        int headerLength = header.length;
        int length = headerLength + datagram.totalLength;
        NetBufferList whole = generatedPackets.allocate(length, IpPoolTags.REASSEMBLED);
        if (whole == null) {
            return null;
        }
        holds.adopt(whole, NblRole.GENERATED, whole.protocolReserved()[NblHolds.SLOT_TARGET]);
        MemorySegment out = whole.firstNetBuffer().getDataBuffer(length, null, 1, 0);
        MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 0, headerLength);
        for (Piece piece : datagram.pieces) {
            MemorySegment.copy(piece.block.segment(), 0, out, headerLength + piece.offset, piece.length);
        }
        if (datagram.key.family() == AddressFamily.INET) {
            Ipv4Header.setTotalLength(out, length);
            Ipv4Header.setFragmentWord(out, Ipv4Header.fragmentWord(out) & Ipv4Header.FLAG_DONT_FRAGMENT);
            Ipv4Header.updateChecksum(out, headerLength);
        } else {
            out.set(ValueLayout.JAVA_BYTE, datagram.nextHeaderField, (byte) datagram.nextHeader);
            Ipv6Header.setPayloadLength(out, length - Ipv6Header.LENGTH);
        }
        return whole;
    }

    /** Frees a datagram's pieces but keeps its entry, so later fragments of it are dropped too (RFC 5722). */
    private void poison(Datagram datagram) {
        freePieces(datagram);
        datagram.poisoned = true;
    }

    private void freePieces(Datagram datagram) {
        heldBytes -= datagram.heldBytes();
        for (Piece piece : datagram.pieces) {
            ndis.freeMemory(piece.block);
        }
        datagram.pieces.clear();
        datagram.received = 0;
        datagram.header = null;
    }

    private void discard(Datagram datagram) {
        freePieces(datagram);
        datagrams.remove(datagram);
    }

    /**
     * Drops every datagram older than the timeout at {@code now} (nanoseconds of the stack's clock).
     *
     * @return how many incomplete (not poisoned) datagrams were dropped
     */
    int expire(long now, TimeoutListener listener) {
        List<NetBufferList> reports = null;
        List<Datagram> reported = null;
        int expired = 0;
        synchronized (this) {
            for (int i = datagrams.size() - 1; i >= 0; i--) {
                Datagram datagram = datagrams.get(i);
                if (now - datagram.started < timeoutNanos) {
                    continue;
                }
                if (!datagram.poisoned) {
                    expired++;
                    NetBufferList first = firstFragment(datagram);
                    if (first != null) {
                        if (reports == null) {
                            reports = new ArrayList<>();
                            reported = new ArrayList<>();
                        }
                        reports.add(first);
                        reported.add(datagram);
                    }
                }
                discard(datagram);
            }
        }
        if (reports != null) {
            for (int i = 0; i < reports.size(); i++) {
                NetBufferList first = reports.get(i);
                Datagram datagram = reported.get(i);
                try {
                    listener.timedOut(first, datagram.key.family(), datagram.key.compartmentId());
                } finally {
                    generatedPackets.free(first);
                }
            }
        }
        return expired;
    }

    /** The first fragment's header and leading payload as a packet, for the ICMP error's quote; null if absent. */
    private @Nullable NetBufferList firstFragment(Datagram datagram) {
        byte[] header = datagram.header;
        if (header == null || datagram.pieces.isEmpty() || datagram.pieces.get(0).offset != 0) {
            return null;
        }
        Piece first = datagram.pieces.get(0);
        int length = header.length + first.length;
        NetBufferList packet = generatedPackets.allocate(length, IpPoolTags.REASSEMBLY_PIECE);
        if (packet == null) {
            return null;
        }
        MemorySegment out = packet.firstNetBuffer().getDataBuffer(length, null, 1, 0);
        MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 0, header.length);
        MemorySegment.copy(first.block.segment(), 0, out, header.length, first.length);
        return packet;
    }

    /** Datagrams in the table, complete or poisoned. */
    synchronized int datagrams() {
        return datagrams.size();
    }

    /** Bytes the table holds. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    @Override
    public synchronized void close() {
        for (Datagram datagram : datagrams) {
            freePieces(datagram);
        }
        datagrams.clear();
    }
}
