package org.nbl4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (or every test of a class) that breaks verifier rules on purpose where they are not thrown at the test
 * (under {@code COLLECT} or {@code LOG}, a clone the held-clone watchdog's timer finds held too long), typically to
 * assert on {@code verifier().violations()} itself.
 * {@link NdisVerifierExtension} then requires that at least one violation was recorded, instead of failing the test
 * for it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ViolatesOnPurpose {}
