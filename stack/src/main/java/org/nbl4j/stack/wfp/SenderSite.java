package org.nbl4j.stack.wfp;

import java.net.URL;
import java.security.CodeSource;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Finds the line of the driver code that started an operation: the first frame outside the JDK and outside nbl4j's
 * own core and stack classes. Used only when a violation is reported, to name the line that sent a recycled NBL.
 */
final class SenderSite {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final @Nullable String STACK_LOCATION = location(SenderSite.class);
    private static final @Nullable String CORE_LOCATION = location(NetBufferList.class);

    private SenderSite() {}

    /** The caller's frame, e.g. {@code RecyclingFilter.send(RecyclingFilter.java:42)}, or {@code <unknown>}. */
    static String capture() {
        Optional<StackWalker.StackFrame> frame =
                WALKER.walk(stream -> stream.filter(candidate -> !isInfrastructure(candidate.getDeclaringClass()))
                        .findFirst());
        return frame.map(found -> found.toStackTraceElement().toString()).orElse("<unknown>");
    }

    private static boolean isInfrastructure(Class<?> type) {
        String name = type.getName();
        if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")) {
            return true;
        }
        String location = location(type);
        return name.startsWith("org.nbl4j.")
                && (Objects.equals(location, STACK_LOCATION) || Objects.equals(location, CORE_LOCATION));
    }

    private static @Nullable String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        return url == null ? null : url.toString();
    }
}
