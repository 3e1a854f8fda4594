package org.nbl4j.io.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance (Linux 5.1 and later) through which a thread writes many packets with one system call: an
 * {@code IORING_OP_WRITEV} submission entry per packet, then one {@code io_uring_enter} that submits them all and
 * waits for all their completions. Bound with raw {@code syscall(2)}s ({@link Libc#ioUringSetup},
 * {@link Libc#ioUringEnter}) and {@code mmap(2)}, since liburing has no Java binding; the layouts are those of
 * {@code <linux/io_uring.h>}.
 *
 * <p>A ring is used by the thread that made it only, so its submission tail is kept here as well as in the shared
 * ring, and the kernel is the only other party: a release fence orders the entries before the tail the kernel reads,
 * an acquire fence the completions after the tail it wrote. No SQ polling thread, no registered files or buffers.
 */
final class IoUring {
    /** {@code IORING_OP_WRITEV}. */
    private static final byte IORING_OP_WRITEV = 2;
    /** {@code IORING_ENTER_GETEVENTS}: wait for {@code min_complete} completions. */
    private static final int IORING_ENTER_GETEVENTS = 1;
    /** {@code IORING_FEAT_SINGLE_MMAP}: the completion ring lives in the submission ring's mapping. */
    private static final int IORING_FEAT_SINGLE_MMAP = 1;

    private static final long IORING_OFF_SQ_RING = 0L;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;

    /** {@code sizeof(struct io_uring_params)}; its fields' offsets follow. */
    private static final long PARAMS_BYTES = 120;

    private static final long PARAMS_SQ_ENTRIES = 0;
    private static final long PARAMS_CQ_ENTRIES = 4;
    private static final long PARAMS_FEATURES = 20;
    /** {@code struct io_sqring_offsets sq_off}: head, tail, ring_mask, ring_entries, flags, dropped, array. */
    private static final long PARAMS_SQ_OFF = 40;
    /** {@code struct io_cqring_offsets cq_off}: head, tail, ring_mask, ring_entries, overflow, cqes. */
    private static final long PARAMS_CQ_OFF = 80;

    private static final long SQE_BYTES = 64;
    private static final long CQE_BYTES = 16;

    private final int fd;
    private final int entries;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    /** The mappings' sizes, for {@code munmap}; {@link #cqRingBytes} is 0 when the CQ shares the SQ's mapping. */
    private final long sqRingBytes;

    private final long cqRingBytes;
    private final long sqTailAt;
    private final int sqMask;
    private final long cqHeadAt;
    private final long cqTailAt;
    private final int cqMask;
    private final long cqesAt;
    /** The submission tail as this thread last published it. */
    private int sqTail;

    private boolean closed;

    private IoUring(
            int fd,
            int entries,
            MemorySegment sqRing,
            long sqRingBytes,
            MemorySegment cqRing,
            long cqRingBytes,
            MemorySegment sqes,
            MemorySegment params) {
        this.fd = fd;
        this.entries = entries;
        this.sqRing = sqRing;
        this.sqRingBytes = sqRingBytes;
        this.cqRing = cqRing;
        this.cqRingBytes = cqRingBytes;
        this.sqes = sqes;
        this.sqTailAt = params.get(ValueLayout.JAVA_INT, PARAMS_SQ_OFF + 4);
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, PARAMS_SQ_OFF + 8));
        this.cqHeadAt = params.get(ValueLayout.JAVA_INT, PARAMS_CQ_OFF);
        this.cqTailAt = params.get(ValueLayout.JAVA_INT, PARAMS_CQ_OFF + 4);
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, PARAMS_CQ_OFF + 8));
        this.cqesAt = params.get(ValueLayout.JAVA_INT, PARAMS_CQ_OFF + 20);
        this.sqTail = sqRing.get(ValueLayout.JAVA_INT, sqTailAt);
        // The SQ's index array maps ring slot i to entry i once and for all: entries are always filled in ring order.
        long array = params.get(ValueLayout.JAVA_INT, PARAMS_SQ_OFF + 24);
        for (int i = 0; i < entries; i++) {
            sqRing.set(ValueLayout.JAVA_INT, array + 4L * i, i);
        }
    }

    /**
     * Sets up a ring of {@code requested} submission entries (a power of two) and maps it.
     *
     * @throws TunException if the kernel refuses ({@code ENOSYS} before 5.1 or on another architecture's numbers,
     *     {@code EPERM} when {@code kernel.io_uring_disabled} forbids it, {@code ENOMEM}), or a mapping fails
     */
    static IoUring setUp(int requested) throws TunException {
        if (!Libc.IO_URING_SYSCALLS) {
            throw new TunException(
                    "io_uring_setup on " + System.getProperty("os.arch"), Libc.ENOSYS, "not a known architecture");
        }
        MemorySegment errno = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS_BYTES, 8);
            int fd = Libc.ioUringSetup(errno, requested, params.address());
            if (fd < 0) {
                throw new TunException("io_uring_setup(" + requested + ")", Libc.errno(errno), "");
            }
            long sqMapped = 0;
            long cqMapped = 0;
            long sqBytes = 0;
            long cqBytes = 0;
            try {
                int sqEntries = params.get(ValueLayout.JAVA_INT, PARAMS_SQ_ENTRIES);
                int cqEntries = params.get(ValueLayout.JAVA_INT, PARAMS_CQ_ENTRIES);
                boolean single = (params.get(ValueLayout.JAVA_INT, PARAMS_FEATURES) & IORING_FEAT_SINGLE_MMAP) != 0;
                sqBytes = params.get(ValueLayout.JAVA_INT, PARAMS_SQ_OFF + 24) + 4L * sqEntries;
                cqBytes = params.get(ValueLayout.JAVA_INT, PARAMS_CQ_OFF + 20) + CQE_BYTES * cqEntries;
                if (single) {
                    sqBytes = Math.max(sqBytes, cqBytes);
                    cqBytes = 0;
                }
                sqMapped = map(errno, fd, sqBytes, IORING_OFF_SQ_RING, "SQ ring");
                cqMapped = single ? sqMapped : map(errno, fd, cqBytes, IORING_OFF_CQ_RING, "CQ ring");
                long sqesAddress = map(errno, fd, SQE_BYTES * sqEntries, IORING_OFF_SQES, "SQEs");
                MemorySegment sq = MemorySegment.ofAddress(sqMapped).reinterpret(sqBytes);
                MemorySegment cq =
                        single ? sq : MemorySegment.ofAddress(cqMapped).reinterpret(cqBytes);
                MemorySegment entries = MemorySegment.ofAddress(sqesAddress).reinterpret(SQE_BYTES * sqEntries);
                return new IoUring(fd, sqEntries, sq, sqBytes, cq, cqBytes, entries, params);
            } catch (TunException e) {
                if (sqMapped != 0) {
                    Libc.munmap(errno, sqMapped, sqBytes);
                }
                if (cqMapped != 0 && cqMapped != sqMapped) {
                    Libc.munmap(errno, cqMapped, cqBytes);
                }
                Libc.close(errno, fd);
                throw e;
            }
        }
    }

    private static long map(MemorySegment errno, int fd, long bytes, long offset, String what) throws TunException {
        long address = Libc.mmap(
                errno, bytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, offset);
        if (address == Libc.MAP_FAILED) {
            throw new TunException("mmap of the io_uring " + what, Libc.errno(errno), "");
        }
        return address;
    }

    /** Submission entries: the most packets one {@link #submitAndWait} writes. */
    int entries() {
        return entries;
    }

    /**
     * Fills the {@code index}th entry after the published tail with a {@code writev(fd, iovecs, count)} whose
     * completion will carry {@code userData}.
     */
    void prepareWritev(int index, int targetFd, long iovecs, int count, int userData) {
        long at = SQE_BYTES * ((sqTail + index) & sqMask);
        for (long word = 0; word < SQE_BYTES; word += 8) {
            sqes.set(ValueLayout.JAVA_LONG, at + word, 0L);
        }
        sqes.set(ValueLayout.JAVA_BYTE, at, IORING_OP_WRITEV);
        sqes.set(ValueLayout.JAVA_INT, at + 4, targetFd);
        // off = -1: the file's own position; a TUN descriptor is a stream and has none.
        sqes.set(ValueLayout.JAVA_LONG, at + 8, -1L);
        sqes.set(ValueLayout.JAVA_LONG, at + 16, iovecs);
        sqes.set(ValueLayout.JAVA_INT, at + 24, count);
        sqes.set(ValueLayout.JAVA_LONG, at + 32, userData);
    }

    /**
     * Publishes the {@code count} entries prepared and waits until all of them completed, writing each completion's
     * result ({@code res}: bytes written, or {@code -errno}) to {@code results[userData]}.
     *
     * @return the {@code io_uring_enter} calls it took: 1 unless a signal or a transient refusal interrupted
     * @throws TunException if {@code io_uring_enter} fails otherwise; the ring must not be used again
     */
    int submitAndWait(int count, int[] results) throws TunException {
        sqTail += count;
        VarHandle.releaseFence();
        sqRing.set(ValueLayout.JAVA_INT, sqTailAt, sqTail);
        int unsubmitted = count;
        int reaped = 0;
        int calls = 0;
        while (reaped < count) {
            int consumed = Libc.ioUringEnterPlain(fd, unsubmitted, count - reaped, IORING_ENTER_GETEVENTS);
            calls++;
            if (consumed < 0) {
                // Refused as a whole (nothing consumed): again, capturing errno this time.
                MemorySegment errno = Libc.errnoState();
                consumed = Libc.ioUringEnter(errno, fd, unsubmitted, count - reaped, IORING_ENTER_GETEVENTS);
                calls++;
                int error = consumed < 0 ? Libc.errno(errno) : 0;
                // EINTR: a signal ended the wait; EAGAIN/EBUSY: the kernel asks to reap completions before more.
                if (consumed < 0 && error != Libc.EINTR && error != Libc.EAGAIN && error != Libc.EBUSY) {
                    throw new TunException("io_uring_enter", error, "");
                }
            }
            if (consumed > 0) {
                unsubmitted -= consumed;
            }
            reaped += reap(results);
        }
        return calls;
    }

    /** Reads every completion the kernel posted, and hands their slots back. */
    private int reap(int[] results) {
        int head = cqRing.get(ValueLayout.JAVA_INT, cqHeadAt);
        int tail = cqRing.get(ValueLayout.JAVA_INT, cqTailAt);
        VarHandle.acquireFence();
        int reaped = 0;
        for (; head != tail; head++) {
            long at = cqesAt + CQE_BYTES * (head & cqMask);
            results[(int) cqRing.get(ValueLayout.JAVA_LONG, at)] = cqRing.get(ValueLayout.JAVA_INT, at + 8);
            reaped++;
        }
        VarHandle.releaseFence();
        cqRing.set(ValueLayout.JAVA_INT, cqHeadAt, head);
        return reaped;
    }

    /** Unmaps the ring and closes its descriptor; the kernel cancels anything still in flight. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment errno = Libc.errnoState();
        Libc.munmap(errno, sqes.address(), sqes.byteSize());
        if (cqRingBytes != 0) {
            Libc.munmap(errno, cqRing.address(), cqRingBytes);
        }
        Libc.munmap(errno, sqRing.address(), sqRingBytes);
        Libc.close(errno, fd);
    }
}
