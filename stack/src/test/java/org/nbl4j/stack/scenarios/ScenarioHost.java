package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.function.Executable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.IpPoolTags;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.Sublayer;
import org.nbl4j.stack.wfp.WfpBuffers;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * A whole host for the acceptance scenarios of wfp-callouts-and-injection §8.6, with nothing stood in: a
 * {@link Router} (IP stack, adapters with the WFP lightweight filter of the Windows 10 profile) over two in-memory
 * miniports, and the real {@link FilterEngine}. Interface 1 ("wire1") is on 192.0.2.0/24 and 2001:db8:1::/64,
 * interface 2 ("wire2") on 198.51.100.0/24 and 2001:db8:2::/64; forwarding is on unless the options say otherwise.
 * Packets are polled on the test thread, so every scenario is deterministic.
 *
 * <p>{@link #assertInvariants()} is the harness of §8.4, run after each scenario.
 */
final class ScenarioHost implements AutoCloseable {
    static final int IF1 = 1;
    static final int IF2 = 2;
    static final int RECEIVE_BUFFERS = 64;
    /** The pool tag of memory the scenarios' callouts allocate for packets of their own (divert copies). */
    static final PoolTag CALLOUT_TAG = PoolTag.of("Tcal");

    private static final List<PoolTag> QUIET_TAGS = List.of(
            WfpInfoContainers.TAG,
            WfpBuffers.DEEP_CLONE_TAG,
            Ndis.DEFAULT_NBL_POOL_TAG,
            Ndis.DEFAULT_NB_POOL_TAG,
            IpPoolTags.ECHO_REPLY,
            IpPoolTags.ICMP_ERROR,
            IpPoolTags.REASSEMBLED,
            IpPoolTags.REASSEMBLY_PIECE,
            IpPoolTags.RECEIVE_COPY,
            CALLOUT_TAG);

    final Ndis ndis;
    final Router router;
    final FilterEngine engine;
    final MemoryMiniport wire1;
    final MemoryMiniport wire2;
    final List<byte[]> sentOn1 = Collections.synchronizedList(new ArrayList<>());
    final List<byte[]> sentOn2 = Collections.synchronizedList(new ArrayList<>());
    final CountedWfp wfp;
    private final List<InjectionHandle> handles = new ArrayList<>();

    ScenarioHost() {
        this(1500);
    }

    /** @param mtu2 the MTU of wire2 (wire1 has 1500) */
    ScenarioHost(int mtu2) {
        this(mtu2, Router.InterfaceOptions.forwarding(true));
    }

    /**
     * @param mtu2 the MTU of wire2 (wire1 has 1500)
     * @param options the switches of both IP interfaces
     */
    ScenarioHost(int mtu2, Router.InterfaceOptions options) {
        ndis = Ndis.create(VerifierSettings.full());
        wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(RECEIVE_BUFFERS)
                .lowWaterMark(0)
                .transmitSink(nbl -> sentOn1.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        wire2 = MemoryMiniport.builder()
                .name("wire2")
                .mtu(mtu2)
                .receiveBuffers(RECEIVE_BUFFERS)
                .lowWaterMark(0)
                .transmitSink(nbl -> sentOn2.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        router = Router.create(ndis);
        engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(IF1, "wire1", wire1, List.of(), options);
        router.addInterface(IF2, "wire2", wire2, List.of(), options);
        router.address(IF1, ip("192.0.2.1"), 24)
                .address(IF1, ip("2001:db8:1::1"), 64)
                .address(IF2, ip("198.51.100.1"), 24)
                .address(IF2, ip("2001:db8:2::1"), 64);
        wfp = new CountedWfp(engine.buffers());
    }

    /** A packet arrives on wire1 and everything it causes runs to the end. */
    void receiveOn1(byte[] packet) {
        assertTrue(wire1.receive(packet), "wire1 has a free receive buffer");
        router.drain();
    }

    /** A packet arrives on wire2 and everything it causes runs to the end. */
    void receiveOn2(byte[] packet) {
        assertTrue(wire2.receive(packet), "wire2 has a free receive buffer");
        router.drain();
    }

    /** An injection handle that the host closes (destroys) before it checks for leaks. */
    InjectionHandle handle(@Nullable AddressFamily family, int types) {
        InjectionHandle handle = engine.createInjectionHandle(family, types);
        handles.add(handle);
        return handle;
    }

    /** A new sublayer of {@code weight}. */
    Sublayer sublayer(int weight) {
        Sublayer sublayer = new Sublayer(UUID.randomUUID(), weight);
        engine.addSublayer(sublayer);
        return sublayer;
    }

    /** Registers a callout and adds a filter at {@code layer} that calls it. */
    Filter callout(Layer layer, Sublayer sublayer, long weight, ActionType action, ClassifyFn classifyFn) {
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, classifyFn));
        return engine.addFilter(FilterSpec.callout(layer, action, key)
                .withSublayer(sublayer.key())
                .withWeight(weight));
    }

    /** A filter with a static action. */
    Filter filter(Layer layer, Sublayer sublayer, long weight, ActionType action, int flags) {
        return engine.addFilter(FilterSpec.of(layer, action)
                .withSublayer(sublayer.key())
                .withWeight(weight)
                .withFlags(flags));
    }

    /**
     * The invariants of §8.4 once the host is quiet: I-1 (allocated − freed, cloned − freeClone,
     * reference − dereference, injected − completed all 0), I-2's other half (no injection still pending on any
     * handle), every indicated NBL back at its miniport exactly once (a second return throws in the miniport, so all
     * receive buffers free means once), every pool tag of WFP, of the IP layer's packets and of the callouts at 0
     * ({@code Wfpn} included), and no verifier violation.
     */
    void assertInvariants() {
        router.drain();
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(0, wfp.allocated.get() - wfp.freed.get(), "I-1: allocated - freed"));
        checks.add(() -> assertEquals(0, wfp.cloned.get() - wfp.clonesFreed.get(), "I-1: cloned - freeClone"));
        checks.add(
                () -> assertEquals(0, wfp.references.get() - wfp.dereferences.get(), "I-1: reference - dereference"));
        checks.add(() -> assertEquals(0, wfp.injected.get() - wfp.completed.get(), "I-1: injected - completed"));
        for (InjectionHandle handle : handles) {
            checks.add(() -> assertEquals(0, handle.pendingInjections(), () -> "pending on " + handle));
        }
        checks.add(() -> assertEquals(RECEIVE_BUFFERS, wire1.freeReceiveBuffers(), "wire1's NBLs all returned"));
        checks.add(() -> assertEquals(RECEIVE_BUFFERS, wire2.freeReceiveBuffers(), "wire2's NBLs all returned"));
        var usage = ndis.poolUsage();
        for (PoolTag tag : QUIET_TAGS) {
            checks.add(() -> assertEquals(0, usage.diff(tag), () -> "pool tag " + tag + ": " + usage));
        }
        checks.add(() -> assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> "violations: " + ndis.verifier().violations()));
        assertAll("invariants of §8.4", checks);
    }

    /** Destroys the handles, closes the host, and checks that nothing at all is left allocated. */
    @Override
    public void close() {
        try {
            // Completions still in flight (a failed scenario) arrive before the handles wait for them.
            router.drain();
            handles.forEach(InjectionHandle::close);
            router.close();
            assertEquals(List.of(), ndis.poolUsage().outstanding(), "outstanding after close");
            assertTrue(
                    ndis.verifier().violations().isEmpty(),
                    () -> "violations: " + ndis.verifier().violations());
        } finally {
            ndis.close();
        }
    }
}
