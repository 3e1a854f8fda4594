package org.nbl4j.core.memory;

/**
 * The ways a caller can misuse tagged memory and MDLs, as memory tells its {@link MemoryWatch}. The watch names each
 * by the buffer rule it breaks (the constant of the same name in {@code verify.BufferRule}, or the one given here).
 */
public enum MemoryMisuse {
    /** A block freed twice ({@code MEMORY_DOUBLE_FREE}). */
    MEMORY_DOUBLE_FREE,
    /** A block or MDL freed to memory or an MDL pool that did not allocate it ({@code MEMORY_FOREIGN_FREE}). */
    MEMORY_FOREIGN_FREE,
    /** An MDL asked for over heap memory ({@code MEMORY_NOT_NONPAGED}). */
    MEMORY_NOT_NONPAGED,
    /** An MDL freed twice ({@code MDL_DOUBLE_FREE}). */
    MDL_DOUBLE_FREE,
    /** {@code NdisAdjustMdlLength} beyond the allocated length ({@code MDL_ADJUST_TOO_LONG}). */
    MDL_ADJUST_TOO_LONG,
    /** An MDL freed with its length not restored ({@code MDL_LENGTH_NOT_RESTORED}). */
    MDL_LENGTH_NOT_RESTORED,
    /** The MDL of a data-pool element freed on its own: it goes with its NB ({@code NB_FREE_EMBEDDED}). */
    EMBEDDED_MDL_FREED
}
