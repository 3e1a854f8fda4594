/**
 * The seed drivers ported to nbl4j, each runnable and checked: {@link org.nbl4j.samples.lwfreuse} (seed 001, the
 * lightweight filter that recycles its send NBLs) and {@link org.nbl4j.samples.forwardinject} (seeds 000 and 002, a
 * forward-layer callout that deep-clones, modifies and forward-injects). Shared here: the packets they send.
 */
@NullMarked
package org.nbl4j.samples;

import org.jspecify.annotations.NullMarked;
