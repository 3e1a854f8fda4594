package org.nbl4j.stack.host;

import static org.nbl4j.stack.ip.TestPackets.ip;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.TransmitSink;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * The host the host-role tests drive: its applications on interface 1 ("apps"), the network on interface 2 ("net",
 * 198.51.100.2/24, default route via .1), the filter engine at the Windows 10 profile, and what each interface
 * transmits copied into a list where the test wants it.
 */
record HostBed(Router router, FilterEngine engine, MemoryMiniport apps, MemoryMiniport net) {
    /** Builds the host; a null list drops what that interface transmits. */
    static HostBed create(Ndis ndis, int receiveBuffers, @Nullable List<byte[]> toApps, @Nullable List<byte[]> toNet) {
        MemoryMiniport apps = miniport("apps", receiveBuffers, toApps);
        MemoryMiniport net = miniport("net", receiveBuffers, toNet);
        Router router = Router.create(ndis);
        FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "apps", apps, List.of(), Router.InterfaceOptions.forwarding(false));
        router.addInterface(2, "net", net, List.of(), Router.InterfaceOptions.forwarding(false));
        router.address(2, ip("198.51.100.2"), 24).route(ip("0.0.0.0"), 0, ip("198.51.100.1"), 2);
        router.ip().setApplicationInterface(1);
        return new HostBed(router, engine, apps, net);
    }

    private static MemoryMiniport miniport(String name, int receiveBuffers, @Nullable List<byte[]> sent) {
        return MemoryMiniport.builder()
                .name(name)
                .receiveBuffers(receiveBuffers)
                .lowWaterMark(0)
                .transmitSink(
                        sent == null
                                ? TransmitSink.DISCARD
                                : nbl -> sent.add(nbl.firstNetBuffer().toByteArray()))
                .build();
    }
}
