/**
 * Text renderings of nbl4j's state in the formats of the Windows tools a driver developer already reads.
 *
 * <p>{@link org.nbl4j.core.diagnostics.PoolmonTable} prints a {@link org.nbl4j.core.memory.PoolUsageSnapshot} as
 * {@code poolmon.exe} prints pool tags; {@link org.nbl4j.core.diagnostics.NblDump} prints NET_BUFFER_LISTs as the
 * debugger extension command {@code !ndiskd.nbl} does (with {@code -NblCurrentOwner} and {@code -log} read from the
 * verifier, nbl4j's NBL tracker); {@link org.nbl4j.core.diagnostics.PendingNblsReport} prints the verifier's
 * outstanding NBLs as {@code !ndiskd.pendingnbls} does. Java objects have no addresses, so the dumps name objects
 * through an {@link org.nbl4j.core.diagnostics.IdNamer}. Section numbers refer to the project's write-ups
 * {@code nbl-reuse-leak-and-diagnostics.md} (§2, the formats) and {@code ndis-buffers.md} (§4, the NBL fields).
 */
@NullMarked
package org.nbl4j.core.diagnostics;

import org.jspecify.annotations.NullMarked;
