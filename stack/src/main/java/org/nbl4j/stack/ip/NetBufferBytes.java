package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
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
