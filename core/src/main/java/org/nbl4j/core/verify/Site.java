package org.nbl4j.core.verify;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where something happened to a buffer: the caller's stack frames (nbl4j's and the JDK's own frames trimmed away), the
 * thread, and an optional hint the caller gave.
 *
 * @param thread the thread's name
 * @param frames the caller's frames, innermost first
 * @param hint what the caller said it was doing, or {@code null}
 */
public record Site(
        String thread,
        List<StackTraceElement> frames,
        @Nullable String hint) {
    private static final int MAXIMUM_FRAMES = 8;
    private static final StackWalker WALKER = StackWalker.getInstance();

    public Site {
        frames = List.copyOf(frames);
    }

    /** The site of the calling code: the first frames outside {@code org.nbl4j.core} and the JDK. */
    public static Site capture(@Nullable String hint) {
        List<StackTraceElement> frames =
                WALKER.walk(stream -> stream.filter(frame -> !isInfrastructure(frame.getClassName()))
                        .limit(MAXIMUM_FRAMES)
                        .map(StackWalker.StackFrame::toStackTraceElement)
                        .toList());
        return new Site(Thread.currentThread().getName(), frames, hint);
    }

    private static boolean isInfrastructure(String className) {
        return className.startsWith("org.nbl4j.core.")
                || className.startsWith("java.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.");
    }

    /** The innermost frame, as {@code Class.method(File.java:42)}, or {@code <unknown>}. */
    public String where() {
        return frames.isEmpty() ? "<unknown>" : frames.getFirst().toString();
    }

    /** Multi-line, like a Java stack trace: the hint, then one {@code at} line per frame. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (hint != null) {
            text.append("    hint: ").append(hint).append('\n');
        }
        for (StackTraceElement frame : frames) {
            text.append("    at ").append(frame).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return where() + (hint != null ? " (" + hint + ")" : "");
    }
}
