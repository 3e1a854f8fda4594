package org.nbl4j.stack.ip;

import java.util.function.LongSupplier;

/**
 * A token bucket that bounds the ICMP errors one stack sends (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)): up to
 * {@code burst} at once, refilled at {@code perSecond}. The clock is injectable (nanoseconds) so tests control time.
 */
final class IcmpRateLimiter {
    private final LongSupplier nanoClock;
    private final long nanosPerToken;
    private final long capacity;
    private long credit;
    private long last;

    IcmpRateLimiter(LongSupplier nanoClock, int perSecond, int burst) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate " + perSecond + "/s, burst " + burst);
        }
        this.nanoClock = nanoClock;
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.capacity = nanosPerToken * burst;
        this.credit = capacity;
        this.last = nanoClock.getAsLong();
    }

    /** Takes one token if there is one. */
    synchronized boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        long elapsed = now - last;
        last = now;
        if (elapsed > 0) {
            credit = Math.min(capacity, credit + elapsed);
        }
        if (credit >= nanosPerToken) {
            credit -= nanosPerToken;
            return true;
        }
        return false;
    }
}
