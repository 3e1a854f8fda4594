package org.nbl4j.stack.scenarios;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.IcmpErrorKind;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.IpForwardField;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.Sublayer;

/**
 * A small WinDivert (wfp-callouts-and-injection §7) over the real host, for the S-WD scenarios: the driver's shared
 * injection handle (NETWORK | FORWARD, IPv4), its sublayer of weight 0xFFFF, and the NBL pool for the packets it
 * reinjects. Each {@link Handle} is one WinDivert handle at IPFORWARD_V4 or OUTBOUND_IPPACKET_V4 whose filter weight
 * grows with its priority, so higher priorities classify first.
 *
 * <p>Test scope: it is a test of the model, not a product feature.
 */
final class Divert implements AutoCloseable {
    static final PoolTag POOL_TAG = PoolTag.of("Tdvp");

    private final ScenarioHost host;
    private final InjectionHandle injector;
    private final Sublayer sublayer;
    private final NetBufferListPool pool;
    /** The MDL and memory under each NBL this driver injected, freed at its completion. */
    private final Map<NetBufferList, MemoryBlock> reinjected = new IdentityHashMap<>();

    Divert(ScenarioHost host) {
        this.host = host;
        this.injector = host.handle(
                AddressFamily.INET,
                InjectionType.FWPS_INJECTION_TYPE_NETWORK | InjectionType.FWPS_INJECTION_TYPE_FORWARD);
        this.sublayer = host.sublayer(0xFFFF);
        this.pool = host.ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, POOL_TAG, 0));
    }

    /** What WinDivert tells user mode about a diverted packet ({@code WINDIVERT_ADDRESS}). */
    record Address(Layer layer, int interfaceIndex, int sourceInterfaceIndex, boolean impostor, long timestamp) {}

    /** A diverted packet: a deep copy of its bytes, owned by the handle until sent or dropped. */
    record Packet(MemoryBlock data, int length, Address address) {
        byte[] bytes() {
            return data.segment().asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** {@code WinDivertOpen}: a handle at {@code layer} with a queue of {@code queueLength} packets and {@code queueTime}. */
    Handle open(Layer layer, int priority, int queueLength, long queueTimeNanos, LongSupplier clock) {
        Handle handle = new Handle(layer, priority, queueLength, queueTimeNanos, clock);
        host.engine.registerCallout(Callout.of(handle.key, handle::classify));
        host.engine.addFilter(FilterSpec.callout(layer, ActionType.CALLOUT_UNKNOWN, handle.key)
                .withSublayer(sublayer.key())
                .withWeight(priority + 30_000L));
        return handle;
    }

    /** One WinDivert handle. */
    final class Handle implements AutoCloseable {
        final Layer layer;
        final int priority;
        final Deque<Packet> queue = new ArrayDeque<>();
        long diverted;
        long droppedOldest;
        long droppedExpired;
        private final UUID key = UUID.randomUUID();
        private final int queueLength;
        private final long queueTimeNanos;
        private final LongSupplier clock;
        private boolean closed;

        private Handle(Layer layer, int priority, int queueLength, long queueTimeNanos, LongSupplier clock) {
            this.layer = layer;
            this.priority = priority;
            this.queueLength = queueLength;
            this.queueTimeNanos = queueTimeNanos;
            this.clock = clock;
        }

        /** {@code windivert_network_classify} (§7.2) for an IP-header-first layer. */
        private void classify(
                org.nbl4j.stack.wfp.IncomingValues values,
                org.nbl4j.stack.wfp.IncomingMetadata metadata,
                @Nullable NetBufferList nbl,
                org.nbl4j.stack.wfp.ClassifyContext context,
                org.nbl4j.stack.wfp.Filter filter,
                long flow,
                org.nbl4j.stack.wfp.ClassifyOut out) {
            if (!out.hasWriteRight() || nbl == null) {
                return;
            }
            // Whatever this handle does not take goes on to the next filter, also in this sublayer.
            out.setActionType(ActionType.CONTINUE);
            if (closed) {
                return;
            }
            long[] injectedPriority = new long[1];
            InjectionState state = injector.queryPacketInjectionState(nbl, injectedPriority);
            if ((state == InjectionState.INJECTED_BY_SELF || state == InjectionState.PREVIOUSLY_INJECTED_BY_SELF)
                    && injectedPriority[0] <= priority) {
                return; // a handle of equal or lower priority already had it: CONTINUE
            }
            boolean forward = layer == Layer.IPFORWARD_V4;
            int interfaceIndex = forward
                    ? (int) values.get(IpForwardField.DESTINATION_INTERFACE_INDEX)
                            .integer()
                    : (int) values.get(org.nbl4j.stack.wfp.OutboundIpPacketField.INTERFACE_INDEX)
                            .integer();
            int sourceInterface = forward
                    ? (int) values.get(IpForwardField.SOURCE_INTERFACE_INDEX).integer()
                    : 0;
            Address address = new Address(
                    layer,
                    interfaceIndex,
                    sourceInterface,
                    state == InjectionState.INJECTED_BY_OTHER,
                    clock.getAsLong());
            // windivert_copy_data: a deep copy into the driver's own memory; the NBL is not kept past classify.
            queue.addLast(packet(nbl.firstNetBuffer().toByteArray(), address));
            diverted++;
            if (queue.size() > queueLength) {
                free(queue.removeFirst());
                droppedOldest++;
            }
            out.setActionType(ActionType.BLOCK);
            out.absorb();
            out.clearWriteRight();
        }

        /** {@code WinDivertRecv}: the oldest queued packet that has not expired, or null. */
        @Nullable
        Packet recv() {
            dropExpired();
            return queue.pollFirst();
        }

        /**
         * {@code WinDivertSend} (§7.3): an impostor's TTL is decremented first (none left: STATUS_HOPLIMIT_EXCEEDED);
         * the bytes go into a new NBL, injected with {@code injectionContext} = priority; the packet is the caller's
         * no more whatever the result.
         */
        int send(Packet packet) {
            MemorySegment bytes = packet.data().segment();
            if (packet.address().impostor()) {
                int ttl = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, 8));
                if (ttl <= 1) {
                    free(packet);
                    return NtStatus.STATUS_HOPLIMIT_EXCEEDED;
                }
                bytes.set(ValueLayout.JAVA_BYTE, 8, (byte) (ttl - 1));
                byte[] header = bytes.asSlice(0, 20).toArray(ValueLayout.JAVA_BYTE);
                TestPackets.put16(header, 10, 0);
                int checksum = TestPackets.checksum(header, 0, 20);
                bytes.set(ValueLayout.JAVA_BYTE, 10, (byte) (checksum >>> 8));
                bytes.set(ValueLayout.JAVA_BYTE, 11, (byte) checksum);
            }
            return inject(injector, priority, packet);
        }

        private void dropExpired() {
            long now = clock.getAsLong();
            while (!queue.isEmpty() && now - queue.peekFirst().address().timestamp() > queueTimeNanos) {
                free(queue.removeFirst());
                droppedExpired++;
            }
        }

        /** {@code windivert_cleanup}: fail-open, what has not expired is reinjected, the rest freed. */
        @Override
        public void close() {
            closed = true;
            dropExpired();
            for (Packet packet = queue.pollFirst(); packet != null; packet = queue.pollFirst()) {
                send(packet);
            }
        }
    }

    /**
     * Copies nothing: makes a new NBL over the packet's own memory ({@code FwpsAllocateNetBufferAndNetBufferList0}) and
     * injects it through {@code via} as forwarded (IPFORWARD) or sent (network layer) traffic.
     */
    int inject(InjectionHandle via, long injectionContext, Packet packet) {
        Mdl mdl = host.ndis.allocateMdl(packet.data().segment(), packet.length());
        NetBufferList nbl = host.wfp.allocate(pool, mdl, packet.length());
        reinjected.put(nbl, packet.data());
        Address address = packet.address();
        var completion = host.wfp.completion((context, done, dispatchLevel) -> {
            if (done.status() == NtStatus.STATUS_INVALID_BUFFER_SIZE) {
                // windivert_inject_packet_too_big: tell the source the next-hop MTU (S-WD-4).
                int mtu = host.router
                        .ip()
                        .interfaceByIndex(address.interfaceIndex())
                        .mtu();
                host.router.ip().sendIcmpError(done, address.sourceInterfaceIndex(), IcmpErrorKind.PACKET_TOO_BIG, mtu);
            }
            release(done);
        });
        int status = address.layer() == Layer.IPFORWARD_V4
                ? via.injectForwardAsync(
                        injectionContext, 0, AddressFamily.INET, 0, address.interfaceIndex(), nbl, completion, null)
                : via.injectNetworkSendAsync(injectionContext, 0, 0, nbl, completion, null);
        if (host.wfp.injection(status) != NtStatus.STATUS_SUCCESS) {
            release(nbl);
        }
        return status;
    }

    /** A packet of the test's own (another driver's) bytes, in memory the driver frees. */
    Packet packet(byte[] bytes, Address address) {
        MemoryBlock block = host.ndis.allocateMemoryWithTag(bytes.length, ScenarioHost.CALLOUT_TAG);
        MemorySegment.copy(bytes, 0, block.segment(), ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Packet(block, bytes.length, address);
    }

    private void release(NetBufferList nbl) {
        Mdl mdl = nbl.firstNetBuffer().currentMdl();
        MemoryBlock block = reinjected.remove(nbl);
        host.wfp.free(nbl);
        host.ndis.freeMdl(mdl);
        host.ndis.freeMemory(block);
    }

    private void free(Packet packet) {
        host.ndis.freeMemory(packet.data());
    }

    @Override
    public void close() {
        pool.close();
    }
}
