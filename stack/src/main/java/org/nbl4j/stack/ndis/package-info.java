/**
 * The NDIS side of an adapter: miniports (devices), lightweight filter modules stacked on them, and the protocol
 * binding the IP layer uses (ndis-buffers §6).
 */
@NullMarked
package org.nbl4j.stack.ndis;

import org.jspecify.annotations.NullMarked;
