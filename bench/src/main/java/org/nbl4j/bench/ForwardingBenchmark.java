package org.nbl4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.TransmitSink;
import org.nbl4j.stack.router.Router;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 4's forwarding throughput: IP packets through a whole {@link Router} on one queue thread (the benchmark
 * thread), counted in packets per second.
 *
 * <p>{@link #router}: a batch of {@value #BATCH} UDP packets is copied into the ingress {@link MemoryMiniport}'s receive
 * buffers from a preallocated off-heap segment (the device's DMA), then the router is polled on this thread until the
 * batch has been indicated up through the ingress filter modules, forwarded by the IP stack (TTL/hop limit decremented,
 * IPv4 checksum updated), sent down through the egress filter modules to the egress miniport's sink, completed back up,
 * and every receive NBL returned to the ingress miniport. One operation is one packet
 * ({@code @OperationsPerInvocation}), so the throughput is packets per second and {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} is bytes per packet.
 *
 * <p>{@link #raw}: the floor the router is compared with: the same bytes copied from the same segment into an egress
 * buffer with {@code MemorySegment.copy}, TTL/hop limit decremented and the IPv4 checksum updated incrementally. What a
 * forwarder without NBLs, filters, routing or validation costs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ForwardingBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            BenchConfig.NO_LEAK_DETECTION,
            BenchConfig.UNSAFE_ALLOW,
            BenchConfig.NATIVE_ACCESS,
            BenchConfig.XMS,
            BenchConfig.XMX
        })
public class ForwardingBenchmark {
    /** Packets offered per invocation, as one receive indication would carry from a NIC's interrupt. */
    static final int BATCH = 32;

    /** Receive buffers of the ingress miniport: several batches, so the low-water mark (RESOURCES) is never hit. */
    static final int RECEIVE_BUFFERS = 256;

    /** Per-queue budget of one {@link Router#pollAll} round. */
    static final int POLL_BUDGET = 64;

    /** Rounds after which a batch that has not come back is a failure rather than a slow run. */
    static final int MAX_ROUNDS = 1_000;

    /** The IP version of the forwarded packets. */
    public enum Family {
        IPV4,
        IPV6
    }

    /** The batch of packets, laid out one after another in off-heap memory; shared by both benchmarks' states. */
    @State(Scope.Thread)
    public static class Packets {
        @Param({"IPV4", "IPV6"})
        public Family family;

        /** Whole IP packet length in bytes, header included. */
        @Param({"64", "1500"})
        public int size;

        Arena arena;
        MemorySegment batch;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            batch = arena.allocate((long) BATCH * size, 16);
            for (int i = 0; i < BATCH; i++) {
                MemorySegment packet = batch.asSlice((long) i * size, size);
                if (family == Family.IPV4) {
                    PacketWriter.udpOverIpv4(packet, "192.0.2.10", "198.51.100.20", 1024 + i, 53);
                } else {
                    PacketWriter.udpOverIpv6(packet, "2001:db8:1::10", "2001:db8:2::20", 1024 + i, 53);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** A router with two in-memory adapters, interface 1 towards 192.0.2.0/24, interface 2 towards 198.51.100.0/24. */
    @State(Scope.Thread)
    public static class RouterState {
        /** Pass-through filter modules stacked on each adapter. */
        @Param({"0", "2"})
        public int filters;

        /** OFF is what forwarding costs; STANDARD shows what the verifier adds. */
        @Param({"OFF", "STANDARD"})
        public VerifierLevel level;

        Ndis ndis;
        MemoryMiniport ingress;
        CountingSink sink;
        Router router;

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            ndis = Ndis.create(BenchConfig.verifier(level));
            ingress = MemoryMiniport.builder()
                    .name("wire1")
                    .receiveBuffers(RECEIVE_BUFFERS)
                    .ringCapacity(RECEIVE_BUFFERS)
                    .build();
            sink = new CountingSink();
            MemoryMiniport egress =
                    MemoryMiniport.builder().name("wire2").transmitSink(sink).build();
            router = Router.create(ndis);
            router.addInterface(1, "wire1", ingress, passThrough(filters), true);
            router.addInterface(2, "wire2", egress, passThrough(filters), true);
            router.address(1, address("192.0.2.1"), 24)
                    .address(1, address("2001:db8:1::1"), 64)
                    .address(2, address("198.51.100.1"), 24)
                    .address(2, address("2001:db8:2::1"), 64);

            // One batch before measuring, checked: everything forwarded, nothing dropped, every buffer back.
            forwardBatch(this, packets);
            IpStatistics statistics = router.ip().statistics();
            if (sink.packets != BATCH
                    || sink.bytes != (long) BATCH * packets.size
                    || statistics.forwarded() != BATCH
                    || statistics.totalDiscards() != 0
                    || egress.statistics().sentPackets() != BATCH) {
                throw new IllegalStateException("the router did not forward the batch: " + statistics);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            router.close();
            if (!ndis.poolUsage().outstanding().isEmpty()) {
                throw new IllegalStateException("outstanding after the run: " + ndis.poolUsage());
            }
            ndis.close();
        }

        private static List<LwfAttachment> passThrough(int count) {
            List<LwfAttachment> stack = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                stack.add(new LwfAttachment("pass" + i, handle -> new LwfHandlers() {}));
            }
            return stack;
        }
    }

    /** The egress wire: counts packets and bytes, single-threaded like the whole benchmark. */
    static final class CountingSink implements TransmitSink {
        long packets;
        long bytes;

        @Override
        public void transmit(NetBufferList nbl) {
            packets++;
            bytes += nbl.firstNetBuffer().dataLength();
        }
    }

    /** The raw peer's egress buffer. */
    @State(Scope.Thread)
    public static class RawState {
        Arena arena;
        MemorySegment egress;

        @Setup(Level.Trial)
        public void setUp(Packets packets) {
            arena = Arena.ofShared();
            egress = arena.allocate((long) BATCH * packets.size, 16);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public long router(RouterState state, Packets packets) {
        return forwardBatch(state, packets);
    }

    @Benchmark
    public long raw(RawState state, Packets packets) {
        int size = packets.size;
        boolean v4 = packets.family == Family.IPV4;
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            long at = (long) i * size;
            MemorySegment.copy(packets.batch, at, state.egress, at, size);
            sum += v4 ? PacketWriter.decrementTtl(state.egress, at) : PacketWriter.decrementHopLimit(state.egress, at);
        }
        return sum;
    }

    /** Offers the batch to the ingress miniport and polls until it is forwarded, completed and every NBL is back. */
    static long forwardBatch(RouterState state, Packets packets) {
        MemoryMiniport ingress = state.ingress;
        int size = packets.size;
        for (int i = 0; i < BATCH; i++) {
            if (!ingress.receive(packets.batch, (long) i * size, size)) {
                throw new IllegalStateException("the ingress miniport refused packet " + i);
            }
        }
        long target = state.sink.packets + BATCH;
        int rounds = 0;
        do {
            state.router.pollAll(POLL_BUDGET);
            if (++rounds > MAX_ROUNDS) {
                throw new IllegalStateException("the batch did not come back after " + MAX_ROUNDS + " rounds");
            }
        } while (state.sink.packets < target || ingress.freeReceiveBuffers() < RECEIVE_BUFFERS);
        return state.sink.packets;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Writes the benchmark's UDP packets and performs the raw peer's header update. */
    static final class PacketWriter {
        private static final ValueLayout.OfShort U16 =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        private static final int HOPS = 64;

        private PacketWriter() {}

        /** A whole-segment IPv4 packet (20-byte header) carrying UDP with a zero checksum (none, RFC 768). */
        static void udpOverIpv4(MemorySegment packet, String source, String destination, int sourcePort, int port) {
            int length = (int) packet.byteSize();
            fillPayload(packet, 28);
            packet.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
            put16(packet, 2, length);
            put16(packet, 4, sourcePort); // identification
            packet.set(ValueLayout.JAVA_BYTE, 8, (byte) HOPS);
            packet.set(ValueLayout.JAVA_BYTE, 9, (byte) 17);
            MemorySegment.copy(address(source).getAddress(), 0, packet, ValueLayout.JAVA_BYTE, 12, 4);
            MemorySegment.copy(address(destination).getAddress(), 0, packet, ValueLayout.JAVA_BYTE, 16, 4);
            put16(packet, 10, InternetChecksum.compute(packet, 0, 20));
            put16(packet, 20, sourcePort);
            put16(packet, 22, port);
            put16(packet, 24, length - 20);
        }

        /** A whole-segment IPv6 packet carrying UDP with its checksum over the pseudo-header (RFC 8200 §8.1). */
        static void udpOverIpv6(MemorySegment packet, String source, String destination, int sourcePort, int port) {
            int length = (int) packet.byteSize();
            fillPayload(packet, 48);
            packet.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x60);
            put16(packet, 4, length - 40);
            packet.set(ValueLayout.JAVA_BYTE, 6, (byte) 17);
            packet.set(ValueLayout.JAVA_BYTE, 7, (byte) HOPS);
            MemorySegment.copy(address(source).getAddress(), 0, packet, ValueLayout.JAVA_BYTE, 8, 16);
            MemorySegment.copy(address(destination).getAddress(), 0, packet, ValueLayout.JAVA_BYTE, 24, 16);
            put16(packet, 40, sourcePort);
            put16(packet, 42, port);
            put16(packet, 44, length - 40);
            long sum = InternetChecksum.ipv6PseudoHeader(packet, 8, 24, length - 40, 17);
            int checksum = InternetChecksum.finish(InternetChecksum.add(sum, packet, 40, length - 40));
            put16(packet, 46, checksum == 0 ? 0xFFFF : checksum);
        }

        /** TTL − 1 and the header checksum updated for it (RFC 1624), as a forwarder does; returns the new TTL. */
        static int decrementTtl(MemorySegment packet, long at) {
            int word = Short.toUnsignedInt(packet.get(U16, at + 8)); // TTL and protocol
            int ttl = word >>> 8;
            int updated = word - 0x100;
            packet.set(U16, at + 8, (short) updated);
            int checksum = Short.toUnsignedInt(packet.get(U16, at + 10));
            packet.set(U16, at + 10, (short) InternetChecksum.update(checksum, word, updated));
            return ttl - 1;
        }

        /** Hop limit − 1 (IPv6 has no header checksum); returns the new hop limit. */
        static int decrementHopLimit(MemorySegment packet, long at) {
            int hops = Byte.toUnsignedInt(packet.get(ValueLayout.JAVA_BYTE, at + 7)) - 1;
            packet.set(ValueLayout.JAVA_BYTE, at + 7, (byte) hops);
            return hops;
        }

        private static void fillPayload(MemorySegment packet, int from) {
            for (long i = from; i < packet.byteSize(); i++) {
                packet.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
        }

        private static void put16(MemorySegment packet, long at, int value) {
            packet.set(U16, at, (short) value);
        }
    }
}
