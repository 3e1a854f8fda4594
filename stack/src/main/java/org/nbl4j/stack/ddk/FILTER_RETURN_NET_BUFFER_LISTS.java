package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * {@code FilterReturnNetBufferLists}: indicated NBLs come back from above.
 *
 * <p>The C function type of one handler of {@link NDIS_FILTER_DRIVER_CHARACTERISTICS}; a ported driver assigns a method
 * reference to the field. Every handler but {@code FilterAttach} and {@code FilterSetOptions} receives the module context
 * the driver gave {@code NdisFSetAttributes}.
 */
@FunctionalInterface
public interface FILTER_RETURN_NET_BUFFER_LISTS {
    /** Called by NDIS. */
    void filterReturnNetBufferLists(
            @Nullable Object filterModuleContext, NetBufferList netBufferLists, int returnFlags);
}
