/**
 * Seeds 000 and 002 ported to the {@code Fwpsk} facade: a callout at IPFORWARD_V4/V6 that deep-clones each forwarded
 * packet ({@code FwpsAllocateDeepCloneNetBufferList0}), rewrites its DSCP, absorbs the original and forward-injects
 * the clone ({@code FwpsInjectForwardAsync0}), freeing it in the completion function
 * ({@link org.nbl4j.samples.forwardinject.ForwardInjectCallout}); and a variant that holds its clones past the
 * verifier's budget ({@link org.nbl4j.samples.forwardinject.HoldingForwardCallout}); and seed 000 end to end, the
 * clones handed to a user-mode application for a verdict through pended IOCTLs, with a default verdict before the
 * budget ({@link org.nbl4j.samples.forwardinject.UserVerdictCallout}, the shared header
 * {@link org.nbl4j.samples.forwardinject.UserVerdictIoctl}, the application {@code samples/src/main/python/user_verdicts.py}).
 */
@NullMarked
package org.nbl4j.samples.forwardinject;

import org.jspecify.annotations.NullMarked;
