package org.nbl4j.io.tun;

import java.io.IOException;

/**
 * A TUN device operation failed in the kernel. The message names the operation, the device, the errno by name with
 * its {@code strerror} text, and what usually causes it; {@link #errno()} gives the number.
 */
public final class TunException extends IOException {
    private final int errno;

    TunException(String operation, int errno, String hint) {
        super(operation + " failed: " + Libc.describe(errno) + (hint.isEmpty() ? "" : ": " + hint));
        this.errno = errno;
    }

    /** The errno the failing call left. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code EBUSY}. */
    public String errnoName() {
        return Libc.errnoName(errno);
    }
}
