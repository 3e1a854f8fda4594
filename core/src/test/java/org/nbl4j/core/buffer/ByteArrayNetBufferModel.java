package org.nbl4j.core.buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reference model of one NET_BUFFER: the logical concatenation of its MDL chain as a plain {@code byte[]}, the MDL
 * boundaries inside it, and {@code DataOffset}/{@code DataLength}.
 *
 * <p>Every operation is written straight from the algorithms of ndis-buffers §3.3, §3.4 and §3.8, in terms of
 * logical offsets only, so that it shares no code with {@link NetBuffer}. {@link NetBufferModelProperties} runs both
 * side by side and compares them after every step.
 */
final class ByteArrayNetBufferModel {

    /** Who made the MDL a segment stands for. */
    enum Origin {
        /** An MDL the test allocated over its own memory with {@code NdisAllocateMdl}. */
        CALLER,
        /** An MDL (and buffer) NDIS's default allocator made for a slow-path retreat. */
        RETREAT
    }

    /**
     * One MDL of the chain.
     *
     * @param size its {@code ByteCount}
     * @param origin who made it
     * @param callerIndex for a {@link Origin#CALLER} MDL, its position in the chain the NB was built over; else -1
     */
    record Segment(int size, Origin origin, int callerIndex) {}

    private final List<Segment> segments = new ArrayList<>();
    private byte[] chain;
    private int dataOffset;
    private int dataLength;

    /** The model of an NB built over caller MDLs with the given contents, at the given offset and length. */
    ByteArrayNetBufferModel(List<byte[]> callerMdlContents, int dataOffset, int dataLength) {
        int total = 0;
        for (byte[] contents : callerMdlContents) {
            total += contents.length;
        }
        chain = new byte[total];
        int at = 0;
        for (int i = 0; i < callerMdlContents.size(); i++) {
            byte[] contents = callerMdlContents.get(i);
            System.arraycopy(contents, 0, chain, at, contents.length);
            at += contents.length;
            segments.add(new Segment(contents.length, Origin.CALLER, i));
        }
        if (dataOffset < 0 || dataLength < 0 || (long) dataOffset + dataLength > total) {
            throw new IllegalArgumentException("data [" + dataOffset + ", +" + dataLength + ") outside " + total);
        }
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
    }

    int dataOffset() {
        return dataOffset;
    }

    int dataLength() {
        return dataLength;
    }

    /** The owner sets {@code DataLength} by hand ({@code NET_BUFFER_DATA_LENGTH(nb) = length}); I1 must still hold. */
    void setDataLength(int length) {
        if (length < 0 || (long) dataOffset + length > chain.length) {
            throw new IllegalArgumentException("DataLength " + length + " breaks I1 in " + this);
        }
        dataLength = length;
    }

    /** Σ ByteCount over the chain. */
    int chainLength() {
        return chain.length;
    }

    /** The whole logical chain: headroom, used data and tail slack. */
    byte[] chainBytes() {
        return chain.clone();
    }

    /** The used data: {@code chain[DataOffset, DataOffset + DataLength)}. */
    byte[] usedBytes() {
        return Arrays.copyOfRange(chain, dataOffset, dataOffset + dataLength);
    }

    /** The MDLs of the chain, head first. */
    List<Segment> segments() {
        return List.copyOf(segments);
    }

    /** The {@code ByteCount}s of the chain, head first. */
    List<Integer> segmentSizes() {
        return segments.stream().map(Segment::size).toList();
    }

    /** The bytes of the leading MDLs that retreats prepended: where the caller's own chain starts. */
    int retreatPrefixLength() {
        int length = 0;
        for (Segment segment : segments) {
            if (segment.origin() != Origin.RETREAT) {
                break;
            }
            length += segment.size();
        }
        return length;
    }

    /**
     * The size of the MDL a retreat by {@code delta} would allocate, or 0 if it takes the fast path (§3.3): the
     * shortfall plus the back-fill, {@code backFill + delta - DataOffset}, not {@code delta + backFill}.
     */
    int retreatAllocationSize(int delta, int backFill) {
        return dataOffset >= delta ? 0 : backFill + delta - dataOffset;
    }

    /**
     * {@code NdisRetreatNetBufferDataStart} (§3.3). On the slow path {@code newMdlContents} (exactly
     * {@link #retreatAllocationSize} bytes: whatever the caller put into the new MDL) is prepended to the chain, the
     * old headroom stays in place behind it and becomes the tail of the newly exposed bytes, and {@code DataOffset}
     * becomes {@code size - delta}, i.e. the back-fill.
     *
     * @return whether the slow path was taken
     */
    boolean retreat(int delta, int backFill, byte[] newMdlContents) {
        int size = retreatAllocationSize(delta, backFill);
        if (size == 0) {
            if (newMdlContents.length != 0) {
                throw new IllegalArgumentException("a fast-path retreat allocates nothing");
            }
            dataOffset -= delta;
            dataLength += delta;
            return false;
        }
        if (newMdlContents.length != size) {
            throw new IllegalArgumentException("the new MDL has " + size + " bytes, not " + newMdlContents.length);
        }
        byte[] grown = new byte[size + chain.length];
        System.arraycopy(newMdlContents, 0, grown, 0, size);
        System.arraycopy(chain, 0, grown, size, chain.length);
        chain = grown;
        segments.addFirst(new Segment(size, Origin.RETREAT, -1));
        dataOffset += size - delta;
        dataLength += delta;
        return true;
    }

    /**
     * {@code NdisAdvanceNetBufferDataStart} (§3.4). With {@code freeMdl} every leading MDL whose bytes now lie wholly
     * in the unused space is unlinked (and freed by NDIS), whoever made it: a zero-length head MDL always goes, and so
     * do caller MDLs, not only retreat MDLs.
     *
     * @return the MDLs NDIS frees, head first
     */
    List<Segment> advance(int delta, boolean freeMdl) {
        if (delta < 0 || delta > dataLength) {
            throw new IllegalArgumentException("advance by " + delta + " with DataLength " + dataLength);
        }
        dataOffset += delta;
        dataLength -= delta;
        List<Segment> freed = new ArrayList<>();
        if (freeMdl) {
            int dropped = 0;
            while (!segments.isEmpty() && segments.getFirst().size() <= dataOffset) {
                Segment head = segments.removeFirst();
                dataOffset -= head.size();
                dropped += head.size();
                freed.add(head);
            }
            chain = Arrays.copyOfRange(chain, dropped, chain.length);
        }
        return freed;
    }

    /**
     * Writes {@code bytes} from {@code offset} past the data start, bounded by the end of the chain (not by
     * {@code DataLength}).
     *
     * @return how many bytes were written
     */
    int write(int offset, byte[] bytes) {
        long start = (long) dataOffset + offset;
        if (start >= chain.length) {
            return 0;
        }
        int count = (int) Math.min(bytes.length, chain.length - start);
        System.arraycopy(bytes, 0, chain, (int) start, count);
        return count;
    }

    /**
     * {@code NdisCopyFromNetBufferToNetBuffer} (§3.8): copies {@code min(bytesToCopy, bytes left in the source chain,
     * bytes left in the destination chain)}, each counted from that NB's data start plus its offset. Neither model's
     * {@code DataOffset} or {@code DataLength} changes.
     *
     * @return the number of bytes copied
     */
    static int copy(
            ByteArrayNetBufferModel destination,
            int destinationOffset,
            int bytesToCopy,
            ByteArrayNetBufferModel source,
            int sourceOffset) {
        long sourceStart = (long) source.dataOffset + sourceOffset;
        long destinationStart = (long) destination.dataOffset + destinationOffset;
        long count = Math.min(
                bytesToCopy, Math.min(source.chain.length - sourceStart, destination.chain.length - destinationStart));
        if (count <= 0) {
            return 0;
        }
        System.arraycopy(source.chain, (int) sourceStart, destination.chain, (int) destinationStart, (int) count);
        return (int) count;
    }

    /**
     * Whether the first {@code bytesNeeded} bytes of the data lie in the single MDL the data starts in, which is when
     * {@code NdisGetDataBuffer} (§3.7, with AlignMultiple 1) returns a view instead of copying.
     */
    boolean dataPrefixIsContiguous(int bytesNeeded) {
        int segmentStart = 0;
        for (Segment segment : segments) {
            int segmentEnd = segmentStart + segment.size();
            if (dataOffset < segmentEnd) {
                return dataOffset + bytesNeeded <= segmentEnd;
            }
            segmentStart = segmentEnd;
        }
        return false;
    }

    /**
     * The sizes of the partial MDLs that describe {@code length} bytes from {@code skip} bytes past the data start:
     * one per MDL touched, empty MDLs skipped (what clone, fragment and reassembly build, §5.2 - §5.4).
     */
    List<Integer> partialMdlSizes(int skip, int length) {
        List<Integer> sizes = new ArrayList<>();
        int start = dataOffset + skip;
        int end = start + length;
        int segmentStart = 0;
        for (Segment segment : segments) {
            int segmentEnd = segmentStart + segment.size();
            int run = Math.min(end, segmentEnd) - Math.max(start, segmentStart);
            if (run > 0) {
                sizes.add(run);
            }
            segmentStart = segmentEnd;
        }
        return sizes;
    }

    @Override
    public String toString() {
        return "model[DataOffset=" + dataOffset + ", DataLength=" + dataLength + ", MDLs=" + segmentSizes() + "]";
    }
}
