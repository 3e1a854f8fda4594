package org.nbl4j.stack.router;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ip.IpInterface;
import org.nbl4j.stack.ip.IpStack;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.Miniport;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.IndicatedPacketHolds;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpLwf;

/**
 * A whole host: adapters (each a miniport with its filter stack) bound to one IP stack, the way tcpip.sys binds to
 * every adapter of a Windows machine. It owns what it builds and takes it down in order on {@link #close()}: the
 * adapters pause (so every NBL in flight comes back), then the IP stack and the miniports release their pools.
 *
 * <p>The {@link Ndis} instance stays the caller's: close it afterwards to get the leak report of the run.
 */
public final class Router implements AutoCloseable {
    private static final int DRAIN_ROUNDS = 10_000;
    private static final int DRAIN_BUDGET = 256;

    private final Ndis ndis;
    private final IpStack ip;
    private final List<Adapter> adapters = new ArrayList<>();
    private @Nullable FilterEngine filterEngine;
    private boolean started;
    private boolean closed;

    private Router(Ndis ndis, IpStack ip) {
        this.ndis = ndis;
        this.ip = ip;
    }

    /** A host without interfaces whose IP stack has the default settings. */
    public static Router create(Ndis ndis) {
        return create(ndis, builder -> builder);
    }

    /** A host without interfaces whose IP stack is built with {@code ipSettings} applied. */
    public static Router create(Ndis ndis, UnaryOperator<IpStack.Builder> ipSettings) {
        return new Router(ndis, ipSettings.apply(IpStack.builder(ndis)).build());
    }

    /** The buffer model every pool of the host comes from. */
    public Ndis ndis() {
        return ndis;
    }

    /** The IP layer (tcpip.sys). */
    public IpStack ip() {
        return ip;
    }

    /** The adapters in the order they were added. */
    public List<Adapter> adapters() {
        return List.copyOf(adapters);
    }

    /** The adapter whose interface index is {@code interfaceIndex}. */
    public Adapter adapter(int interfaceIndex) {
        for (Adapter adapter : adapters) {
            if (adapter.interfaceIndex() == interfaceIndex) {
                return adapter;
            }
        }
        throw new IllegalArgumentException("no interface " + interfaceIndex);
    }

    /**
     * Gives the host the Windows Filtering Platform: a filter engine shown every packet of the IP path, injecting
     * through it and told when callouts pin or clone indicated NBLs; with {@link PlatformProfile#WINDOWS_10} every
     * adapter added afterwards also gets the WFP lightweight filter at the bottom of its stack. Call it before adding
     * interfaces.
     */
    public FilterEngine useFilterEngine(PlatformProfile profile) {
        requireConfigurable();
        if (filterEngine != null || !adapters.isEmpty()) {
            throw new IllegalStateException("the filter engine must be set once, before any interface is added");
        }
        FilterEngine engine = new FilterEngine(ndis, profile);
        engine.setPacketInjection(ip);
        engine.setHostFlows(ip);
        engine.setIndicatedPacketHolds(new IndicatedPacketHolds() {
            @Override
            public void reference(NetBufferList nbl) {
                ip.referenceNetBufferList(nbl);
            }

            @Override
            public void dereference(NetBufferList nbl, boolean dispatchLevel) {
                ip.dereferenceNetBufferList(nbl, dispatchLevel);
            }

            @Override
            public void cloneFreed(NetBufferList parent, boolean dispatchLevel) {
                ip.childFreed(parent, dispatchLevel);
            }
        });
        ip.setPacketHook(engine);
        filterEngine = engine;
        return engine;
    }

    /** The filter engine, if {@link #useFilterEngine} gave the host one. */
    public @Nullable FilterEngine filterEngine() {
        return filterEngine;
    }

    /**
     * Adds an interface: an adapter over {@code miniport} with the lightweight filters {@code lwfs} stacked top to
     * bottom, bound to the IP stack in the default compartment, with forwarding as given and the strong host model.
     */
    public IpInterface addInterface(
            int interfaceIndex, String name, Miniport miniport, List<LwfAttachment> lwfs, boolean forwarding) {
        return addInterface(interfaceIndex, name, miniport, lwfs, InterfaceOptions.forwarding(forwarding));
    }

    /**
     * Adds an interface: an adapter over {@code miniport} with the lightweight filters {@code lwfs} stacked top to
     * bottom, bound to the IP stack in the default compartment, with the IP interface's switches set as
     * {@code options} say.
     */
    public IpInterface addInterface(
            int interfaceIndex, String name, Miniport miniport, List<LwfAttachment> lwfs, InterfaceOptions options) {
        requireConfigurable();
        Adapter.Builder builder =
                Adapter.builder(ndis).interfaceIndex(interfaceIndex).name(name).miniport(miniport);
        lwfs.forEach(builder::lwf);
        if (filterEngine != null && filterEngine.containers().profile().hasWfpLwf()) {
            builder.lwf(WfpLwf.NAME, new WfpLwf(filterEngine.containers()));
        }
        Adapter adapter = builder.build();
        adapters.add(adapter);
        adapter.bind(ip);
        IpInterface added = ip.addInterface(interfaceIndex, adapter, 0);
        added.setForwarding(options.forwarding());
        added.setWeakHostReceive(options.weakHostReceive());
        added.setWeakHostSend(options.weakHostSend());
        return added;
    }

    /** Assigns {@code address}/{@code prefixLength} to an interface (and its on-link route). */
    public Router address(int interfaceIndex, InetAddress address, int prefixLength) {
        ip.addAddress(interfaceIndex, address, prefixLength);
        return this;
    }

    /** Adds a route through an interface; {@code nextHop} null makes it on-link. */
    public Router route(InetAddress prefix, int prefixLength, @Nullable InetAddress nextHop, int interfaceIndex) {
        ip.addRoute(prefix, prefixLength, nextHop, interfaceIndex, 0);
        return this;
    }

    /** Starts one thread per receive queue of every adapter (the DPCs). */
    public void start() {
        requireConfigurable();
        started = true;
        adapters.forEach(Adapter::start);
    }

    /**
     * Services every receive queue of every adapter once on the caller's thread, for runs that start no threads
     * (replays, benchmarks, deterministic tests).
     *
     * @return how many NBLs were indicated or completed
     */
    public int pollAll(int budget) {
        int done = 0;
        // Indexed: callers poll once per packet, and a for-each iterator is not always scalar-replaced.
        for (int index = 0; index < adapters.size(); index++) {
            Adapter adapter = adapters.get(index);
            for (int queue = 0; queue < adapter.receiveQueueCount(); queue++) {
                done += adapter.poll(queue, budget);
            }
        }
        return done;
    }

    /**
     * Polls every queue until a whole round finds nothing to do, so every NBL in flight has come back (polled runs
     * only). Bounded: gives up after {@value #DRAIN_ROUNDS} rounds.
     */
    public void drain() {
        // Each round completes the sends and returns the NBLs that the previous round released.
        for (int round = 0; round < DRAIN_ROUNDS; round++) {
            if (pollAll(DRAIN_BUDGET) == 0) {
                return;
            }
        }
    }

    /** Pauses and closes every adapter (in-flight NBLs come back first; the adapters close their miniports), then the IP stack. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Forwarded fragments held in incomplete groups would keep the adapters from pausing.
        ip.setGroupForwardedFragments(false);
        if (!started) {
            // Without queue threads nobody would complete what is in flight while the adapters pause.
            drain();
        }
        adapters.forEach(Adapter::pause);
        adapters.forEach(Adapter::close);
        ip.close();
        if (filterEngine != null) {
            filterEngine.close();
        }
    }

    private void requireConfigurable() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "the router is closed" : "the router is already started");
        }
    }

    /**
     * The switches of a new IP interface ({@code MIB_IPINTERFACE_ROW}'s {@code ForwardingEnabled},
     * {@code WeakHostReceive} and {@code WeakHostSend}); see {@link org.nbl4j.stack.ip.HostModel} for what the
     * weak-host switches do.
     */
    public record InterfaceOptions(boolean forwarding, boolean weakHostReceive, boolean weakHostSend) {

        /** Forwarding as given, the strong host model (Windows' defaults for the weak-host switches). */
        public static InterfaceOptions forwarding(boolean forwarding) {
            return new InterfaceOptions(forwarding, false, false);
        }

        /** These options with weak host receive set to {@code on}. */
        public InterfaceOptions withWeakHostReceive(boolean on) {
            return new InterfaceOptions(forwarding, on, weakHostSend);
        }

        /** These options with weak host send set to {@code on}. */
        public InterfaceOptions withWeakHostSend(boolean on) {
            return new InterfaceOptions(forwarding, weakHostReceive, on);
        }
    }
}
