package org.nbl4j.core.verify;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.MemoryMisuse;
import org.nbl4j.core.memory.MemoryWatch;
import org.nbl4j.core.memory.PoolTag;

/** A verifier as the {@link MemoryWatch} of its tagged memory: memory's misuses reported as buffer rules. */
final class VerifierMemoryWatch implements MemoryWatch {
    private final Verifier verifier;

    VerifierMemoryWatch(Verifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public boolean follows() {
        return verifier.enabled();
    }

    @Override
    public @Nullable Object allocated(MemoryBlock block, PoolTag tag) {
        return verifier.track(block, tag, false);
    }

    @Override
    public void freed(Object record) {
        verifier.freed((BufferTrack) record);
    }

    @Override
    public void misused(MemoryMisuse misuse, String detail, @Nullable Object record) {
        verifier.report(rule(misuse), detail, (BufferTrack) record, 0);
    }

    @Override
    public RuntimeException rejected(MemoryMisuse misuse, String detail) {
        return verifier.rejected(rule(misuse), detail);
    }

    @Override
    public boolean irqlAtMostDispatch(String ddi, String header) {
        return verifier.irqlAtMost(Irql.DISPATCH_LEVEL, ddi, header);
    }

    private static BufferRule rule(MemoryMisuse misuse) {
        return switch (misuse) {
            case MEMORY_DOUBLE_FREE -> BufferRule.MEMORY_DOUBLE_FREE;
            case MEMORY_FOREIGN_FREE -> BufferRule.MEMORY_FOREIGN_FREE;
            case MEMORY_NOT_NONPAGED -> BufferRule.MEMORY_NOT_NONPAGED;
            case MDL_DOUBLE_FREE -> BufferRule.MDL_DOUBLE_FREE;
            case MDL_ADJUST_TOO_LONG -> BufferRule.MDL_ADJUST_TOO_LONG;
            case MDL_LENGTH_NOT_RESTORED -> BufferRule.MDL_LENGTH_NOT_RESTORED;
            case EMBEDDED_MDL_FREED -> BufferRule.NB_FREE_EMBEDDED;
        };
    }
}
