package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ip.PacketFacts;
import org.nbl4j.stack.ip.ParsedFacts;

/**
 * What the WFP tests share: an NDIS, an engine, a pool of "indicated" packets over test-owned memory, and the packet
 * facts the IP path would give. The scenarios are written against {@link #engine} and {@link #injection}, so the same
 * steps run later over the real IpStack.
 */
final class WfpTestStack implements AutoCloseable {
    static final PoolTag PACKET_TAG = PoolTag.of("Tpkt");
    static final PoolTag POOL_TAG = PoolTag.of("Test");

    final Ndis ndis;
    final FilterEngine engine;
    final NetBufferListPool pool;
    final TestPacketInjection injection;
    final RecordingHolds owner = new RecordingHolds();
    private final Map<NetBufferList, Mdl> packetMdls = new IdentityHashMap<>();

    WfpTestStack(VerifierSettings settings, PlatformProfile profile, TestPacketInjection injection) {
        this.ndis = Ndis.create(settings);
        this.engine = new FilterEngine(ndis, profile);
        this.pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, POOL_TAG, 0));
        assertNotNull(pool);
        this.injection = injection;
        engine.setPacketInjection(injection);
        engine.setIndicatedPacketHolds(owner);
    }

    WfpTestStack() {
        this(VerifierSettings.standard(), PlatformProfile.WINDOWS_10, TestPacketInjection.immediate());
    }

    static WfpTestStack with(TestPacketInjection injection) {
        return new WfpTestStack(VerifierSettings.standard(), PlatformProfile.WINDOWS_10, injection);
    }

    /** A packet as a driver or the stack would own it: one NB over one MDL, {@code headroom} unused bytes in front. */
    NetBufferList packet(byte[] bytes, int headroom) {
        MemoryBlock block = ndis.allocateMemoryWithTag(bytes.length + headroom, PACKET_TAG);
        assertNotNull(block);
        MemorySegment.copy(bytes, 0, block.segment(), ValueLayout.JAVA_BYTE, headroom, bytes.length);
        Mdl mdl = ndis.allocateMdl(block.segment(), bytes.length + headroom);
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, mdl, headroom, bytes.length);
        assertNotNull(nbl);
        packetMdls.put(nbl, mdl);
        blocks.put(mdl, block);
        return nbl;
    }

    private final Map<Mdl, MemoryBlock> blocks = new IdentityHashMap<>();

    /** Frees a packet made by {@link #packet}: NBL, MDL and memory. */
    void free(NetBufferList nbl) {
        Mdl mdl = packetMdls.remove(nbl);
        nbl.free();
        MemoryBlock block = blocks.remove(mdl);
        ndis.freeMdl(mdl);
        ndis.freeMemory(block);
    }

    /** The facts of an IPv4 packet from {@link TestPackets#V4_SOURCE} to {@link TestPackets#V4_DESTINATION}. */
    static PacketFacts v4Facts(int protocol) {
        return arrived(TestPackets.ipv4(protocol, 8));
    }

    /** The facts of an IPv6 packet between the two documentation addresses. */
    static PacketFacts v6Facts(int protocol) {
        return arrived(TestPackets.ipv6(protocol, 8));
    }

    /** The facts of {@code packet}, parsed, arrived on interface 3 in compartment 1 and routed out of interface 5. */
    static PacketFacts arrived(byte[] packet) {
        PacketFacts facts = ParsedFacts.arrived(packet, 1, 3);
        facts.setDestinationInterfaceIndex(5);
        return facts;
    }

    /** How many allocations under {@code tag} are outstanding. */
    long outstanding(PoolTag tag) {
        return ndis.poolUsage().diff(tag);
    }

    /** I-1: nothing WFP or the tests allocated is left: packets, clones, containers, deep-clone data, headers. */
    void assertQuiescent() {
        assertEquals(0, outstanding(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, outstanding(WfpBuffers.DEEP_CLONE_TAG), "deep-clone data");
        assertEquals(0, outstanding(ForwardFragmentGroups.HEADER_TAG), "reassembly headers");
        assertEquals(0, outstanding(POOL_TAG), "test NBLs");
        assertEquals(0, outstanding(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
        assertEquals(0, outstanding(PACKET_TAG), "packet memory");
    }

    @Override
    public void close() {
        engine.close();
        pool.close();
        ndis.close();
    }

    /** An {@link IndicatedPacketHolds} that records what WFP told it. */
    static final class RecordingHolds implements IndicatedPacketHolds {
        final List<String> events = new ArrayList<>();

        @Override
        public void reference(NetBufferList nbl) {
            events.add("reference");
        }

        @Override
        public void dereference(NetBufferList nbl, boolean dispatchLevel) {
            events.add("dereference");
        }

        @Override
        public void cloneFreed(NetBufferList parent, boolean dispatchLevel) {
            parent.decrementChildRefCount();
            events.add("cloneFreed");
        }
    }
}
