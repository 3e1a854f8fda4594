package org.nbl4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (or every test of a class) that leaves buffers or memory allocated on purpose, such as a test of a leak
 * report or a port of a driver that leaks. {@link NdisVerifierExtension} then requires that a leak did happen: a test
 * so marked whose code stopped leaking fails, so the mark cannot outlive the bug it documents. The NDIS instances are
 * shut down all the same.
 *
 * <p>The counterpart on Windows is an expected Driver Verifier 0xC4/0x62 at unload, or an expected {@code 0x7C/0x27}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface LeaksOnPurpose {}
