package org.nbl4j.cli.replay;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Everything a replay builds its router from: interfaces, routes, callout classes, the verifier level, the clone
 * budget and the Windows profile. Made by {@link ConfigParser} from a file, from command-line values, or both.
 *
 * @param interfaces the interfaces in order; interface {@code i} gets {@code IF_INDEX} {@code i + 1}
 * @param routes routes beyond the on-link routes the addresses add
 * @param callouts class names of {@link org.nbl4j.stack.wfp.CalloutDriver}s to load
 * @param verifier the verifier level of the run's {@code Ndis}
 * @param cloneBudget how long a callout may hold a clone before the held-clone watchdog reports it
 * @param profile which Windows the WFP layer behaves like
 * @param infrastructure class-name prefixes whose frames reports do not name as the driver's (beyond nbl4j's own, the
 *     JDK's and nbl4j's libraries'): a driver's own libraries
 * @param fullTrace whether reports keep the whole stack trace of each site, not only the driver's frames and the DDI
 * @param applications the interface facing the host's applications (host mode, docs/wfp.md), or null for a router
 */
public record RouterConfig(
        List<InterfaceSpec> interfaces,
        List<RouteSpec> routes,
        List<String> callouts,
        VerifierLevel verifier,
        Duration cloneBudget,
        PlatformProfile profile,
        List<String> infrastructure,
        boolean fullTrace,
        @Nullable String applications) {

    public RouterConfig {
        infrastructure = List.copyOf(infrastructure);
        interfaces = List.copyOf(interfaces);
        routes = List.copyOf(routes);
        callouts = List.copyOf(callouts);
    }

    /**
     * The router of the bundled capture ({@code docs/bundled-capture.md}): {@code r-a} towards host A and {@code r-b}
     * towards host B, with the addresses Linux's router had when it was recorded.
     */
    public static RouterConfig bundled() {
        return new RouterConfig(
                List.of(
                        new InterfaceSpec(
                                "r-a",
                                List.of(Cidr.parse("192.0.2.1/24"), Cidr.parse("2001:db8:1::1/64")),
                                InterfaceSpec.DEFAULT_MTU,
                                true),
                        new InterfaceSpec(
                                "r-b",
                                List.of(Cidr.parse("198.51.100.1/24"), Cidr.parse("2001:db8:2::1/64")),
                                InterfaceSpec.DEFAULT_MTU,
                                true)),
                List.of(),
                List.of(),
                VerifierLevel.STANDARD,
                VerifierSettings.standard().heldCloneBudget(),
                PlatformProfile.WINDOWS_10,
                List.of(),
                false,
                null);
    }

    /** The interface called {@code name}, or null. */
    public @Nullable InterfaceSpec interfaceNamed(String name) {
        for (InterfaceSpec spec : interfaces) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        return null;
    }
}
