package org.nbl4j.core.verify;

import java.net.URL;
import java.util.List;
import java.util.Objects;
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
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    /** Where nbl4j core's own classes were loaded from: its tests, in the same packages, are callers like any other. */
    private static final @Nullable String CORE_LOCATION = location(Site.class);

    private static final ClassValue<Boolean> INFRASTRUCTURE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return isInfrastructure(type);
        }
    };

    public Site {
        frames = List.copyOf(frames);
    }

    /**
     * The site of the calling code: the first frames outside nbl4j core and the JDK. Classes of the packages
     * {@code org.nbl4j.core.*} loaded from elsewhere than core itself (its tests) count as callers.
     */
    public static Site capture(@Nullable String hint) {
        List<StackTraceElement> frames =
                WALKER.walk(stream -> stream.filter(frame -> !INFRASTRUCTURE.get(frame.getDeclaringClass()))
                        .limit(MAXIMUM_FRAMES)
                        .map(Site::frame)
                        .toList());
        return new Site(Thread.currentThread().getName(), frames, hint);
    }

    /**
     * The frame without its module and class loader, {@code Class.method(File.java:42)}: a class in a named module
     * would otherwise print as {@code org.nbl4j.core@0.1.0/...}, and the caller's line should read the same on the
     * module path and the class path.
     */
    private static StackTraceElement frame(StackWalker.StackFrame frame) {
        return new StackTraceElement(
                frame.getClassName(), frame.getMethodName(), frame.getFileName(), frame.getLineNumber());
    }

    private static boolean isInfrastructure(Class<?> type) {
        String className = type.getName();
        if (className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")) {
            return true;
        }
        return className.startsWith("org.nbl4j.core.") && Objects.equals(location(type), CORE_LOCATION);
    }

    /**
     * The root a class file was read from. Not its code source: core's tests are patched into the core module and share
     * the module's code source, while their class files come from another directory.
     */
    private static @Nullable String location(Class<?> type) {
        String name = type.getName();
        URL url = type.getResource(name.substring(name.lastIndexOf('.') + 1) + ".class");
        if (url == null) {
            return null;
        }
        String text = url.toString();
        String path = name.replace('.', '/') + ".class";
        return text.endsWith(path) ? text.substring(0, text.length() - path.length()) : text;
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
