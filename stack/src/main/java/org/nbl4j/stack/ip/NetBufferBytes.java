package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlCursor;

/** The Internet checksum of a range of an NB's used data, summed run by run over its MDL chain. */
final class NetBufferBytes {
    private NetBufferBytes() {}

    /**
     * Adds {@code length} bytes of the NB's data at {@code offset} to a running Internet checksum sum
     * ({@link InternetChecksum#add}), across MDL boundaries: after an MDL run of odd length the next byte is the low
     * half of the word it completes.
     *
     * @return the sum, or -1 if the NB has fewer bytes
     */
    static long checksum(NetBuffer nb, int offset, int length, long sum) {
        Mdl current = nb.currentMdl();
        long at = (long) nb.currentMdlOffset() + offset;
        if (current != null && MdlCursor.inOneMdl(current, at, length)) {
            // The bytes lie in one MDL (every single-MDL packet): no walk.
            return InternetChecksum.add(sum, current.buffer(), current.bufferOffset() + at, length);
        }
        MdlCursor runs = new MdlCursor();
        boolean odd = false;
        for (boolean more = runs.seek(current, at, length); more; more = runs.next()) {
            MemorySegment buffer = runs.segment();
            long from = runs.segmentOffset();
            int run = runs.length();
            if (odd) {
                sum += Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, from));
                from++;
                run--;
            }
            sum = InternetChecksum.add(sum, buffer, from, run);
            odd = (run & 1) != 0;
        }
        return runs.remaining() == 0 ? sum : -1;
    }
}
