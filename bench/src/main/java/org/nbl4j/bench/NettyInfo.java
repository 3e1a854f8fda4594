package org.nbl4j.bench;

import io.netty.util.internal.PlatformDependent;

/** Prints how Netty sees this JVM (run with the same flags as the forks): whether it uses Unsafe, and why not. */
public final class NettyInfo {
    private NettyInfo() {}

    public static void main(String[] args) {
        System.out.println("netty hasUnsafe=" + PlatformDependent.hasUnsafe()
                + " unavailabilityCause=" + PlatformDependent.getUnsafeUnavailabilityCause()
                + " directBufferPreferred=" + PlatformDependent.directBufferPreferred()
                + " hasDirectBufferNoCleanerConstructor=" + PlatformDependent.hasDirectBufferNoCleanerConstructor()
                + " useDirectBufferNoCleaner=" + PlatformDependent.useDirectBufferNoCleaner()
                + " maxDirectMemory=" + PlatformDependent.maxDirectMemory());
    }
}
