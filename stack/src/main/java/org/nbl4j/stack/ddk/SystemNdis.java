package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.MiniportEdge;

/**
 * The NDIS instance behind DDIs that take no handle ({@code NdisAllocateMemoryWithTag},
 * {@code NdisGeneratePartialCancelId}) or are given a {@code NULL} one ({@code NdisAllocateNetBufferListPool(NULL,
 * ...)}).
 *
 * <p>Windows has one kernel, so those DDIs need no handle; nbl4j runs many independent {@link Ndis} instances in one
 * process, so each thread is bound to one of them, the way each thread has its own emulated IRQL. The stack binds
 * the threads it runs driver code on; a test or a driver's own thread binds with {@link #bind}. Threads started by a
 * bound thread inherit its binding.
 */
public final class SystemNdis {
    private static final InheritableThreadLocal<@Nullable Ndis> CURRENT = new InheritableThreadLocal<>();
    /**
     * Where the kernel helpers (spin locks, waits) report on a thread bound to no NDIS instance: a lock belongs to no
     * instance, and a driver's own thread may take one before it calls any NDIS function.
     */
    private static final Verifier UNBOUND = new Verifier(VerifierSettings.standard());

    private SystemNdis() {}

    /** A binding made by {@link #bind}; closing it restores the thread's previous binding. */
    public static final class Binding implements AutoCloseable {
        private final @Nullable Ndis previous;

        private Binding(@Nullable Ndis previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            CURRENT.set(previous);
        }
    }

    /** Binds the calling thread (and threads it starts from now on) to {@code ndis}. */
    public static Binding bind(Ndis ndis) {
        Binding binding = new Binding(CURRENT.get());
        CURRENT.set(ndis);
        return binding;
    }

    /**
     * The calling thread's NDIS instance.
     *
     * @throws IllegalStateException if the thread is not bound
     */
    public static Ndis current() {
        Ndis ndis = CURRENT.get();
        if (ndis == null) {
            throw new IllegalStateException("this thread has no NDIS instance for DDIs without a handle: "
                    + "run it on a stack thread or bind it with SystemNdis.bind(ndis)");
        }
        return ndis;
    }

    /**
     * The NDIS instance an {@code NDIS_HANDLE} names: an {@link NdisHandle}, a filter module's {@link LwfHandle}, a
     * miniport's {@link MiniportEdge}, a core {@link Ndis}, or {@code NULL} for the thread's instance.
     *
     * @throws IllegalArgumentException for any other object
     */
    static Ndis of(@Nullable Object ndisHandle) {
        return switch (ndisHandle) {
            case null -> current();
            case Ndis ndis -> ndis;
            case NdisHandle handle -> handle.ndis();
            case LwfHandle handle -> handle.ndis();
            case MiniportEdge edge -> edge.ndis();
            default -> throw new IllegalArgumentException("not an NDIS handle: " + ndisHandle);
        };
    }

    /** The calling thread's NDIS instance, or {@code null} on an unbound thread. */
    static @Nullable Ndis boundOrNull() {
        return CURRENT.get();
    }

    /** The verifier of the calling thread's NDIS instance, or a standard one of its own on an unbound thread. */
    static Verifier verifier() {
        Ndis ndis = CURRENT.get();
        return ndis == null ? UNBOUND : ndis.verifier();
    }

    /**
     * {@code routine}, to run on another thread (a DPC, a work item, a system thread) bound as the calling thread is
     * now: the threads the kernel helpers run driver code on are shared and were started by whichever thread came
     * first.
     */
    static Runnable boundAsCaller(Runnable routine) {
        Ndis ndis = CURRENT.get();
        if (ndis == null) {
            return routine;
        }
        return () -> {
            try (Binding _ = bind(ndis)) {
                routine.run();
            }
        };
    }
}
