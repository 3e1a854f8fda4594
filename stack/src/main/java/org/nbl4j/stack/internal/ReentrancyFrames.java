package org.nbl4j.stack.internal;

import java.util.Arrays;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Per-thread working frames, one per nesting depth. A callout may inject a packet inline (WFPSampler's inline mode),
 * which re-enters the IP path, and the filter engine, on the same thread while the outer packet is still being worked
 * on; the outer packet's frame must be untouched when the inner one returns. Each depth's frame is made the first time
 * a thread reaches that depth and reused afterwards, so the steady state allocates nothing.
 *
 * <p>The IP path keeps its parse and hook state in these frames, the filter engine its incoming values, metadata and
 * arbitration.
 *
 * @param <F> the frame
 */
public final class ReentrancyFrames<F> {
    private final ThreadLocal<Stack<F>> perThread;

    /** Frames made by {@code newFrame}. */
    public ReentrancyFrames(Supplier<F> newFrame) {
        this.perThread = ThreadLocal.withInitial(() -> new Stack<>(newFrame));
    }

    /** The calling thread's frames. */
    public Stack<F> current() {
        return perThread.get();
    }

    /**
     * One thread's frames: {@link #enter()} gives the next depth's frame, {@link #exit()} leaves it.
     *
     * @param <F> the frame
     */
    public static final class Stack<F> {
        private final Supplier<F> newFrame;
        private Object[] frames;
        private int depth;

        private Stack(Supplier<F> newFrame) {
            this.newFrame = newFrame;
            this.frames = new Object[] {newFrame.get()};
        }

        /** The frame of the next depth; {@link #exit()} must follow. */
        @SuppressWarnings("unchecked")
        public F enter() {
            if (depth == frames.length) {
                frames = Arrays.copyOf(frames, depth + 1);
                frames[depth] = newFrame.get();
            }
            return (F) frames[depth++];
        }

        /** The frame of the deepest depth entered and not yet left, or null at depth 0. */
        @SuppressWarnings("unchecked")
        public @Nullable F innermost() {
            return depth == 0 ? null : (F) frames[depth - 1];
        }

        /** Leaves the frame the last {@link #enter()} gave. */
        public void exit() {
            depth--;
        }
    }
}
