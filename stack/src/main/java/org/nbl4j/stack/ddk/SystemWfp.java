package org.nbl4j.stack.ddk;

import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.wfp.FilterEngine;

/**
 * The filter engine behind the {@code fwpsk.h} DDIs that take no handle naming one ({@code FwpsAllocate*},
 * {@code FwpsFree*}, {@code FwpsReference*}, tagging, {@code FwpsInjectionHandleCreate0}, {@code FwpsCalloutRegister*}).
 *
 * <p>Windows has one filter engine per machine, so those DDIs need no handle; nbl4j runs many stacks in one process,
 * so each thread is bound to one engine, as it is to one {@link SystemNdis}. Bind the thread that sets the driver up
 * and polls the stack with {@link #bind}; threads it starts from then on inherit the binding.
 */
public final class SystemWfp {
    private static final InheritableThreadLocal<@Nullable FilterEngine> CURRENT = new InheritableThreadLocal<>();

    private SystemWfp() {}

    /** A binding made by {@link #bind}; closing it restores the thread's previous binding. */
    public static final class Binding implements AutoCloseable {
        private final @Nullable FilterEngine previous;

        private Binding(@Nullable FilterEngine previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            CURRENT.set(previous);
        }
    }

    /** Binds the calling thread (and threads it starts from now on) to {@code engine}. */
    public static Binding bind(FilterEngine engine) {
        Binding binding = new Binding(CURRENT.get());
        CURRENT.set(engine);
        return binding;
    }

    /**
     * Runs a callout driver's {@code DriverEntry} with the calling thread bound to {@code engine}, as a host loads the
     * driver ({@code CalloutDriver.load}).
     *
     * @throws IllegalStateException naming the status if {@code DriverEntry} fails
     */
    public static void runDriverEntry(FilterEngine engine, IntSupplier driverEntry) {
        try (Binding _ = bind(engine)) {
            int status = driverEntry.getAsInt();
            if (status < 0) {
                throw new IllegalStateException("DriverEntry failed: " + NtStatus.describe(status));
            }
        }
    }

    /**
     * The calling thread's filter engine.
     *
     * @throws IllegalStateException if the thread is not bound
     */
    public static FilterEngine current() {
        FilterEngine engine = CURRENT.get();
        if (engine == null) {
            throw new IllegalStateException(
                    "this thread has no filter engine for the fwpsk DDIs: bind it with SystemWfp.bind(engine)");
        }
        return engine;
    }
}
