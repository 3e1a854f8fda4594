package org.nbl4j.io.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The few libc functions a TUN device needs, bound with the Foreign Function &amp; Memory API.
 *
 * <p>Every call that can fail captures {@code errno} into a per-thread state segment ({@link #errnoState()}), read
 * back with {@link #errno}; the data path's writes and {@code io_uring_enter} also come in plain forms that do not
 * ({@link #writePlain}), repeated with capture only when they fail. {@code mmap} and the io_uring system calls serve
 * {@link IoUring}. Data-path calls ({@code read}, {@code write}, {@code writev}) take buffer addresses as
 * 64-bit integers rather than {@code MemorySegment}s so that the hot path makes no segment views; their callers
 * check bounds and keep the memory reachable. The constants are Linux's for x86-64 and AArch64.
 */
final class Libc {
    static final int O_RDONLY = 0x0;
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int ENOSYS = 38;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_POPULATE = 0x8000;
    /** {@code mmap}'s failure value, {@code (void *) -1}. */
    static final long MAP_FAILED = -1L;

    /**
     * {@code __NR_io_uring_setup} and {@code __NR_io_uring_enter}: 425 and 426 on x86-64 and on every architecture of
     * the generic table (AArch64), from Linux 5.1 on; {@link #IO_URING_SYSCALLS} says whether this machine is one.
     */
    static final long SYS_IO_URING_SETUP = 425;

    static final long SYS_IO_URING_ENTER = 426;
    /** Whether the io_uring system call numbers above are this architecture's. */
    static final boolean IO_URING_SYSCALLS = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64", "aarch64" -> true;
        default -> false;
    };

    static final short POLLIN = 0x1;

    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = O_CLOEXEC;
    static final int CLONE_NEWNET = 0x40000000;

    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;

    /** {@code struct pollfd {int fd; short events; short revents;}}. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents"));

    static final long POLLFD_EVENTS = 4;
    static final long POLLFD_REVENTS = 6;

    /** {@code struct iovec {void *iov_base; size_t iov_len;}}. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("iov_base"), ValueLayout.JAVA_LONG.withName("iov_len"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> ERRNO_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle OPEN = errnoCapturing(
            "open",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE =
            errnoCapturing("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = errnoCapturing(
            "ioctl",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = errnoCapturing(
            "read",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = errnoCapturing(
            "write",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITEV = errnoCapturing(
            "writev",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE_PLAIN = LINKER.downcallHandle(
            symbol("write"),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITEV_PLAIN = LINKER.downcallHandle(
            symbol("writev"),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = errnoCapturing(
            "poll",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCapturing(
            "eventfd", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SOCKET = errnoCapturing(
            "socket",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = errnoCapturing(
            "setns", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX =
            errnoCapturing("if_nametoindex", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle MMAP = errnoCapturing(
            "mmap",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCapturing(
            "munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    /** {@code syscall(2)} with two arguments, passed as longs (variadic: each fills its register whole). */
    private static final MethodHandle SYSCALL_2 = errnoCapturing(
            "syscall",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static final FunctionDescriptor SYSCALL_6_ARGUMENTS = FunctionDescriptor.of(
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG);
    /** {@code syscall(2)} with six arguments. */
    private static final MethodHandle SYSCALL_6 =
            errnoCapturing("syscall", SYSCALL_6_ARGUMENTS, Linker.Option.firstVariadicArg(1));

    private static final MethodHandle SYSCALL_6_PLAIN =
            LINKER.downcallHandle(symbol("syscall"), SYSCALL_6_ARGUMENTS, Linker.Option.firstVariadicArg(1));

    private static final MethodHandle STRERROR_R = LINKER.downcallHandle(
            symbol("strerror_r"),
            FunctionDescriptor.of(
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    /** glibc 2.32+; absent elsewhere, and then errno names fall back to their number. */
    private static final Optional<MethodHandle> STRERRORNAME_NP = LIBC.find("strerrorname_np")
            .map(address ->
                    LINKER.downcallHandle(address, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)));

    private Libc() {}

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle errnoCapturing(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** This thread's call-state segment, which every errno-capturing call below fills. */
    static MemorySegment errnoState() {
        return ERRNO_STATE.get();
    }

    /** The errno the last failing call on {@code state} captured. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, argument);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long read(MemorySegment state, int fd, long address, long length) {
        try {
            return (long) READ.invokeExact(state, fd, address, length);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long write(MemorySegment state, int fd, long address, long length) {
        try {
            return (long) WRITE.invokeExact(state, fd, address, length);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long writev(MemorySegment state, int fd, long iovecs, int count) {
        try {
            return (long) WRITEV.invokeExact(state, fd, iovecs, count);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code mmap(2)} of a descriptor's memory; {@link #MAP_FAILED} on failure. */
    static long mmap(MemorySegment state, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) MMAP.invokeExact(state, 0L, length, prot, flags, fd, offset);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int munmap(MemorySegment state, long address, long length) {
        try {
            return (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code io_uring_setup(entries, params)}: the ring's descriptor, or -1 with errno (ENOSYS, EPERM, ENOMEM). */
    static int ioUringSetup(MemorySegment state, int entries, long params) {
        try {
            return (int) (long) SYSCALL_2.invokeExact(state, SYS_IO_URING_SETUP, (long) entries, params);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0)}: SQEs consumed, or -1 with errno. */
    static int ioUringEnter(MemorySegment state, int fd, int toSubmit, int minComplete, int flags) {
        try {
            return (int) (long) SYSCALL_6.invokeExact(
                    state, SYS_IO_URING_ENTER, (long) fd, (long) toSubmit, (long) minComplete, (long) flags, 0L, 0L);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@code write} without capturing errno. Capturing checks the state segment with a slice per call, which the JIT
     * does not always scalar-replace: a per-call allocation on the data path. The data path calls these plain forms
     * and, only when one fails, calls again with capture to learn errno; that is sound for a TUN write, an eventfd
     * write and {@code io_uring_enter}, which have no effect when they fail.
     *
     * @return the bytes written, or -1 (errno unknown)
     */
    static long writePlain(int fd, long address, long length) {
        try {
            return (long) WRITE_PLAIN.invokeExact(fd, address, length);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code writev} without capturing errno ({@link #writePlain}). */
    static long writevPlain(int fd, long iovecs, int count) {
        try {
            return (long) WRITEV_PLAIN.invokeExact(fd, iovecs, count);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@link #ioUringEnter} without capturing errno ({@link #writePlain}): -1 on failure, errno unknown. */
    static int ioUringEnterPlain(int fd, int toSubmit, int minComplete, int flags) {
        try {
            return (int) (long) SYSCALL_6_PLAIN.invokeExact(
                    SYS_IO_URING_ENTER, (long) fd, (long) toSubmit, (long) minComplete, (long) flags, 0L, 0L);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int poll(MemorySegment state, MemorySegment pollfds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, pollfds, count, timeoutMillis);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int eventfd(MemorySegment state, int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initialValue, flags);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code setns(2)}: moves the calling thread (only it, for a network namespace) into {@code fd}'s namespace. */
    static int setns(MemorySegment state, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(state, fd, nstype);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static int ifNameToIndex(MemorySegment state, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(state, name);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** The symbolic name of an errno value, such as {@code ENOENT}, or {@code errno 123} if libc cannot say. */
    static String errnoName(int errno) {
        if (STRERRORNAME_NP.isPresent()) {
            try {
                MemorySegment name = (MemorySegment) STRERRORNAME_NP.get().invokeExact(errno);
                if (!name.equals(MemorySegment.NULL)) {
                    return name.reinterpret(64).getString(0);
                }
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }
        return "errno " + errno;
    }

    /** {@code strerror}'s text for an errno value, through the thread-safe GNU {@code strerror_r}. */
    static String strerror(int errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            MemorySegment text = (MemorySegment) STRERROR_R.invokeExact(errno, buffer, buffer.byteSize());
            return text.reinterpret(256).getString(0);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** {@code ENOENT (No such file or directory)}: how error messages show an errno. */
    static String describe(int errno) {
        return errnoName(errno) + " (" + strerror(errno) + ")";
    }
}
