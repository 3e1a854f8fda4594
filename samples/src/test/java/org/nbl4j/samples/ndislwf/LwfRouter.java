package org.nbl4j.samples.ndislwf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;

/**
 * The two-interface router the sample runs on: interface 1 (192.0.2.0/24) over {@code wire1}, interface 2
 * (198.51.100.0/24) over {@code wire2}, forwarding on, the verifier collecting. The test thread is bound to its NDIS,
 * as a driver's DriverEntry thread is.
 */
final class LwfRouter implements AutoCloseable {
    static final PoolTag FILT = new PoolTag(NdisLwfDriver.FILTER_ALLOC_TAG);

    final Ndis ndis = Ndis.create(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT));
    final MemoryMiniport wire1;
    final MemoryMiniport wire2;
    final Router router;
    private final SystemNdis.Binding binding = SystemNdis.bind(ndis);

    /**
     * @param lowWaterMark below this many free receive buffers the miniports indicate with RESOURCES: more than the
     *     buffers makes every indication carry it, 0 none
     */
    LwfRouter(int receiveBuffers, int lowWaterMark) {
        wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(receiveBuffers)
                .lowWaterMark(lowWaterMark)
                .build();
        wire2 = MemoryMiniport.builder()
                .name("wire2")
                .receiveBuffers(receiveBuffers)
                .lowWaterMark(lowWaterMark)
                .build();
        router = Router.create(ndis);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, ip("192.0.2.1"), 24).address(2, ip("198.51.100.1"), 24);
    }

    /** Packet {@code n}: odd ones arrive on wire2 for interface 1's subnet, even ones on wire1 for interface 2's. */
    static byte[] packet(int n) {
        return n % 2 == 0
                ? SamplePackets.ipv4Udp("192.0.2.10", "198.51.100.10", 64, 0, new byte[32 + n % 64])
                : SamplePackets.ipv4Udp("198.51.100.10", "192.0.2.10", 64, 0, new byte[32 + n % 64]);
    }

    /** Offers packet {@code n} to its wire, polling the router until the wire takes it (replay style, no threads). */
    void offerPolled(int n) {
        MemoryMiniport wire = n % 2 == 0 ? wire1 : wire2;
        byte[] bytes = packet(n);
        while (!wire.receive(bytes)) {
            router.pollAll(64);
        }
    }

    long forwarded() {
        return router.ip().statistics().forwarded();
    }

    private static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    @Override
    public void close() {
        try {
            router.close();
        } finally {
            binding.close();
            ndis.close();
        }
    }
}
