/**
 * A datagram proxy callout driver shaped like Microsoft's {@code ddproxy} sample (wfp-callouts-and-injection §6.2):
 * flow contexts given at ALE_FLOW_ESTABLISHED, UDP datagrams redirected by modifying a clone and transport-injecting
 * it, the answers reversed on their way back.
 */
@NullMarked
package org.nbl4j.samples.ddproxy;

import org.jspecify.annotations.NullMarked;
