package org.nbl4j.io.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * One receive queue of a {@link TunMiniport}: its TUN descriptor, the receive NBLs it owns, the send completions
 * waiting for its next DPC, and the eventfd that wakes its thread when a completion arrives.
 *
 * <p>The queue's own thread takes free NBLs from a plain stack; NBLs returned from other threads go onto a chain
 * under a lock and are moved to the stack when it runs dry, so taking a buffer costs no lock in the common case.
 */
final class TunQueue implements AutoCloseable {
    private static final int TUN_SLOT = 0;
    private static final int EVENT_SLOT = 1;
    /** The 8-byte counter increment an eventfd write takes; only read, so one serves every thread. */
    private static final MemorySegment ONE = Arena.global().allocate(ValueLayout.JAVA_LONG);

    static {
        ONE.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    final int index;
    private final int eventFd;
    private final MemorySegment pollfds;
    private final MemorySegment eventScratch;
    /** Where a packet goes when no NBL is free: read so the kernel's queue keeps moving, then dropped. */
    final MemorySegment discard;

    private final NetBufferList[] free;
    private int freeCount;
    private int allocated;

    private final Object returnLock = new Object();
    private @Nullable NetBufferList returned;
    private int returnedCount;

    private final Object completionLock = new Object();
    private @Nullable NetBufferList completedHead;
    private @Nullable NetBufferList completedTail;
    private int completedCount;

    TunQueue(int index, int tunFd, int capacity, int dataSize, Arena arena, String device) throws TunException {
        this.index = index;
        MemorySegment errno = Libc.errnoState();
        this.eventFd = Libc.eventfd(errno, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (eventFd < 0) {
            throw new TunException("eventfd(" + device + ", queue " + index + ")", Libc.errno(errno), "");
        }
        this.pollfds = arena.allocate(Libc.POLLFD, 2);
        setPollfd(TUN_SLOT, tunFd);
        setPollfd(EVENT_SLOT, eventFd);
        this.eventScratch = arena.allocate(ValueLayout.JAVA_LONG);
        this.discard = arena.allocate(dataSize, 64);
        this.free = new NetBufferList[capacity];
    }

    private void setPollfd(int slot, int fd) {
        long base = slot * Libc.POLLFD.byteSize();
        pollfds.set(ValueLayout.JAVA_INT, base, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, base + Libc.POLLFD_EVENTS, Libc.POLLIN);
    }

    // ---- receive buffers ----

    /** Adds a newly allocated receive NBL (at initialization). */
    void add(NetBufferList nbl) {
        free[freeCount++] = nbl;
        allocated++;
    }

    /** A free receive NBL, or {@code null}; on the queue's thread only. */
    @Nullable
    NetBufferList take() {
        if (freeCount == 0) {
            reclaimReturned();
            if (freeCount == 0) {
                return null;
            }
        }
        NetBufferList nbl = free[--freeCount];
        free[freeCount] = null;
        return nbl;
    }

    /** Puts back an NBL the queue's thread took and did not indicate, or got back at once. */
    void recycle(NetBufferList nbl) {
        free[freeCount++] = nbl;
    }

    /** Takes back an NBL the stack returned, from any thread. */
    void giveBack(NetBufferList nbl) {
        synchronized (returnLock) {
            nbl.setNext(returned);
            returned = nbl;
            returnedCount++;
        }
    }

    private void reclaimReturned() {
        NetBufferList chain;
        synchronized (returnLock) {
            chain = returned;
            returned = null;
            returnedCount = 0;
        }
        while (chain != null) {
            NetBufferList next = chain.next();
            chain.setNext(null);
            free[freeCount++] = chain;
            chain = next;
        }
    }

    /** How many receive NBLs are free or returned: the measure the low-water mark is checked against. */
    int available() {
        synchronized (returnLock) {
            return freeCount + returnedCount;
        }
    }

    /** Receive NBLs indicated and not yet returned. */
    int outstanding() {
        return allocated - available();
    }

    /** Every receive NBL, once all are back (at halt); the queue holds none afterwards. */
    NetBufferList[] drainAll() {
        reclaimReturned();
        NetBufferList[] all = new NetBufferList[freeCount];
        System.arraycopy(free, 0, all, 0, freeCount);
        Arrays.fill(free, 0, freeCount, null);
        freeCount = 0;
        allocated = 0;
        return all;
    }

    // ---- send completions ----

    /** Queues a sent NBL for completion from this queue's next DPC, waking its thread if it may be waiting. */
    void queueCompletion(NetBufferList nbl) {
        boolean wasEmpty;
        synchronized (completionLock) {
            wasEmpty = completedHead == null;
            if (completedTail == null) {
                completedHead = nbl;
            } else {
                completedTail.setNext(nbl);
            }
            completedTail = nbl;
            completedCount++;
        }
        if (wasEmpty) {
            // A failed wake-up only delays the completion to the next timeout; the counter cannot overflow here.
            Libc.writePlain(eventFd, ONE.address(), ONE.byteSize());
        }
    }

    /** The completed sends, unlinked from the queue; {@code null} if none. */
    @Nullable
    NetBufferList takeCompletions() {
        synchronized (completionLock) {
            NetBufferList chain = completedHead;
            completedHead = null;
            completedTail = null;
            completedCount = 0;
            return chain;
        }
    }

    /** How many sends wait for completion. */
    int pendingCompletions() {
        synchronized (completionLock) {
            return completedCount;
        }
    }

    // ---- waiting ----

    /** Blocks until a packet or a completion may be waiting, at most {@code timeoutMillis}. */
    void await(int timeoutMillis, String device) throws TunException {
        MemorySegment errno = Libc.errnoState();
        if (Poller.poll(pollfds, 2, timeoutMillis, errno, device) == 0) {
            return;
        }
        long eventBase = EVENT_SLOT * Libc.POLLFD.byteSize();
        if (pollfds.get(ValueLayout.JAVA_SHORT, eventBase + Libc.POLLFD_REVENTS) != 0) {
            // Reset the counter; the completions themselves are found under the lock.
            Libc.read(errno, eventFd, eventScratch.address(), eventScratch.byteSize());
        }
    }

    @Override
    public void close() throws TunException {
        MemorySegment errno = Libc.errnoState();
        if (Libc.close(errno, eventFd) < 0) {
            throw new TunException("close(eventfd of queue " + index + ")", Libc.errno(errno), "");
        }
    }
}
