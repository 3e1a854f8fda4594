package org.nbl4j.stack.ddk;

import org.nbl4j.stack.kernel.SystemThread;

/**
 * A referenced thread object ({@code PETHREAD}/{@code PKTHREAD}), from {@code ObReferenceObjectByHandle}: what an
 * unload waits for with {@code KeWaitForSingleObject} before it drops the reference with {@code ObDereferenceObject}.
 */
public final class PETHREAD {
    final SystemThread thread;

    PETHREAD(SystemThread thread) {
        this.thread = thread;
    }
}
