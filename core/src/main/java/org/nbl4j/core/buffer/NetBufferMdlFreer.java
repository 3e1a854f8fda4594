package org.nbl4j.core.buffer;

import org.nbl4j.core.memory.Mdl;

/**
 * A driver's {@code NetFreeMdl} handler ({@code NET_BUFFER_FREE_MDL}): undoes what its {@link NetBufferMdlAllocator}
 * did, MDL and memory.
 */
@FunctionalInterface
public interface NetBufferMdlFreer {
    /** Frees the MDL and the memory it describes. */
    void freeMdl(Mdl mdl);
}
