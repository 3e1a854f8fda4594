package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.kernel.SystemThread;

/**
 * A kernel {@code HANDLE} to a system thread, from {@code PsCreateSystemThread}: {@code ObReferenceObjectByHandle}
 * turns it into the thread object ({@code PETHREAD}), {@code ZwClose} closes it.
 */
public final class HANDLE {
    private @Nullable SystemThread thread;

    HANDLE(SystemThread thread) {
        this.thread = thread;
    }

    /** The thread, or {@code null} once the handle is closed. */
    @Nullable
    SystemThread thread() {
        return thread;
    }

    void close() {
        thread = null;
    }
}
