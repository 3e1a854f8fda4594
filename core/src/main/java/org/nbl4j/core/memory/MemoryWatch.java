package org.nbl4j.core.memory;

import org.jspecify.annotations.Nullable;

/**
 * What watches a {@link TaggedMemory} and the MDLs made from it: told of the blocks it follows as they are allocated
 * and freed, and of every misuse, which it records and answers.
 *
 * <p>The buffer verifier implements it ({@code Verifier.memoryWatch()}); memory declares it so that it depends on
 * nothing above it. Windows' counterpart is Driver Verifier's pool tracking, hooked into {@code ExAllocatePoolWithTag},
 * {@code ExFreePool}, {@code IoAllocateMdl} and {@code IoFreeMdl}.
 */
public interface MemoryWatch {
    /** Whether the watch follows blocks at all; memory reads it once, so that with the verifier off it tests a field. */
    boolean follows();

    /**
     * A block was allocated under {@code tag}.
     *
     * @return the watch's record of the block, kept with it until after its free, or {@code null} if not followed
     */
    @Nullable
    Object allocated(MemoryBlock block, PoolTag tag);

    /** A block the watch follows was freed; {@code record} is what {@link #allocated} returned for it. */
    void freed(Object record);

    /**
     * A caller misused memory whose history forbids the call (a second free, a length not restored). Returns only if
     * the watch's policy lets the program go on, after which the caller must refuse the call.
     *
     * @param record the watch's record of the block involved, or {@code null}
     */
    void misused(MemoryMisuse misuse, String detail, @Nullable Object record);

    /**
     * A malformed call (heap memory, a length out of range, another allocator's descriptor): reported, and thrown
     * whatever the policy. Declared to return the exception so that the caller writes {@code throw
     * watch.rejected(...)}.
     */
    RuntimeException rejected(MemoryMisuse misuse, String detail);

    /**
     * Checks the documented IRQL rule of a memory DDI a driver called: {@code IRQL <= DISPATCH_LEVEL} for each of them
     * ({@code NdisFreeMemory}, {@code NdisFreeMdl}, {@code NdisQueryMdl}, {@code MmGetSystemAddressForMdlSafe}). A
     * broken rule is reported, citing the DDI's page under {@code header}; it returns only if the watch's policy lets
     * the program go on, after which the caller must refuse the call.
     *
     * @return whether the call may go on
     */
    boolean irqlAtMostDispatch(String ddi, String header);
}
