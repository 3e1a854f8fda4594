package org.nbl4j.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;

/**
 * Small helpers for the buffer tests: MDL chains over caller-owned off-heap memory with known bytes, and walking
 * NB/MDL lists.
 *
 * <p>Chain bytes are "sequential": the logical byte at offset {@code i} of a chain built by {@link #chain} is
 * {@code (first + i) & 0xFF}, whatever the MDL boundaries, so a test can tell which bytes it is looking at.
 */
final class Packets {
    /** Tag for the tests' own pools. */
    static final PoolTag TEST_TAG = PoolTag.of("Test");

    private Packets() {}

    /**
     * An MDL chain (NdisAllocateMdl per MDL) over fresh memory, MDLs of the given lengths (0 allowed), logical bytes
     * {@code first, first + 1, ...}.
     */
    static Mdl chain(Ndis ndis, int first, int... lengths) {
        Mdl head = null;
        Mdl tail = null;
        int value = first;
        for (int length : lengths) {
            Mdl mdl = mdlOver(ndis, buffer(Math.max(length, 1), 16), length);
            for (int i = 0; i < length; i++) {
                mdl.memory().set(ValueLayout.JAVA_BYTE, i, (byte) value++);
            }
            if (tail == null) {
                head = mdl;
            } else {
                tail.setNext(mdl);
            }
            tail = mdl;
        }
        if (head == null) {
            throw new IllegalArgumentException("no lengths");
        }
        return head;
    }

    /** Fresh off-heap memory the caller owns, aligned to {@code alignment}. */
    static MemorySegment buffer(long size, long alignment) {
        return Arena.ofAuto().allocate(size, alignment);
    }

    /** {@code NdisFreeMdl} for each MDL of a chain {@link #chain} built: the caller's MDLs are the caller's to free. */
    static void freeChain(Ndis ndis, @Nullable Mdl head) {
        for (Mdl mdl : mdls(head)) {
            ndis.freeMdl(mdl);
        }
    }

    /**
     * {@code NdisFreeNetBuffer}, then the caller's MDL chain the NB was allocated over ({@link #freeChain}, none if
     * {@code null}): NDIS frees neither the MDLs nor their memory with a plain NB (§4.8).
     */
    static void freeNb(Ndis ndis, NetBuffer nb, @Nullable Mdl chain) {
        nb.free();
        freeChain(ndis, chain);
    }

    /** NdisAllocateMdl over the first {@code length} bytes of {@code memory}. */
    static Mdl mdlOver(Ndis ndis, MemorySegment memory, int length) {
        return ndis.allocateMdl(memory, length);
    }

    /** {@code count} sequential bytes starting at {@code first}. */
    static byte[] seq(int first, int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }

    /** Bytes from ints, for readable literals. */
    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** Every MDL of a chain, in order. */
    static List<Mdl> mdls(@Nullable Mdl head) {
        List<Mdl> list = new ArrayList<>();
        for (Mdl mdl = head; mdl != null; mdl = mdl.next()) {
            list.add(mdl);
        }
        return list;
    }

    /** The ByteCounts of a chain, in order. */
    static int[] byteCounts(@Nullable Mdl head) {
        return mdls(head).stream().mapToInt(Mdl::byteCount).toArray();
    }

    /** Every byte the chain describes, in logical order. */
    static byte[] chainBytes(@Nullable Mdl head) {
        int total = 0;
        for (Mdl mdl : mdls(head)) {
            total += mdl.byteCount();
        }
        byte[] out = new byte[total];
        int at = 0;
        for (Mdl mdl : mdls(head)) {
            MemorySegment.copy(mdl.memory(), ValueLayout.JAVA_BYTE, 0, out, at, mdl.byteCount());
            at += mdl.byteCount();
        }
        return out;
    }

    /** Every NB of an NBL, in order. */
    static List<NetBuffer> netBuffers(NetBufferList nbl) {
        List<NetBuffer> list = new ArrayList<>();
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            list.add(nb);
        }
        return list;
    }

    /** Total ByteCount of a chain. */
    static int chainLength(@Nullable Mdl head) {
        int total = 0;
        for (Mdl mdl : mdls(head)) {
            total += mdl.byteCount();
        }
        return total;
    }

    /**
     * An NBL from {@code nblPool} (which must allocate an NB per NBL, no data) whose NBs each describe one of the
     * given chains completely (DataOffset 0): the first is the embedded NB, the others come from {@code nbPool} and
     * are linked after it.
     */
    static NetBufferList nblOf(NetBufferListPool nblPool, NetBufferPool nbPool, Mdl... chains) {
        NetBufferList nbl = nblPool.allocateNetBufferAndNetBufferList(0, 0, chains[0], 0, chainLength(chains[0]));
        if (nbl == null) {
            throw new IllegalStateException("pool cannot make an NBL with an NB");
        }
        NetBuffer last = nbl.firstNetBuffer();
        for (int i = 1; i < chains.length; i++) {
            NetBuffer nb = nbPool.allocateNetBuffer(chains[i], 0, chainLength(chains[i]));
            if (nb == null || last == null) {
                throw new IllegalStateException("NB pool is a data pool");
            }
            last.setNext(nb);
            last = nb;
        }
        return nbl;
    }

    /** Frees the NBs {@link #nblOf} took from the NB pool, then the NBL. */
    static void freeNblOf(NetBufferList nbl) {
        NetBuffer first = nbl.firstNetBuffer();
        NetBuffer nb = first == null ? null : first.next();
        if (first != null) {
            first.setNext(null);
        }
        while (nb != null) {
            NetBuffer following = nb.next();
            nb.setNext(null);
            nb.free();
            nb = following;
        }
        nbl.free();
    }

    /**
     * {@link #freeNblOf}, then the caller's MDL chain each NB described ({@link #freeChain}): NdisFreeNetBufferList
     * frees neither (§4.8). The NBs must describe the chains they were allocated over, from their first MDL.
     */
    static void freeNblAndChains(Ndis ndis, NetBufferList nbl) {
        List<Mdl> chains = new ArrayList<>();
        for (NetBuffer nb : netBuffers(nbl)) {
            Mdl chain = nb.mdlChain();
            if (chain != null) {
                chains.add(chain);
            }
        }
        freeNblOf(nbl);
        chains.forEach(chain -> freeChain(ndis, chain));
    }

    /** Outstanding allocations of a tag. */
    static long diff(Ndis ndis, PoolTag tag) {
        return ndis.poolUsage().diff(tag);
    }

    /** Bytes in use under a tag. */
    static long bytesInUse(Ndis ndis, PoolTag tag) {
        return ndis.poolUsage().usage(tag).map(u -> u.bytes()).orElse(0L);
    }

    /**
     * A driver's NetAllocateMdl / NetFreeMdl pair: MDL plus a buffer from NdisAllocateMemoryWithTagPriority under
     * {@link #TAG}, with call counting, an optional failure on the k-th allocation and optional extra bytes granted.
     */
    static final class DriverMdls implements NetBufferMdlAllocator, NetBufferMdlFreer {
        static final PoolTag TAG = PoolTag.of("Drvr");

        private final Ndis ndis;
        private final Map<Mdl, MemoryBlock> blocks = new IdentityHashMap<>();
        final List<Integer> requestedSizes = new ArrayList<>();
        final List<Mdl> freed = new ArrayList<>();
        int failOnCall = -1;
        int extra;

        DriverMdls(Ndis ndis) {
            this.ndis = ndis;
        }

        @Override
        public @Nullable Mdl allocateMdl(int minimumSize) {
            int call = requestedSizes.size();
            requestedSizes.add(minimumSize);
            if (call == failOnCall) {
                return null;
            }
            int size = minimumSize + extra;
            MemoryBlock block = ndis.allocateMemoryWithTag(size, TAG);
            if (block == null) {
                return null;
            }
            Mdl mdl = ndis.allocateMdl(block.segment(), size);
            blocks.put(mdl, block);
            return mdl;
        }

        @Override
        public void freeMdl(Mdl mdl) {
            freed.add(mdl);
            MemoryBlock block = blocks.remove(mdl);
            ndis.freeMdl(mdl);
            if (block != null) {
                ndis.freeMemory(block);
            }
        }
    }
}
