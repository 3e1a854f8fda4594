package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.internal.ReentrancyFrames;

/**
 * Per-thread working state of the IP path: the {@link PacketFacts} the parser fills and the hook is shown, and a
 * window that makes a packet's first bytes contiguous ({@code NdisGetDataBuffer}'s storage), in
 * {@link ReentrancyFrames}: a hook may inject a packet that re-enters the path on the same thread.
 */
final class PathScratch {
    private static final ReentrancyFrames<Frame> FRAMES = new ReentrancyFrames<>(Frame::new);

    private PathScratch() {}

    /** One nesting level's state. */
    static final class Frame {
        final PacketFacts facts = new PacketFacts();
        final MemorySegment window = MemorySegment.ofArray(new byte[PacketParser.PARSE_WINDOW]);
        /** The first bytes of the transport header, copied by the host role's transport boundary. */
        final MemorySegment transport = MemorySegment.ofArray(new byte[HostTransport.TRANSPORT_WINDOW]);
        /** Two bytes to write a checksum field through, wherever the packet's MDLs put it. */
        final MemorySegment word = MemorySegment.ofArray(new byte[2]);
        /** The thread's sends per egress during a receive indication: every frame is made on the thread it serves. */
        final EgressGather gather = EgressGather.current();
        /** A datagram the reassembler completed for this frame's fragment. */
        @Nullable
        NetBufferList completed;

        /**
         * The entering thread's frames, kept so that leaving takes no second thread-local lookup (a measurable part of
         * a 64-byte packet's time, docs/benchmarks.md "The host role").
         */
        private ReentrancyFrames.@Nullable Stack<Frame> frames;
    }

    /** The calling thread's next frame; {@link #exit(Frame)} must follow on the same thread. */
    static Frame enter() {
        ReentrancyFrames.Stack<Frame> frames = FRAMES.current();
        Frame frame = frames.enter();
        frame.frames = frames;
        return frame;
    }

    /** Leaves {@code frame}, the one the last {@link #enter()} gave. */
    static void exit(Frame frame) {
        frame.frames.exit();
    }
}
