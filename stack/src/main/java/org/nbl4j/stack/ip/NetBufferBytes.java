package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.memory.Mdl;

/**
 * Copies between an NB's used data and a {@link MemorySegment}, walking the MDL chain from the data start: the
 * byte-range counterpart of {@code NdisCopyFromNetBufferToNetBuffer} for a destination or source that is plain
 * memory (a reassembly piece, a header scratch written back).
 */
final class NetBufferBytes {
    private NetBufferBytes() {}

    /** Copies {@code length} bytes from the NB's data at {@code offset}; returns how many there were. */
    static int copyOut(NetBuffer nb, int offset, MemorySegment destination, long destinationOffset, int length) {
        return walk(nb, offset, destination, destinationOffset, length, true);
    }

    /** Copies {@code length} bytes into the NB's data at {@code offset}; returns how many fitted. */
    static int copyIn(NetBuffer nb, int offset, MemorySegment source, long sourceOffset, int length) {
        return walk(nb, offset, source, sourceOffset, length, false);
    }

    /**
     * Adds {@code length} bytes of the NB's data at {@code offset} to a running Internet checksum sum
     * ({@link InternetChecksum#add}), across MDL boundaries: after an MDL run of odd length the next byte is the low
     * half of the word it completes.
     *
     * @return the sum, or -1 if the NB has fewer bytes
     */
    static long checksum(NetBuffer nb, int offset, int length, long sum) {
        Mdl mdl = nb.currentMdl();
        long at = (long) nb.currentMdlOffset() + offset;
        int left = length;
        boolean odd = false;
        while (mdl != null && left > 0) {
            if (at < mdl.byteCount()) {
                MemorySegment buffer = mdl.buffer();
                long from = mdl.bufferOffset() + at;
                int run = (int) Math.min(left, mdl.byteCount() - at);
                left -= run;
                if (odd) {
                    sum += Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, from));
                    from++;
                    run--;
                    odd = false;
                }
                sum = InternetChecksum.add(sum, buffer, from, run);
                odd = (run & 1) != 0;
                at = 0;
            } else {
                at -= mdl.byteCount();
            }
            mdl = mdl.next();
        }
        return left == 0 ? sum : -1;
    }

    private static int walk(
            NetBuffer nb, int offset, MemorySegment memory, long memoryOffset, int length, boolean out) {
        Mdl mdl = nb.currentMdl();
        long at = (long) nb.currentMdlOffset() + offset;
        int done = 0;
        while (mdl != null && done < length) {
            if (at < mdl.byteCount()) {
                int run = (int) Math.min(length - done, mdl.byteCount() - at);
                if (out) {
                    MemorySegment.copy(mdl.buffer(), mdl.bufferOffset() + at, memory, memoryOffset + done, run);
                } else {
                    MemorySegment.copy(memory, memoryOffset + done, mdl.buffer(), mdl.bufferOffset() + at, run);
                }
                done += run;
                at = 0;
            } else {
                at -= mdl.byteCount();
            }
            mdl = mdl.next();
        }
        return done;
    }
}
