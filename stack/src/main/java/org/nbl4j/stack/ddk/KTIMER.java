package org.nbl4j.stack.ddk;

import org.nbl4j.stack.kernel.KernelTimer;

/** {@code KTIMER}: a kernel timer; {@code KeSetTimer} sets it, optionally with a DPC to queue when it expires. */
public final class KTIMER {
    final KernelTimer timer = new KernelTimer();
}
