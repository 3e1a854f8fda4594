/**
 * A JUnit 5 extension for driver writers: {@link org.nbl4j.junit.NdisVerifierExtension} gives a test an NDIS instance
 * ({@code ndis.sys}'s counterpart, {@code org.nbl4j.core.buffer.Ndis}) with the verifier at full level, and fails the
 * test when it ends with anything still allocated or with a rule broken silently, naming the driver's line.
 */
@NullMarked
package org.nbl4j.junit;

import org.jspecify.annotations.NullMarked;
