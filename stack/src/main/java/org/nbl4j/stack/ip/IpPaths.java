package org.nbl4j.stack.ip;

import java.util.function.LongSupplier;
import org.nbl4j.core.buffer.Ndis;

/**
 * What the parts of the IP path share, made once per {@link IpStack} in dependency order: the interface table, the
 * counters, the hook point, the holds on NBLs and the layer's own packets, the transmitter and fragmenter, and the
 * paths themselves (local send, forward, reassembly and its expiry, local delivery, receive, injection), each made
 * from this context. A part takes what it uses into final fields when it is made, so the per-packet code reads its
 * own fields.
 */
final class IpPaths {
    final Ndis ndis;
    final LongSupplier nanoClock;
    final IpCounters counters = new IpCounters();
    final PathInspection inspection = new PathInspection(counters);
    final InterfaceTable table = new InterfaceTable();
    final GeneratedPackets generatedPackets;
    final NblHolds holds;
    final Transmitter transmitter;
    final Fragmenter fragmenter;
    final Segmenter segmenter;
    final Reassembler reassembler;
    final LocalSend send;
    final HostTransport host;
    final ForwardPath forward;
    final ReassemblyExpiry expiry;
    final LocalDelivery delivery;
    final ReceivePath receive;
    final InjectionPaths injection;

    /**
     * @param holder the verifier's holder of the NBLs the layer takes
     */
    IpPaths(
            Object holder,
            Ndis ndis,
            LongSupplier nanoClock,
            IcmpRateLimiter icmpLimiter,
            long reassemblyTimeoutNanos,
            long reassemblyBytes,
            int reassemblyDatagrams) {
        this.ndis = ndis;
        this.nanoClock = nanoClock;
        this.generatedPackets = new GeneratedPackets(ndis);
        this.holds = new NblHolds(holder, inspection, generatedPackets);
        this.transmitter = new Transmitter(holds);
        this.fragmenter = new Fragmenter(ndis, holds, counters);
        this.segmenter = new Segmenter(ndis, holds, generatedPackets, counters);
        this.reassembler = new Reassembler(
                ndis, generatedPackets, holds, reassemblyTimeoutNanos, reassemblyBytes, reassemblyDatagrams);
        this.send = new LocalSend(this, icmpLimiter);
        this.host = new HostTransport(this);
        this.forward = new ForwardPath(this, new ForwardFragmentGrouping(reassemblyTimeoutNanos, reassemblyDatagrams));
        this.expiry = new ReassemblyExpiry(this);
        this.delivery = new LocalDelivery(this);
        this.receive = new ReceivePath(this);
        this.injection = new InjectionPaths(this);
    }
}
