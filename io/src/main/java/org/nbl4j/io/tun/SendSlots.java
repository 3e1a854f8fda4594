package org.nbl4j.io.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.MdlCursor;

/**
 * One sending thread's memory for writing packets to TUN descriptors ({@link TunMiniport#sendNetBufferLists}). Per
 * packet slot: the iovecs (the first for the virtio-net header), the header itself, and the checksum field an LSO
 * send patched, all kept until the packet's write has completed; per NBL of the batch, its status and payload so far.
 * A thread that writes chains through io_uring has {@value #RING_ENTRIES} slots and its {@link IoUring}; one that
 * writes packet by packet has one slot. Made once per thread (the ring when its first chain of several packets comes)
 * and reused, so a chain costs no allocation. The ring is closed when the thread's slots become unreachable (the
 * thread ended), through a {@link Cleaner}.
 */
final class SendSlots {
    /** The MDL runs one NB may span; a longer chain fails its send rather than being copied. */
    static final int MAXIMUM_IOVECS = 64;
    /** Submission entries of a thread's ring: the packets one {@code io_uring_enter} writes at most. */
    static final int RING_ENTRIES = 256;

    private static final int IOVECS_PER_SLOT = MAXIMUM_IOVECS + 1;
    private static final long HEADER_STRIDE = 16;

    private static final ThreadLocal<SendSlots> PER_THREAD = ThreadLocal.withInitial(() -> new SendSlots(1, null));
    private static final Cleaner CLEANER = Cleaner.create();
    /** io_uring_setup answered ENOSYS or EPERM once: the kernel will not give a ring to any thread. */
    private static volatile boolean ringRefused;

    final int capacity;
    final MemorySegment iovecs;
    final MemorySegment headers;
    /** The walk over an NB's MDL runs, reused for every packet. */
    final MdlCursor runs = new MdlCursor();
    /** The thread's ring; null when it writes packet by packet, or its ring failed. */
    @Nullable
    IoUring ring;
    /** This thread asked for a ring and got none. */
    private boolean noRing;

    // ---- per slot ----
    final int[] owner;
    final int[] length;
    /** What the write must report: the packet and the virtio-net header. */
    final int[] expected;
    /** The TCP payload of an LSO send, reported on success. */
    final int[] payload;
    /** Whether the slot went into the ring (its outcome is in {@link #results}) or failed before. */
    final boolean[] inRing;
    /** A failure status of a slot that never went into the ring. */
    final int[] refused;
    /** The completions' {@code res}, by slot. */
    final int[] results;

    private final long[] patchedAddress;
    private final MemorySegment[] patchedPacket;
    private final long[] patchedAt;
    private final short[] patchedSaved;

    // ---- per NBL of the batch ----
    final NetBufferList[] nbls;
    final int[] nblQueue;
    final int[] nblLso;
    final int[] nblStatus;
    final int[] nblPayload;

    /** NBLs, slots and ring entries of the batch being built. */
    int nblCount;

    int slotCount;
    int sqeCount;

    private SendSlots(int capacity, @Nullable IoUring ring) {
        this.capacity = capacity;
        this.ring = ring;
        Arena arena = Arena.ofAuto();
        this.iovecs = arena.allocate(Libc.IOVEC.byteSize() * IOVECS_PER_SLOT * capacity, 8);
        this.headers = arena.allocate(HEADER_STRIDE * capacity, 8);
        this.owner = new int[capacity];
        this.length = new int[capacity];
        this.expected = new int[capacity];
        this.payload = new int[capacity];
        this.inRing = new boolean[capacity];
        this.refused = new int[capacity];
        this.results = new int[capacity];
        this.patchedAddress = new long[capacity];
        this.patchedPacket = new MemorySegment[capacity];
        this.patchedAt = new long[capacity];
        this.patchedSaved = new short[capacity];
        this.nbls = new NetBufferList[capacity];
        this.nblQueue = new int[capacity];
        this.nblLso = new int[capacity];
        this.nblStatus = new int[capacity];
        this.nblPayload = new int[capacity];
    }

    /**
     * The calling thread's slots; with {@code ring}, those of its ring, set up now if it has none yet and the kernel
     * may give one (else the one-slot ones).
     */
    static SendSlots current(boolean ring) {
        SendSlots slots = PER_THREAD.get();
        if (!ring || slots.ring != null || slots.noRing || ringRefused) {
            return slots;
        }
        IoUring made;
        try {
            made = IoUring.setUp(RING_ENTRIES);
        } catch (TunException e) {
            if (e.errno() == Libc.ENOSYS || e.errno() == Libc.EPERM) {
                ringRefused = true;
            }
            slots.noRing = true;
            return slots;
        }
        SendSlots ringSlots = new SendSlots(Math.min(RING_ENTRIES, made.entries()), made);
        CLEANER.register(ringSlots, made::close);
        PER_THREAD.set(ringSlots);
        return ringSlots;
    }

    /** Whether io_uring_setup refused this process for good (ENOSYS, EPERM). */
    static boolean ringRefused() {
        return ringRefused;
    }

    /** The ring failed: closed, and this thread writes packet by packet from now on. */
    void dropRing() {
        IoUring failed = ring;
        ring = null;
        noRing = true;
        if (failed != null) {
            failed.close();
        }
    }

    /** The first iovec index of a slot: the virtio-net header's, when the device has one. */
    static int firstIovec(int slot) {
        return slot * IOVECS_PER_SLOT;
    }

    /** The address of a slot's iovecs, for its {@code writev}. */
    long iovecAddress(int slot) {
        return iovecs.address() + Libc.IOVEC.byteSize() * firstIovec(slot);
    }

    /** Where a slot's virtio-net header lies in {@link #headers}. */
    static long headerOffset(int slot) {
        return HEADER_STRIDE * slot;
    }

    /**
     * Whether an earlier slot of the batch patched the checksum field at {@code address}: the same header memory sent
     * twice (clones of one packet). Patching it again before that write completed would add the length twice.
     */
    boolean patchedBefore(int slot, long address) {
        for (int i = 0; i < slot; i++) {
            if (patchedPacket[i] != null && patchedAddress[i] == address) {
                return true;
            }
        }
        return false;
    }

    /** Records that a slot's write needs {@code packet}'s 16-bit field at {@code at} put back to {@code saved}. */
    void patched(int slot, MemorySegment packet, long at, short saved) {
        patchedPacket[slot] = packet;
        patchedAddress[slot] = packet.address() + at;
        patchedAt[slot] = at;
        patchedSaved[slot] = saved;
    }

    /** The slot's write has completed: puts back the field it patched, if any. */
    void restore(int slot) {
        MemorySegment packet = patchedPacket[slot];
        if (packet != null) {
            packet.set(BE16, patchedAt[slot], patchedSaved[slot]);
            patchedPacket[slot] = null;
        }
    }

    private static final ValueLayout.OfShort BE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
}
