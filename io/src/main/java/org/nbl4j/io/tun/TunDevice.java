package org.nbl4j.io.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Linux TUN interface opened through {@code /dev/net/tun}: raw IP packets (no packet-information header,
 * {@code IFF_TUN | IFF_NO_PI}), one file descriptor per queue ({@code IFF_MULTI_QUEUE} when there is more than
 * one), read and written straight from off-heap memory. Opened with {@link TunOffloads}, every packet is preceded by
 * a {@link VirtioNetHeader} ({@code IFF_VNET_HDR}, {@code TUNSETVNETHDRSZ} 12) and the kernel may hand over the
 * super-packets and partial checksums {@code TUNSETOFFLOAD} allowed ({@link #offloads()}).
 *
 * <p>The interface exists as long as one of its descriptors is open and vanishes at {@link #close()}. Addresses,
 * MTU and link state are the caller's to configure (iproute2); moving the interface to another network namespace
 * leaves the descriptors working. Each queue may be used by one thread at a time for reading; writes may come from
 * any thread (the kernel serialises them). Closing while another thread still uses a queue is not allowed: the
 * descriptor number could be reused.
 *
 * <p>The JVM must allow native access to this module ({@code --enable-native-access}).
 */
public final class TunDevice implements AutoCloseable {
    /** Where Linux puts the TUN clone device. */
    public static final Path DEFAULT_CLONE_DEVICE = Path.of("/dev/net/tun");
    /** {@code IFNAMSIZ - 1}: the longest interface name Linux accepts, in bytes. */
    public static final int MAXIMUM_NAME_BYTES = 15;
    /** What {@link #read} and {@link #write} return when a non-blocking queue has nothing to give or take now. */
    public static final int WOULD_BLOCK = -1;

    /** {@code TUNSETIFF = _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x400454caL;
    /** {@code TUNSETOFFLOAD = _IOW('T', 208, unsigned int)}; the features are passed by value. */
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code TUNSETVNETHDRSZ = _IOW('T', 216, int)}; the size is passed by pointer. */
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;

    private static final short IFF_TUN = 0x0001;
    private static final short IFF_MULTI_QUEUE = 0x0100;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    /** {@code sizeof(struct ifreq)} on 64-bit Linux: the 16-byte name and a 24-byte union. */
    /** {@code TUNGETDEVNETNS = _IO('T', 227)} (Linux 5.2): a descriptor of the namespace the interface is in now. */
    private static final long TUNGETDEVNETNS = 0x54e3L;
    /** {@code SIOCGIFFLAGS}: an interface's {@code IFF_*} flags, by name, in the socket's network namespace. */
    private static final long SIOCGIFFLAGS = 0x8913L;
    /** This thread's own network namespace, to come back to after creating a socket in the interface's. */
    private static final String OWN_NETWORK_NAMESPACE = "/proc/thread-self/ns/net";

    /** {@code IFF_UP} in {@link #interfaceFlags()}: the interface is administratively up. */
    public static final int IFF_UP = 0x1;
    /**
     * {@code IFF_RUNNING} in {@link #interfaceFlags()}: the interface is up and operationally up (carrier on); the
     * kernel clears it with {@code ip link set down} and while no queue is attached.
     */
    public static final int IFF_RUNNING = 0x40;

    private static final int IFREQ_BYTES = 40;

    private static final long IFREQ_FLAGS_OFFSET = 16;

    private final String name;
    private final int[] fds;
    private final int ifIndex;
    private final boolean nonBlocking;
    private final TunOffloads offloads;
    private boolean closed;

    private TunDevice(String name, int[] fds, int ifIndex, boolean nonBlocking, TunOffloads offloads) {
        this.name = name;
        this.fds = fds;
        this.ifIndex = ifIndex;
        this.nonBlocking = nonBlocking;
        this.offloads = offloads;
    }

    /**
     * Opens (creating if needed) the TUN interface {@code name} with {@code queues} queues through
     * {@link #DEFAULT_CLONE_DEVICE}.
     *
     * @param name the interface name, at most {@value #MAXIMUM_NAME_BYTES} bytes; empty lets the kernel choose
     *     ({@code tun0}, ...), and a {@code %d} in it is replaced by the kernel
     * @param nonBlocking whether reads and writes return {@link #WOULD_BLOCK} instead of waiting
     * @throws TunException if the clone device is missing, the caller lacks CAP_NET_ADMIN, or the name is taken
     */
    public static TunDevice open(String name, int queues, boolean nonBlocking) throws TunException {
        return open(DEFAULT_CLONE_DEVICE, name, queues, nonBlocking);
    }

    /** {@link #open(String, int, boolean)} through another clone device path (for tests and unusual systems). */
    public static TunDevice open(Path cloneDevice, String name, int queues, boolean nonBlocking) throws TunException {
        return open(cloneDevice, name, queues, nonBlocking, TunOffloads.NONE);
    }

    /**
     * {@link #open(String, int, boolean)} asking for offloads: with {@link TunOffloads#virtioHeader()} every packet
     * read or written carries a 12-byte {@link VirtioNetHeader}, and the features the kernel refuses are dropped (USO
     * first, then TSO, then the checksum) until it accepts; {@link #offloads()} tells what it granted.
     */
    public static TunDevice open(String name, int queues, boolean nonBlocking, TunOffloads requested)
            throws TunException {
        return open(DEFAULT_CLONE_DEVICE, name, queues, nonBlocking, requested);
    }

    private static TunDevice open(Path cloneDevice, String name, int queues, boolean nonBlocking, TunOffloads requested)
            throws TunException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > MAXIMUM_NAME_BYTES) {
            throw new IllegalArgumentException("TUN interface name '" + name + "' is " + nameBytes.length
                    + " bytes long; Linux allows at most " + MAXIMUM_NAME_BYTES + " (IFNAMSIZ 16 with the NUL)");
        }
        if (queues < 1) {
            throw new IllegalArgumentException("a TUN device needs at least one queue: " + queues);
        }
        MemorySegment errno = Libc.errnoState();
        int[] fds = new int[queues];
        int opened = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(cloneDevice.toString());
            MemorySegment ifreq = arena.allocate(IFREQ_BYTES);
            ifreq.copyFrom(MemorySegment.ofArray(nameBytes));
            short flags = (short) (IFF_TUN
                    | IFF_NO_PI
                    | (queues > 1 ? IFF_MULTI_QUEUE : 0)
                    | (requested.virtioHeader() ? IFF_VNET_HDR : 0));
            ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET, flags);
            int openFlags = Libc.O_RDWR | Libc.O_CLOEXEC | (nonBlocking ? Libc.O_NONBLOCK : 0);
            while (opened < queues) {
                int fd = Libc.open(errno, path, openFlags);
                if (fd < 0) {
                    int error = Libc.errno(errno);
                    throw new TunException("open(" + cloneDevice + ")", error, openHint(error, cloneDevice));
                }
                fds[opened++] = fd;
                if (Libc.ioctl(errno, fd, TUNSETIFF, ifreq) < 0) {
                    int error = Libc.errno(errno);
                    throw new TunException(
                            "ioctl(TUNSETIFF, '" + name + "', queue " + (opened - 1) + ")",
                            error,
                            setInterfaceHint(error, queues));
                }
            }
            // The kernel wrote the final name back (it expands %d); every later queue attached to that name.
            String actual = ifreq.getString(0);
            // Header size and offloads belong to the interface, not the descriptor: set once, through the first.
            TunOffloads granted = requested.virtioHeader()
                    ? negotiateOffloads(errno, fds[0], actual, requested, arena)
                    : TunOffloads.NONE;
            int ifIndex = Libc.ifNameToIndex(errno, ifreq);
            if (ifIndex == 0) {
                int error = Libc.errno(errno);
                throw new TunException("if_nametoindex('" + actual + "')", error, "");
            }
            TunDevice device = new TunDevice(actual, fds, ifIndex, nonBlocking, granted);
            opened = 0;
            return device;
        } finally {
            for (int i = 0; i < opened; i++) {
                Libc.close(errno, fds[i]);
            }
        }
    }

    /** Sets the 12-byte header and asks for the requested features, with less each time the kernel refuses. */
    private static TunOffloads negotiateOffloads(
            MemorySegment errno, int fd, String name, TunOffloads requested, Arena arena) throws TunException {
        MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
        size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.BYTES);
        if (Libc.ioctl(errno, fd, TUNSETVNETHDRSZ, size) < 0) {
            throw new TunException("ioctl(TUNSETVNETHDRSZ, '" + name + "', 12)", Libc.errno(errno), "");
        }
        int[] dropInTurn = {
            TunOffloads.TUN_F_USO4 | TunOffloads.TUN_F_USO6 | TunOffloads.TUN_F_UFO,
            TunOffloads.TUN_F_TSO4 | TunOffloads.TUN_F_TSO6 | TunOffloads.TUN_F_TSO_ECN,
            TunOffloads.TUN_F_CSUM
        };
        TunOffloads asked = requested;
        for (int step = 0; ; step++) {
            if (Libc.ioctl(errno, fd, TUNSETOFFLOAD, MemorySegment.ofAddress(asked.features())) == 0) {
                return asked;
            }
            int error = Libc.errno(errno);
            if (error != Libc.EINVAL || step == dropInTurn.length) {
                throw new TunException("ioctl(TUNSETOFFLOAD, '" + name + "', " + asked + ")", error, "");
            }
            asked = asked.without(dropInTurn[step]);
        }
    }

    private static String openHint(int errno, Path cloneDevice) {
        return switch (errno) {
            case Libc.ENOENT, Libc.ENODEV ->
                cloneDevice + " is missing: load the tun module (modprobe tun), create the node (mknod " + cloneDevice
                        + " c 10 200), or pass it into the container (--device /dev/net/tun)";
            case Libc.EPERM, Libc.EACCES ->
                "no permission to open " + cloneDevice + ": TUN devices need root or CAP_NET_ADMIN";
            default -> "";
        };
    }

    private static String setInterfaceHint(int errno, int queues) {
        return switch (errno) {
            case Libc.EPERM, Libc.EACCES ->
                "creating or attaching to a TUN interface needs CAP_NET_ADMIN (run as root or grant the capability)";
            case Libc.EBUSY ->
                "the interface is busy: another process holds it"
                        + (queues > 1 ? " or it has no free queue" : " (a single-queue TUN takes one descriptor)");
            case Libc.EINVAL ->
                "the name is invalid, or taken by an interface that is not TUN, or by one opened with other flags"
                        + " (single- against multi-queue)";
            default -> "";
        };
    }

    /** The interface name the kernel gave. */
    public String name() {
        return name;
    }

    /** How many queues (descriptors) the device has. */
    public int queueCount() {
        return fds.length;
    }

    /**
     * The interface index in the network namespace the device was created in ({@code if_nametoindex} at open); a
     * move to another namespace may change it there.
     */
    public int ifIndex() {
        return ifIndex;
    }

    /** The offloads the kernel granted ({@link TunOffloads#NONE} for a device opened without a virtio header). */
    public TunOffloads offloads() {
        return offloads;
    }

    /** How many bytes of {@link VirtioNetHeader} precede every packet read or written: 0 or 12. */
    public int virtioHeaderBytes() {
        return offloads.virtioHeader() ? VirtioNetHeader.BYTES : 0;
    }

    /** Whether reads and writes return {@link #WOULD_BLOCK} instead of waiting. */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /**
     * The interface's flags ({@code SIOCGIFFLAGS}: {@link #IFF_UP}, {@link #IFF_RUNNING} and the others), asked of the
     * kernel now, in the network namespace the interface is in now: an {@code ip link set netns} after open moves it,
     * so the namespace is looked up each time ({@code TUNGETDEVNETNS}) and the socket for the ioctl is created in it
     * ({@code setns} of the calling thread only, and back). Needs {@code CAP_NET_ADMIN} over that namespace and
     * {@code CAP_SYS_ADMIN} to enter it.
     *
     * @throws TunException if a step failed, for example {@code EPERM} without those capabilities
     * @throws IllegalStateException if the thread could not return to its own namespace (it is left in the
     *     interface's; nothing else on it should touch the network)
     */
    public int interfaceFlags() throws TunException {
        requireOpen();
        MemorySegment errno = Libc.errnoState();
        int socket = socketInInterfaceNamespace(errno);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IFREQ_BYTES);
            ifreq.copyFrom(MemorySegment.ofArray(name.getBytes(StandardCharsets.UTF_8)));
            if (Libc.ioctl(errno, socket, SIOCGIFFLAGS, ifreq) < 0) {
                throw new TunException("ioctl(SIOCGIFFLAGS, '" + name + "')", Libc.errno(errno), "");
            }
            return Short.toUnsignedInt(ifreq.get(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET));
        } finally {
            Libc.close(errno, socket);
        }
    }

    /** A datagram socket created in the namespace the interface is in; a socket keeps its namespace for life. */
    private int socketInInterfaceNamespace(MemorySegment errno) throws TunException {
        int target = Libc.ioctl(errno, fds[0], TUNGETDEVNETNS, MemorySegment.NULL);
        if (target < 0) {
            throw new TunException("ioctl(TUNGETDEVNETNS, '" + name + "')", Libc.errno(errno), "");
        }
        int own = -1;
        try (Arena arena = Arena.ofConfined()) {
            own = Libc.open(errno, arena.allocateFrom(OWN_NETWORK_NAMESPACE), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (own < 0) {
                throw new TunException("open(" + OWN_NETWORK_NAMESPACE + ")", Libc.errno(errno), "");
            }
            if (Libc.setns(errno, target, Libc.CLONE_NEWNET) < 0) {
                throw new TunException("setns(namespace of '" + name + "')", Libc.errno(errno), "");
            }
            int socket = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            int socketErrno = Libc.errno(errno);
            if (Libc.setns(errno, own, Libc.CLONE_NEWNET) < 0) {
                if (socket >= 0) {
                    Libc.close(errno, socket);
                }
                throw new IllegalStateException(Thread.currentThread() + " could not return to its network namespace: "
                        + Libc.describe(Libc.errno(errno)));
            }
            if (socket < 0) {
                throw new TunException("socket(AF_INET) in the namespace of '" + name + "'", socketErrno, "");
            }
            return socket;
        } finally {
            Libc.close(errno, target);
            if (own >= 0) {
                Libc.close(errno, own);
            }
        }
    }

    /** The descriptor of a queue, for the miniport's poll set. */
    int fd(int queue) {
        requireOpen();
        return fds[queue];
    }

    /**
     * Reads one packet from a queue into {@code buffer[offset, offset + length)}.
     *
     * @return the packet's length, or {@link #WOULD_BLOCK}; a packet longer than {@code length} is cut short or
     *     refused by the kernel, so give room for the interface's MTU
     * @throws IllegalArgumentException if the range is outside the buffer or the buffer is not off-heap
     */
    public int read(int queue, MemorySegment buffer, long offset, int length) throws TunException {
        long address = addressOf(buffer, offset, length);
        int fd = fd(queue);
        MemorySegment errno = Libc.errnoState();
        try {
            while (true) {
                long n = Libc.read(errno, fd, address, length);
                if (n >= 0) {
                    return (int) n;
                }
                int error = Libc.errno(errno);
                if (error == Libc.EAGAIN) {
                    return WOULD_BLOCK;
                }
                if (error != Libc.EINTR) {
                    throw new TunException("read(" + name + ", queue " + queue + ")", error, "");
                }
            }
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    /**
     * Writes one packet, {@code buffer[offset, offset + length)}, to a queue: the kernel receives it on the
     * interface.
     *
     * @return the number of bytes written (the whole packet), or {@link #WOULD_BLOCK}
     */
    public int write(int queue, MemorySegment buffer, long offset, int length) throws TunException {
        long address = addressOf(buffer, offset, length);
        int fd = fd(queue);
        MemorySegment errno = Libc.errnoState();
        try {
            return (int) completeWrite(Libc.write(errno, fd, address, length), errno, queue);
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    /**
     * {@code writev}: one packet gathered from {@code count} {@code struct iovec}s at {@code iovecs}, whose memory
     * the caller keeps reachable.
     *
     * @return the number of bytes written, or {@link #WOULD_BLOCK}
     */
    long writeGather(int queue, MemorySegment iovecs, int count, MemorySegment errno) throws TunException {
        int fd = fd(queue);
        long n = Libc.writevPlain(fd, iovecs.address(), count);
        if (n >= 0) {
            return n;
        }
        // A refused write had no effect: write again, capturing errno (Libc.writePlain).
        do {
            n = Libc.writev(errno, fd, iovecs.address(), count);
        } while (n < 0 && Libc.errno(errno) == Libc.EINTR);
        return completeWrite(n, errno, queue);
    }

    private long completeWrite(long n, MemorySegment errno, int queue) throws TunException {
        if (n >= 0) {
            return n;
        }
        int error = Libc.errno(errno);
        if (error == Libc.EAGAIN) {
            return WOULD_BLOCK;
        }
        throw new TunException("write(" + name + ", queue " + queue + ")", error, "");
    }

    /**
     * Waits until a queue has a packet to read, at most {@code timeoutMillis} (0: just look; negative: no limit).
     *
     * @return whether a packet is waiting
     */
    public boolean awaitReadable(int queue, int timeoutMillis) throws TunException {
        int fd = fd(queue);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(Libc.POLLFD);
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_EVENTS, Libc.POLLIN);
            return Poller.poll(pollfd, 1, timeoutMillis, Libc.errnoState(), name) > 0;
        }
    }

    private static long addressOf(MemorySegment buffer, long offset, int length) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("TUN I/O needs off-heap memory: " + buffer);
        }
        Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        if (!buffer.scope().isAlive()) {
            throw new IllegalStateException("the buffer's memory has been freed: " + buffer);
        }
        return buffer.address() + offset;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("TUN device " + name + " is closed");
        }
    }

    /**
     * Closes every queue's descriptor, after which the interface is gone. Closing again does nothing.
     *
     * @throws TunException if a close failed; the other descriptors are closed all the same
     */
    @Override
    public void close() throws TunException {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment errno = Libc.errnoState();
        TunException failure = null;
        for (int queue = 0; queue < fds.length; queue++) {
            if (Libc.close(errno, fds[queue]) < 0 && failure == null) {
                failure = new TunException("close(" + name + ", queue " + queue + ")", Libc.errno(errno), "");
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
