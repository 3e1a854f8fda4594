package org.nbl4j.io.tun;

import java.lang.foreign.MemorySegment;

/** {@code poll(2)} over an array of {@code struct pollfd}, with the retry and error handling both users share. */
final class Poller {
    private Poller() {}

    /**
     * Waits at most {@code timeoutMillis} (negative: no limit) for one of the descriptors to be ready.
     *
     * @return how many descriptors are ready; 0 on timeout or when a signal cut the wait short
     */
    static int poll(MemorySegment pollfds, int count, int timeoutMillis, MemorySegment errno, String device)
            throws TunException {
        int ready = Libc.poll(errno, pollfds, count, timeoutMillis);
        if (ready >= 0) {
            return ready;
        }
        int error = Libc.errno(errno);
        if (error == Libc.EINTR) {
            return 0;
        }
        throw new TunException("poll(" + device + ")", error, "");
    }
}
