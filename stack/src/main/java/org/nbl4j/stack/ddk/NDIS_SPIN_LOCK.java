package org.nbl4j.stack.ddk;

/**
 * {@code NDIS_SPIN_LOCK}: a {@code KSPIN_LOCK} and the IRQL {@code NdisAcquireSpinLock} saved, which
 * {@code NdisReleaseSpinLock} restores. A new one is usable without {@code NdisAllocateSpinLock}, as a zeroed one is.
 */
public final class NDIS_SPIN_LOCK {
    /** {@code SpinLock}. */
    public final KSPIN_LOCK SpinLock = new KSPIN_LOCK();
    /** {@code OldIrql}: written by {@code NdisAcquireSpinLock}, read by {@code NdisReleaseSpinLock}. */
    public int OldIrql;
}
