package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.device.CancelSafeQueue;
import org.nbl4j.stack.device.Irp;

/**
 * {@code IO_CSQ}: a cancel-safe queue, set up by {@code IoCsqInitialize} with the driver's six routines. The driver
 * keeps the IRPs in its own list (a {@code java.util.ArrayDeque} under its own lock ports a {@code LIST_ENTRY} head
 * under a spin lock).
 */
public final class IO_CSQ {
    /** {@code IO_CSQ_INSERT_IRP}. */
    @FunctionalInterface
    public interface IO_CSQ_INSERT_IRP {
        void insert(IO_CSQ Csq, IRP Irp);
    }

    /** {@code IO_CSQ_REMOVE_IRP}. */
    @FunctionalInterface
    public interface IO_CSQ_REMOVE_IRP {
        void remove(IO_CSQ Csq, IRP Irp);
    }

    /** {@code IO_CSQ_PEEK_NEXT_IRP}: the IRP after {@code Irp} ({@code NULL}: the first) matching the context. */
    @FunctionalInterface
    public interface IO_CSQ_PEEK_NEXT_IRP {
        @Nullable
        IRP peekNext(IO_CSQ Csq, @Nullable IRP Irp, @Nullable Object PeekContext);
    }

    /** {@code IO_CSQ_ACQUIRE_LOCK}: takes the queue's lock, storing the old IRQL in {@code Irql}. */
    @FunctionalInterface
    public interface IO_CSQ_ACQUIRE_LOCK {
        void acquire(IO_CSQ Csq, Ref<Integer> Irql);
    }

    /** {@code IO_CSQ_RELEASE_LOCK}. */
    @FunctionalInterface
    public interface IO_CSQ_RELEASE_LOCK {
        void release(IO_CSQ Csq, int Irql);
    }

    /** {@code IO_CSQ_COMPLETE_CANCELED_IRP}: completes a cancelled IRP, usually with STATUS_CANCELLED. */
    @FunctionalInterface
    public interface IO_CSQ_COMPLETE_CANCELED_IRP {
        void completeCanceled(IO_CSQ Csq, IRP Irp);
    }

    @Nullable
    CancelSafeQueue queue;

    /** The driver's routines seen from the engine's queue. */
    static final class Routines implements CancelSafeQueue.Callbacks {
        private final IO_CSQ csq;
        private final IO_CSQ_INSERT_IRP insert;
        private final IO_CSQ_REMOVE_IRP remove;
        private final IO_CSQ_PEEK_NEXT_IRP peek;
        private final IO_CSQ_ACQUIRE_LOCK acquire;
        private final IO_CSQ_RELEASE_LOCK release;
        private final IO_CSQ_COMPLETE_CANCELED_IRP completeCanceled;

        Routines(
                IO_CSQ csq,
                IO_CSQ_INSERT_IRP insert,
                IO_CSQ_REMOVE_IRP remove,
                IO_CSQ_PEEK_NEXT_IRP peek,
                IO_CSQ_ACQUIRE_LOCK acquire,
                IO_CSQ_RELEASE_LOCK release,
                IO_CSQ_COMPLETE_CANCELED_IRP completeCanceled) {
            this.csq = csq;
            this.insert = insert;
            this.remove = remove;
            this.peek = peek;
            this.acquire = acquire;
            this.release = release;
            this.completeCanceled = completeCanceled;
        }

        @Override
        public void insert(Irp irp, @Nullable Object insertContext) {
            insert.insert(csq, IRP.of(irp));
        }

        @Override
        public void remove(Irp irp) {
            remove.remove(csq, IRP.of(irp));
        }

        @Override
        public @Nullable Irp peekNext(@Nullable Irp irp, @Nullable Object peekContext) {
            IRP next = peek.peekNext(csq, irp == null ? null : IRP.of(irp), peekContext);
            return next == null ? null : next.irp;
        }

        @Override
        public int acquire() {
            Ref<Integer> irql = new Ref<>(0);
            acquire.acquire(csq, irql);
            Integer level = irql.value();
            return level == null ? 0 : level;
        }

        @Override
        public void release(int irql) {
            release.release(csq, irql);
        }

        @Override
        public void completeCanceled(Irp irp) {
            completeCanceled.completeCanceled(csq, IRP.of(irp));
        }
    }
}
