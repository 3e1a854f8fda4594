package org.nbl4j.io.capture;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One IP packet of a capture, copied onto the heap: the convenient form for tests and tools. The data path reads with
 * {@link CaptureReader#readInto} instead, which allocates nothing.
 *
 * @param interfaceId the capture interface it was seen on ({@link CaptureInterface#id()})
 * @param timestampNanos when it was captured, in nanoseconds since the epoch (0 for a pcapng Simple Packet Block,
 *     which has no timestamp)
 * @param originalLength the IP packet's length on the wire; longer than the data when the capture cut it short
 * @param data the IP packet's bytes as captured, from the first byte of the IP header
 */
public record CapturedPacket(int interfaceId, long timestampNanos, int originalLength, byte[] data) {

    /** Copies {@code data}, so that the record stays unchanged. */
    public CapturedPacket {
        if (originalLength < data.length) {
            throw new IllegalArgumentException(
                    "original length " + originalLength + " is shorter than the " + data.length + " captured bytes");
        }
        data = data.clone();
    }

    /** A copy of the packet's bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The packet's bytes as a read-only segment over the record's own copy. */
    public MemorySegment segment() {
        return MemorySegment.ofArray(data).asReadOnly();
    }

    /** The number of captured bytes. */
    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedPacket that
                && interfaceId == that.interfaceId
                && timestampNanos == that.timestampNanos
                && originalLength == that.originalLength
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * interfaceId + Long.hashCode(timestampNanos)) + originalLength) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CapturedPacket[interface " + interfaceId + ", " + timestampNanos + " ns, " + data.length + "/"
                + originalLength + " bytes " + HexFormat.of().formatHex(data, 0, Math.min(data.length, 64))
                + (data.length > 64 ? "...]" : "]");
    }
}
