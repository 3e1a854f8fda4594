/**
 * What the stack's packages share that is no part of any of their APIs: the per-thread re-entrancy frames of the IP
 * path and the filter engine. Not for users of nbl4j.
 */
@NullMarked
package org.nbl4j.stack.internal;

import org.jspecify.annotations.NullMarked;
