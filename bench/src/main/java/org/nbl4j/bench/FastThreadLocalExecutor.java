package org.nbl4j.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A JMH executor ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=org.nbl4j.bench.FastThreadLocalExecutor}) whose
 * worker threads are Netty {@code FastThreadLocalThread}s, as Netty's event-loop threads are. Netty's allocators and
 * its object recycler treat such threads as first-class (thread caches on, recycling on), so benchmarks run on them
 * show Netty's best case; Netty's own microbenchmarks run this way.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
