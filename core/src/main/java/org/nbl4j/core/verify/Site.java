package org.nbl4j.core.verify;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Where something happened to a buffer, told from the driver's side: the driver's frames, the one DDI frame the
 * driver called (e.g. {@code NdisH.NdisFSendNetBufferLists}), the thread, an optional hint, and the whole trace when
 * it was asked for. A {@link FrameClassifier} decides which frames are the driver's.
 *
 * <p>When no frame on the stack is the driver's (the stack allocating for itself, or nbl4j's own tests),
 * {@link #frames()} holds nbl4j's own frames above its core instead, so that the component that acted is named.
 *
 * @param thread the thread's name
 * @param frames the driver's frames, innermost first (nbl4j's components above its core when there is none)
 * @param ddi the nbl4j frame the innermost driver frame called, or {@code null} when there is no driver frame
 * @param trace every frame of the stack, innermost first, when the full trace was asked for; empty otherwise
 * @param hint what the caller said it was doing, or {@code null}
 */
public record Site(
        String thread,
        List<StackTraceElement> frames,
        @Nullable StackTraceElement ddi,
        List<StackTraceElement> trace,
        @Nullable String hint) {
    private static final int MAXIMUM_FRAMES = 8;
    /** nbl4j's buffer model and verifier: never the component to name, since every report passes through them. */
    private static final String CORE = "org.nbl4j.core.";

    private static final StackWalker WALKER = StackWalker.getInstance();

    public Site {
        frames = List.copyOf(frames);
        trace = List.copyOf(trace);
    }

    /**
     * The site of the calling code, its frames chosen by {@code classifier}.
     *
     * @param fullTrace whether to keep every frame in {@link #trace()} as well
     */
    public static Site capture(FrameClassifier classifier, boolean fullTrace, @Nullable String hint) {
        return WALKER.walk(stream -> new Walk(classifier, fullTrace).over(stream))
                .site(hint);
    }

    /**
     * The site where {@code thrown} was thrown, from its stack trace, its frames chosen as {@link #capture} chooses
     * them: the driver's line that threw, or that called the DDI that threw.
     */
    public static Site thrownAt(Throwable thrown, VerifierSettings settings, @Nullable String hint) {
        Walk walk = new Walk(settings.frames(), settings.fullTrace());
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (!walk.visit(frame.getClassName(), frame)) {
                break;
            }
        }
        return walk.site(hint);
    }

    /** The site of the calling code as {@code settings} capture it. */
    public static Site capture(VerifierSettings settings, @Nullable String hint) {
        return capture(settings.frames(), settings.fullTrace(), hint);
    }

    /**
     * One pass over a stack, innermost frame first: a live one ({@link StackWalker.StackFrame}s) or a thrown one's
     * ({@link StackTraceElement}s). The frames are kept as they come and turned into elements only when shown, since
     * making a {@link StackTraceElement} (file and line) of a live frame is most of its cost.
     */
    private static final class Walk {
        private final FrameClassifier classifier;
        private final boolean fullTrace;
        private final List<StackTraceElement> driverFrames = new ArrayList<>();
        /** Only shown when no driver frame turns up further down. */
        private final List<Object> componentFrames = new ArrayList<>();

        private final List<StackTraceElement> trace = new ArrayList<>();
        private @Nullable Object lastNbl4j;

        Walk(FrameClassifier classifier, boolean fullTrace) {
            this.classifier = classifier;
            this.fullTrace = fullTrace;
        }

        Walk over(Stream<StackWalker.StackFrame> stream) {
            Iterator<StackWalker.StackFrame> frames = stream.iterator();
            while (frames.hasNext()) {
                StackWalker.StackFrame frame = frames.next();
                if (!visit(frame.getClassName(), frame)) {
                    break;
                }
            }
            return this;
        }

        /**
         * Takes the next frame ({@code frame} a {@link StackWalker.StackFrame} or a {@link StackTraceElement}).
         *
         * @return whether to go on: without the full trace the walk stops once the driver's frames are all found; it
         *     has to go on to the bottom otherwise, to learn whether the driver is on the stack at all
         */
        boolean visit(String className, Object frame) {
            if (fullTrace) {
                trace.add(frame(frame));
            }
            if (classifier.isDriver(className)) {
                if (driverFrames.size() < MAXIMUM_FRAMES) {
                    driverFrames.add(frame(frame));
                }
            } else if (driverFrames.isEmpty() && FrameClassifier.isNbl4j(className)) {
                lastNbl4j = frame;
                if (!className.startsWith(CORE) && componentFrames.size() < MAXIMUM_FRAMES) {
                    componentFrames.add(frame);
                }
            }
            return fullTrace || driverFrames.size() < MAXIMUM_FRAMES;
        }

        Site site(@Nullable String hint) {
            boolean driverFound = !driverFrames.isEmpty();
            Object ddi = lastNbl4j;
            return new Site(
                    Thread.currentThread().getName(),
                    driverFound
                            ? driverFrames
                            : componentFrames.stream().map(Site::frame).toList(),
                    driverFound && ddi != null ? frame(ddi) : null,
                    trace,
                    hint);
        }
    }

    /**
     * The frame without its module and class loader, {@code Class.method(File.java:42)}: a class in a named module
     * would otherwise print as {@code org.nbl4j.core@0.1.0/...}, and the caller's line should read the same on the
     * module path and the class path.
     */
    private static StackTraceElement frame(Object frame) {
        if (frame instanceof StackWalker.StackFrame live) {
            return new StackTraceElement(
                    live.getClassName(), live.getMethodName(), live.getFileName(), live.getLineNumber());
        }
        StackTraceElement thrown = (StackTraceElement) frame;
        return new StackTraceElement(
                thrown.getClassName(), thrown.getMethodName(), thrown.getFileName(), thrown.getLineNumber());
    }

    /** The innermost driver frame, as {@code Class.method(File.java:42)}, or {@code <unknown>}. */
    public String where() {
        return frames.isEmpty() ? "<unknown>" : frames.getFirst().toString();
    }

    /**
     * The site in one line, for a report's headline: the driver's line and the DDI it called, e.g.
     * {@code Filter.send(Filter.java:42), calling NdisH.NdisFSendNetBufferLists}.
     */
    public String headline() {
        return ddi == null ? where() : where() + ", calling " + simpleName(ddi) + "." + ddi.getMethodName();
    }

    /**
     * Multi-line: the hint, the driver's frames innermost first with the DDI under the first, one {@code at} line per
     * frame, and the full trace when it was kept.
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (hint != null) {
            text.append("    hint: ").append(hint).append('\n');
        }
        for (int i = 0; i < frames.size(); i++) {
            text.append("    at ").append(frames.get(i)).append('\n');
            if (i == 0 && ddi != null) {
                text.append("      calling ").append(ddi).append('\n');
            }
        }
        if (!trace.isEmpty()) {
            text.append("    full trace:\n");
            for (StackTraceElement frame : trace) {
                text.append("      at ").append(frame).append('\n');
            }
        }
        return text.toString();
    }

    private static String simpleName(StackTraceElement frame) {
        String className = frame.getClassName();
        return className.substring(className.lastIndexOf('.') + 1);
    }

    @Override
    public String toString() {
        return where() + (hint != null ? " (" + hint + ")" : "");
    }
}
