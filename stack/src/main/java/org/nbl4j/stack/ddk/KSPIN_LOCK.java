package org.nbl4j.stack.ddk;

import org.nbl4j.stack.kernel.SpinLock;

/**
 * {@code KSPIN_LOCK}: a spin lock a driver keeps in its own structure ({@code KSPIN_LOCK Lock;}, ported as
 * {@code final KSPIN_LOCK Lock = new KSPIN_LOCK();}). A new one is released and usable at once, as a zeroed
 * {@code KSPIN_LOCK} is on Windows: drivers that never call {@code KeInitializeSpinLock} work unchanged.
 */
public final class KSPIN_LOCK {
    final SpinLock lock = new SpinLock();

    /** Whether some thread holds the lock (what {@code !locks} would show). */
    public boolean isHeld() {
        return lock.isHeld();
    }
}
