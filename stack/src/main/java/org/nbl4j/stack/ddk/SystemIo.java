package org.nbl4j.stack.ddk;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;

/**
 * The I/O manager behind the {@code Io*} DDIs, which take no handle naming one ({@code IoCreateSymbolicLink}), and the
 * driver unload the I/O manager performs. As with {@link SystemWfp}, each thread is bound to one: bind the thread that
 * runs {@code DriverEntry}; threads it starts inherit the binding.
 */
public final class SystemIo {
    private static final InheritableThreadLocal<@Nullable IoManager> CURRENT = new InheritableThreadLocal<>();

    private SystemIo() {}

    /** A binding made by {@link #bind}; closing it restores the thread's previous binding. */
    public static final class Binding implements AutoCloseable {
        private final @Nullable IoManager previous;

        private Binding(@Nullable IoManager previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            CURRENT.set(previous);
        }
    }

    /** Binds the calling thread (and threads it starts from now on) to {@code io}. */
    public static Binding bind(IoManager io) {
        Binding binding = new Binding(CURRENT.get());
        CURRENT.set(io);
        return binding;
    }

    /**
     * The calling thread's I/O manager.
     *
     * @throws IllegalStateException if the thread is not bound
     */
    public static IoManager current() {
        IoManager io = CURRENT.get();
        if (io == null) {
            throw new IllegalStateException(
                    "this thread has no I/O manager for the Io* DDIs: bind it with" + " SystemIo.bind(io)");
        }
        return io;
    }

    /**
     * Unloads a driver as the I/O manager does: calls its {@code DriverUnload}, then reports each IRP still pending on
     * its devices ({@code IRP_PENDING_AT_UNLOAD}).
     *
     * @return how many IRPs were still pending
     */
    public static int unload(DRIVER_OBJECT DriverObject) {
        List<Irp> left = current().unloadDriver(DriverObject, new UnloadCall(DriverObject));
        return left.size();
    }

    /** The driver's unload routine as the I/O manager runs it. */
    private record UnloadCall(DRIVER_OBJECT driverObject) implements Runnable {
        @Override
        public void run() {
            DRIVER_UNLOAD unload = driverObject.DriverUnload;
            if (unload != null) {
                unload.unload(driverObject);
            }
        }
    }
}
