/**
 * A transport inspection callout driver shaped like Microsoft's {@code inspect} sample (wfp-callouts-and-injection
 * §6.1): pended ALE authorizations, cloned transport packets, a PASSIVE_LEVEL worker that decides and reinjects.
 */
@NullMarked
package org.nbl4j.samples.inspect;

import org.jspecify.annotations.NullMarked;
