package org.nbl4j.cli.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.UnaryOperator;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.ip.InterfaceStatistics;
import org.nbl4j.stack.ip.IpInterface;
import org.nbl4j.stack.ip.IpStack;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.ndis.Miniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.CalloutDriver;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.Layer;

/**
 * A {@link Router} built from a {@link RouterConfig}, with its WFP filter engine and callout drivers: what {@code nbl4j
 * run} (in-memory miniports) and {@code nbl4j route} (TUN miniports) share. Interface {@code i} of the configuration
 * gets {@code IF_INDEX} {@code i + 1}; each address adds its on-link route.
 *
 * @param <M> the kind of miniport under each adapter
 */
public final class ConfiguredRouter<M extends Miniport> {
    /** Makes the miniport of one configured interface. */
    @FunctionalInterface
    public interface MiniportFactory<M extends Miniport> {
        M create(InterfaceSpec spec) throws IOException;
    }

    private final RouterConfig config;
    private final Router router;
    private final FilterEngine engine;
    private final IoManager io;
    private final List<M> miniports;
    private final List<IpInterface> interfaces;
    private final List<CalloutDriver> drivers;

    private ConfiguredRouter(
            RouterConfig config,
            Router router,
            FilterEngine engine,
            IoManager io,
            List<M> miniports,
            List<IpInterface> interfaces,
            List<CalloutDriver> drivers) {
        this.config = config;
        this.router = router;
        this.engine = engine;
        this.io = io;
        this.miniports = miniports;
        this.interfaces = interfaces;
        this.drivers = drivers;
    }

    /**
     * The {@code Ndis} a run of {@code config} uses: its verifier level (full tracks every NBL) and clone budget,
     * violations collected for the verdict, and the sites as the configuration asks (more infrastructure, the full
     * trace).
     */
    public static Ndis ndis(RouterConfig config) {
        return Ndis.create(VerifierSettings.standard()
                .withLevel(config.verifier())
                .withHeldCloneBudget(config.cloneBudget())
                .withPolicy(ViolationPolicy.COLLECT)
                .withInfrastructure(config.infrastructure().toArray(String[]::new))
                .withFullTrace(config.fullTrace()));
    }

    /**
     * Builds the router; on failure closes what was built (and the miniports with it) and rethrows.
     *
     * @throws BadInputException when a callout class cannot be used (checked before anything is built)
     * @throws IOException when a miniport cannot be made
     */
    public static <M extends Miniport> ConfiguredRouter<M> build(
            RouterConfig config, Ndis ndis, UnaryOperator<IpStack.Builder> ipSettings, MiniportFactory<M> factory)
            throws BadInputException, IOException {
        List<CalloutDriver> drivers = CalloutDrivers.instantiate(config.callouts());
        Router router = Router.create(ndis, ipSettings);
        try {
            FilterEngine engine = router.useFilterEngine(config.profile());
            List<InterfaceSpec> specs = config.interfaces();
            List<M> miniports = new ArrayList<>();
            List<IpInterface> interfaces = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                InterfaceSpec spec = specs.get(i);
                M miniport = factory.create(spec);
                miniports.add(miniport);
                IpInterface added = router.addInterface(i + 1, spec.name(), miniport, List.of(), spec.forwarding());
                interfaces.add(added);
                for (Cidr address : spec.addresses()) {
                    router.address(added.interfaceIndex(), address.address(), address.prefixLength());
                }
            }
            for (RouteSpec route : config.routes()) {
                router.route(
                        route.prefix().address(),
                        route.prefix().prefixLength(),
                        route.via(),
                        interfaces.get(indexOf(specs, route.interfaceName())).interfaceIndex());
            }
            String applications = config.applications();
            if (applications != null) {
                router.ip()
                        .setApplicationInterface(
                                interfaces.get(indexOf(specs, applications)).interfaceIndex());
            }
            return new ConfiguredRouter<>(
                    config,
                    router,
                    engine,
                    new IoManager(ndis),
                    List.copyOf(miniports),
                    List.copyOf(interfaces),
                    drivers);
        } catch (IOException | RuntimeException e) {
            router.close();
            throw e;
        }
    }

    private static int indexOf(List<InterfaceSpec> specs, String interfaceName) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(interfaceName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no interface " + interfaceName);
    }

    public Router router() {
        return router;
    }

    /** The router's WFP filter engine, which the threads running callouts must be bound to ({@code SystemWfp}). */
    public FilterEngine engine() {
        return engine;
    }

    /**
     * The stack's I/O manager, where callout drivers create their device objects: the threads running driver code must
     * be bound to it ({@code SystemIo}), and {@code route} serves its symbolic links as sockets.
     */
    public IoManager io() {
        return io;
    }

    /** The miniports in configuration order. */
    public List<M> miniports() {
        return miniports;
    }

    /** The IP interfaces in configuration order: {@code interfaces().get(i)} sits over {@code miniports().get(i)}. */
    public List<IpInterface> interfaces() {
        return interfaces;
    }

    /** Runs every callout driver's {@code DriverEntry}, in configuration order. */
    public void loadDrivers() {
        drivers.forEach(driver -> driver.load(engine));
    }

    /** Runs every callout driver's {@code DriverUnload}, which waits for its injections to complete. */
    public void unloadDrivers() {
        drivers.forEach(CalloutDriver::unload);
    }

    /**
     * Closes the router (adapters paused and halted, in-flight NBLs back first, then the IP stack and filter engine)
     * and reports on the run; pool usage and leaks are taken once everything is closed.
     *
     * @param offered per interface (0-based), what the summary shows as offered
     * @param retried per interface, what the summary shows as retried
     */
    public RouterReport closeAndReport(
            Ndis ndis, long elapsedNanos, IntToLongFunction offered, IntToLongFunction retried) {
        router.close();
        // Read after close: the queue threads have stopped, so the counters no longer move.
        Map<Layer, Long> indications = new EnumMap<>(Layer.class);
        for (Layer layer : Layer.values()) {
            if (engine.indications(layer) > 0) {
                indications.put(layer, engine.indications(layer));
            }
        }
        WfpCounts wfp = new WfpCounts(indications, engine.injections(), engine.completions());
        IpStatistics ip = router.ip().statistics();
        List<InterfaceResult> results = new ArrayList<>();
        for (int i = 0; i < miniports.size(); i++) {
            InterfaceStatistics counters = interfaces.get(i).statistics();
            results.add(new InterfaceResult(
                    config.interfaces().get(i).name(),
                    offered.applyAsLong(i),
                    counters.inPackets(),
                    counters.outPackets(),
                    miniports.get(i).statistics().sentPackets(),
                    retried.applyAsLong(i)));
        }
        return new RouterReport(
                config,
                results,
                ip,
                wfp,
                ndis.poolUsage(),
                ndis.verifier().leaks("nbl4j " + config.interfaces().size() + "-interface router"),
                ndis.verifier().trackedByTag(),
                List.copyOf(ndis.verifier().violations()),
                elapsedNanos);
    }
}
