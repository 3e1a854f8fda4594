/**
 * NET_BUFFER_LISTs, NET_BUFFERs, their pools and every operation on them, with NDIS's exact semantics.
 *
 * <p>Start from {@link org.nbl4j.core.buffer.Ndis}: it owns the tagged memory and makes the pools that hand out
 * {@link org.nbl4j.core.buffer.NetBufferList}s and {@link org.nbl4j.core.buffer.NetBuffer}s. Section numbers in the
 * documentation of this package refer to the project's write-up of the NDIS behaviour, {@code ndis-buffers.md}.
 */
@NullMarked
package org.nbl4j.core.buffer;

import org.jspecify.annotations.NullMarked;
