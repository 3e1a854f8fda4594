package org.nbl4j.bench;

import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;

/** JVM options shared by every benchmark fork (compile-time constants, so they can go into annotations). */
final class BenchConfig {
    /** Netty: no leak-detection sampling on the allocation path. */
    static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    /** Netty on JDK 24+: let it use {@code sun.misc.Unsafe} for direct buffers without warnings or fallbacks. */
    static final String UNSAFE_ALLOW = "--sun-misc-unsafe-memory-access=allow";
    /** FFM restricted methods: the benchmarks run from one jar on the class path, so all of it is the unnamed module. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** A fixed heap, so that GC sizing does not drift between forks. */
    static final String XMS = "-Xms1g";

    static final String XMX = "-Xmx1g";

    private BenchConfig() {}

    /** The verifier settings a benchmark's {@code level} parameter stands for. */
    static VerifierSettings verifier(VerifierLevel level) {
        return switch (level) {
            case OFF -> VerifierSettings.off();
            case STANDARD -> VerifierSettings.standard();
            case FULL -> VerifierSettings.full();
        };
    }
}
