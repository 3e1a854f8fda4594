package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Per-thread working state of the IP path: the parsed headers, the {@link PacketFacts} shown to the hook and a
 * window that makes a packet's first bytes contiguous ({@code NdisGetDataBuffer}'s storage). Frames stack, because
 * a hook may inject a packet that re-enters the path on the same thread; each depth's frame is made once and reused.
 */
final class PathScratch {
    private static final ThreadLocal<PathScratch> CURRENT = ThreadLocal.withInitial(PathScratch::new);

    /** One nesting level's state. */
    static final class Frame {
        final ParsedPacket parsed = new ParsedPacket();
        final PacketFacts facts = new PacketFacts();
        final MemorySegment window = MemorySegment.ofArray(new byte[PacketParser.PARSE_WINDOW]);
        /** A datagram the reassembler completed for this frame's fragment. */
        @Nullable
        NetBufferList completed;
    }

    private Frame[] frames = new Frame[] {new Frame()};
    private int depth;

    /** The calling thread's next frame; {@link #exit()} must follow. */
    static Frame enter() {
        PathScratch scratch = CURRENT.get();
        if (scratch.depth == scratch.frames.length) {
            scratch.frames = Arrays.copyOf(scratch.frames, scratch.frames.length + 1);
            scratch.frames[scratch.depth] = new Frame();
        }
        return scratch.frames[scratch.depth++];
    }

    /** Leaves the frame {@link #enter()} gave. */
    static void exit() {
        CURRENT.get().depth--;
    }
}
