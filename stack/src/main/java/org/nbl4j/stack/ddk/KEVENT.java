package org.nbl4j.stack.ddk;

import org.nbl4j.stack.kernel.KernelEvent;

/**
 * {@code KEVENT}: a kernel event a driver keeps in its own structure; {@code KeInitializeEvent} sets its type and
 * state. A new one is a notification event that is not signalled.
 */
public final class KEVENT {
    final KernelEvent event = new KernelEvent();
}
