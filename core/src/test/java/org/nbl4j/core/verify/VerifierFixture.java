package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;

/** What the verifier tests share: a fake clock, line capture, and packets with data. */
final class VerifierFixture {
    private VerifierFixture() {}

    /** A clock the test moves by hand: the watchdog and pending reports are tested without sleeping. */
    static final class FakeClock implements LongSupplier {
        private long nanos = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return nanos;
        }

        void advance(Duration duration) {
            nanos += duration.toNanos();
        }
    }

    /** The line of the caller's statement: {@code int at = line() + 1;} names the line below it. */
    static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    /** How a site shows a line of a test method: {@code org.nbl4j.core.verify.FooTest.bar(FooTest.java:42)}. */
    static String frame(Class<?> test, String method, int line) {
        return test.getName() + "." + method + "(" + test.getSimpleName() + ".java:" + line + ")";
    }

    /** A pool whose NBLs carry an NB with 256 bytes of data buffer, all headroom at allocation. */
    static NetBufferListPool dataPool(Ndis ndis, PoolTag tag) {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, tag, 256));
        assertNotNull(pool);
        return pool;
    }

    /** Gives a freshly allocated data-pool NBL 16 bytes of data, 0x00..0x0F. */
    static NetBufferList withData(NetBufferList nbl) {
        NetBuffer nb = first(nbl);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(16, 0, null));
        byte[] bytes = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        assertEquals(16, nb.write(0, bytes));
        return nbl;
    }

    static NetBuffer first(NetBufferList nbl) {
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        return nb;
    }
}
