package org.nbl4j.core.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which stack frames are the driver's: every report names the driver's line first, the way a kernel debugger's
 * {@code !analyze} names the faulting driver rather than NDIS. The decision is by class name only, never by the jar a
 * class came from: packaged, the driver, nbl4j and its libraries are jars of one application, and a location tells
 * nothing about whose code a class is.
 *
 * <p>A frame is <em>infrastructure</em> when its class name starts with one of {@link #infrastructure()}: nbl4j's own
 * packages ({@code org.nbl4j.core|stack|io|cli|junit}), the JDK, and the libraries nbl4j runs with. Every other frame is the
 * driver's, so a sample ({@code org.nbl4j.samples}) is driver code. {@link #driverCode()} lists prefixes that are the
 * driver's even inside an infrastructure prefix. When both lists match a class, the longer prefix wins, as the
 * longest route does: a user can make {@code com.acme.util.} infrastructure and keep {@code com.acme.util.Filter} as
 * driver code.
 *
 *
 * <p>Each class name is decided once and remembered: a site is captured at every hand-off of a tracked buffer (every
 * clone), and matching all its frames against every prefix each time was a third of the capture.
 */
public final class FrameClassifier {
    /**
     * nbl4j's own packages: the DDIs and the stack a driver calls, the command that runs it, and the JUnit extension
     * that shuts a driver's test down (its frames are where a test's leaks are found, never the driver's line).
     */
    public static final List<String> NBL4J =
            List.of("org.nbl4j.core.", "org.nbl4j.stack.", "org.nbl4j.io.", "org.nbl4j.cli.", "org.nbl4j.junit.");

    /** The JDK and the libraries nbl4j and its tests run with. */
    public static final List<String> PLATFORM = List.of(
            "java.",
            "javax.",
            "jdk.",
            "sun.",
            "com.sun.",
            "picocli.",
            "org.jspecify.",
            "org.junit.",
            "org.opentest4j.",
            "org.apiguardian.",
            "net.jqwik.",
            "io.netty.",
            "org.openjdk.jmh.",
            "org.apache.maven.",
            "org.pitest.");

    private final List<String> infrastructure;
    private final List<String> driverCode;
    /** {@link #isDriver} by class name; as many entries as classes with frames on the stacks walked. */
    private final ConcurrentHashMap<String, Boolean> decisions = new ConcurrentHashMap<>();

    /**
     * @param infrastructure class-name prefixes whose frames are not the driver's
     * @param driverCode class-name prefixes whose frames are the driver's even when an infrastructure prefix matches
     */
    public FrameClassifier(List<String> infrastructure, List<String> driverCode) {
        this.infrastructure = List.copyOf(infrastructure);
        this.driverCode = List.copyOf(driverCode);
    }

    /** The class-name prefixes whose frames are not the driver's. */
    public List<String> infrastructure() {
        return infrastructure;
    }

    /** The class-name prefixes whose frames are the driver's even when an infrastructure prefix matches. */
    public List<String> driverCode() {
        return driverCode;
    }

    /** nbl4j's packages and the platform's are infrastructure; everything else is the driver's. */
    public static FrameClassifier standard() {
        List<String> prefixes = new ArrayList<>(NBL4J);
        prefixes.addAll(PLATFORM);
        return new FrameClassifier(prefixes, List.of());
    }

    /** This classifier with more infrastructure: a driver's own libraries, whose frames should not stand in reports. */
    public FrameClassifier withInfrastructure(String... prefixes) {
        return new FrameClassifier(concat(infrastructure, prefixes), driverCode);
    }

    /**
     * This classifier with prefixes that are driver code even inside an infrastructure prefix: nbl4j's own tests, which
     * live in its packages, name a test class here to play the driver.
     */
    public FrameClassifier withDriverCode(String... prefixes) {
        return new FrameClassifier(infrastructure, concat(driverCode, prefixes));
    }

    /** Whether a frame of class {@code className} is the driver's: the longest matching prefix decides. */
    public boolean isDriver(String className) {
        Boolean decided = decisions.get(className);
        if (decided == null) {
            decided = longestMatch(driverCode, className) >= longestMatch(infrastructure, className);
            decisions.put(className, decided);
        }
        return decided;
    }

    /** Whether {@code className} is one of nbl4j's own (a DDI or the stack behind it), and not the JDK or a library. */
    static boolean isNbl4j(String className) {
        return longestMatch(NBL4J, className) > 0;
    }

    private static int longestMatch(List<String> prefixes, String className) {
        int longest = 0;
        for (String prefix : prefixes) {
            if (prefix.length() > longest && className.startsWith(prefix)) {
                longest = prefix.length();
            }
        }
        return longest;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FrameClassifier that
                && infrastructure.equals(that.infrastructure)
                && driverCode.equals(that.driverCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(infrastructure, driverCode);
    }

    @Override
    public String toString() {
        return "FrameClassifier[infrastructure=" + infrastructure + ", driverCode=" + driverCode + "]";
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(Arrays.asList(more));
        return all;
    }
}
