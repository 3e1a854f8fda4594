package org.nbl4j.junit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.opentest4j.AssertionFailedError;

/**
 * A JUnit 5 extension that runs each test as Driver Verifier runs a driver: with the NDIS instances it uses watched,
 * and a verdict when the test ends. Corresponds to unloading a driver under Driver Verifier with the NDIS NBL tracker
 * on: what is still allocated at unload (0xC4/0x62, 0x7C/0x27) and every rule broken fails the test, and the failure
 * names the line that allocated or broke the rule.
 *
 * <p>Two ways to get an NDIS instance:
 *
 * <ul>
 *   <li>{@code @ExtendWith(NdisVerifierExtension.class)} and an {@link Ndis} parameter of a test or
 *       {@code @BeforeEach} method: one checked-mode instance per test with {@link #testSettings()} (every buffer
 *       tracked with its allocation site, violations collected rather than thrown, use after free caught);
 *   <li>a {@code @RegisterExtension} field (one extension per test instance) and {@link #create}, {@link
 *       #createChecked} or {@link #watch} from field initialisers or the test: for other settings, or an instance a
 *       stack was built on.
 * </ul>
 *
 * <p>After each test the extension shuts every instance down ({@link Ndis#close()}, last created first; a stack built
 * on one must be closed by the test before) and fails the test when one of them still had memory allocated under any
 * tag, or recorded a violation that was not {@link org.nbl4j.core.verify.Violation#thrown() thrown}: under a policy
 * that does not throw, or found by the held-clone watchdog's timer with nobody to throw at. {@link LeaksOnPurpose} and {@link ViolatesOnPurpose} turn either check around. A test that already failed
 * keeps its own failure.
 */
public final class NdisVerifierExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(NdisVerifierExtension.class);
    private static final String INJECTED = "ndis";

    /** Instances created or watched through this extension object, not yet shut down. */
    private final List<Ndis> watched = new ArrayList<>();

    /** For {@code @ExtendWith} and {@code @RegisterExtension}. */
    public NdisVerifierExtension() {}

    /** The settings of an injected {@link Ndis}: {@link VerifierLevel#FULL}, {@link ViolationPolicy#COLLECT}. */
    public static VerifierSettings testSettings() {
        return VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT);
    }

    /** {@link Ndis#create(VerifierSettings)}, shut down and checked after the test. */
    public Ndis create(VerifierSettings settings) {
        return watch(Ndis.create(settings));
    }

    /** {@link Ndis#createChecked(VerifierSettings)}, shut down and checked after the test. */
    public Ndis createChecked(VerifierSettings settings) {
        return watch(Ndis.createChecked(settings));
    }

    /** Has {@code ndis}, made elsewhere (a stack's), shut down and checked after the test; returns it. */
    public Ndis watch(Ndis ndis) {
        synchronized (watched) {
            watched.add(ndis);
        }
        return ndis;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        // Test and lifecycle methods only: a constructor runs before the test's store exists.
        return parameter.getParameter().getType() == Ndis.class && parameter.getDeclaringExecutable() instanceof Method;
    }

    @Override
    public Ndis resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(INJECTED, _ -> Ndis.createChecked(testSettings()), Ndis.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Ndis> instances = new ArrayList<>();
        synchronized (watched) {
            instances.addAll(watched);
            watched.clear();
        }
        Ndis injected = context.getStore(NAMESPACE).remove(INJECTED, Ndis.class);
        if (injected != null) {
            instances.add(injected);
        }
        List<NdisFindings> findings =
                instances.reversed().stream().map(NdisFindings::shutDown).toList();
        if (context.getExecutionException().isPresent()) {
            return;
        }
        String verdict = verdict(
                findings, onPurpose(context, LeaksOnPurpose.class), onPurpose(context, ViolatesOnPurpose.class));
        if (verdict != null) {
            throw new AssertionFailedError(verdict);
        }
    }

    /** The failure message, or {@code null} when the test behaved as it declared. */
    static String verdict(List<NdisFindings> findings, boolean leaksOnPurpose, boolean violatesOnPurpose) {
        boolean leaked = findings.stream().anyMatch(NdisFindings::leaked);
        boolean violated = findings.stream()
                .anyMatch(finding -> !finding.silentViolations().isEmpty());
        if ((leaked && !leaksOnPurpose) || (violated && !violatesOnPurpose)) {
            StringBuilder text = new StringBuilder();
            for (NdisFindings finding : findings) {
                if (finding.leaked() || !finding.silentViolations().isEmpty()) {
                    text.append(finding.describe());
                }
            }
            text.append('\n');
            if (leaked && !leaksOnPurpose) {
                text.append("The test ended with memory still allocated: free what it allocates, or mark it @")
                        .append(LeaksOnPurpose.class.getSimpleName())
                        .append(".\n");
            }
            if (violated && !violatesOnPurpose) {
                text.append("The test broke verifier rules it was not thrown: fix the lines named above, or mark it @")
                        .append(ViolatesOnPurpose.class.getSimpleName())
                        .append(".\n");
            }
            return text.toString();
        }
        if (leaksOnPurpose && !leaked) {
            return "The test is marked @" + LeaksOnPurpose.class.getSimpleName()
                    + " but every NDIS instance it used shut down with nothing allocated.";
        }
        if (violatesOnPurpose && !violated) {
            return "The test is marked @" + ViolatesOnPurpose.class.getSimpleName()
                    + " but no NDIS instance it used recorded a violation it was not thrown.";
        }
        return null;
    }

    private static boolean onPurpose(ExtensionContext context, Class<? extends java.lang.annotation.Annotation> mark) {
        return AnnotationSupport.isAnnotated(context.getTestMethod(), mark)
                || AnnotationSupport.isAnnotated(context.getTestClass(), mark);
    }
}
