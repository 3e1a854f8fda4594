/**
 * The Windows Filtering Platform at the IP layers: the filter engine (layers, sublayers, filters, arbitration,
 * callouts), the WFP buffer functions (allocate, clone, deep clone, reference, tags, fragment-group reassembly), the
 * per-NBL WFP info container, and packet injection with its state query.
 *
 * <p>Start from {@link org.nbl4j.stack.wfp.FilterEngine}: it is the {@link org.nbl4j.stack.ip.PacketHook} the IP path
 * calls, and it hands out {@link org.nbl4j.stack.wfp.WfpBuffers} and {@link org.nbl4j.stack.wfp.InjectionHandle}s.
 * Section numbers refer to {@code wfp-callouts-and-injection.md} unless another document is named.
 */
@NullMarked
package org.nbl4j.stack.wfp;

import org.jspecify.annotations.NullMarked;
