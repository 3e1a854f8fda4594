/**
 * The machinery behind tagged memory and the pools that is no part of nbl4j's API: the per-thread free lists
 * ({@link org.nbl4j.core.memory.internal.Recycler}, the counterpart of NDIS's per-processor lookaside lists), the
 * element counters they count into, and the per-thread table both are found in.
 *
 * <p>The package is not exported: {@code module-info.java} exports it only to {@code org.nbl4j.stack}, whose WFP info
 * containers ({@code Wfpn}) are pooled the same way.
 */
@NullMarked
package org.nbl4j.core.memory.internal;

import org.jspecify.annotations.NullMarked;
