package org.nbl4j.samples.ddproxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.samples.host.HostPackets.u16;
import static org.nbl4j.samples.host.HostPackets.udp;
import static org.nbl4j.samples.host.SampleHost.HOST;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.host.SampleHost;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * The ddproxy-shaped driver on a host (wfp-callouts-and-injection §6.2, S-DDP-1, 2, 5), through the DDIs: UDP to
 * {@value #INSPECT}:{@value #P} leaves for {@value #NEW}:{@value #Q}; the answer reaches the application from
 * {@value #INSPECT}:{@value #P}; the per-flow state is two flow contexts, each deleted exactly once when its flow ends.
 */
class DatagramProxyDriverTest {
    private static final String INSPECT = "203.0.113.9";
    private static final String NEW = "203.0.113.77";
    private static final int P = 7000;
    private static final int Q = 7001;

    private DatagramProxyDriver driver;
    private SampleHost host;

    @BeforeEach
    void load() {
        driver = new DatagramProxyDriver();
        host = new SampleHost(
                driver,
                "InspectDestinationAddress = " + SampleHost.dword(INSPECT) + "\nInspectDestinationPort = " + P
                        + "\nNewDestinationAddress = " + SampleHost.dword(NEW) + "\nNewDestinationPort = " + Q
                        + "\n");
    }

    @AfterEach
    void unload() throws Exception {
        host.unload();
        assertEquals(driver.injected(), driver.completed(), "every injection completed");
        host.close();
        assertEquals(0, host.ndis.poolUsage().diff(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, host.ndis.poolUsage().diff(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
        assertTrue(
                host.ndis.verifier().violations().isEmpty(),
                () -> host.ndis.verifier().violations().toString());
    }

    @Test
    @DisplayName("S-DDP-1: the datagram leaves for the new address and port, source port kept, UDP checksum 0")
    void redirectsOutbound() {
        byte[] datagram = udp(HOST, 5000, INSPECT, P, new byte[] {1, 2, 3, 4});
        host.fromApps(datagram);
        assertEquals(1, host.toNet.size());
        byte[] sent = host.toNet.getFirst();
        assertArrayEquals(SampleHost.address(NEW).getAddress(), Arrays.copyOfRange(sent, 16, 20));
        assertEquals(5000, u16(sent, 20));
        assertEquals(Q, u16(sent, 22));
        assertEquals(0, u16(sent, 26), "UDP checksum");
        assertArrayEquals(Arrays.copyOfRange(datagram, 28, 32), Arrays.copyOfRange(sent, 28, 32), "the data");
        assertEquals(1, driver.injected(), "S-DDP-5: the reinjected clone is not taken again");
        assertEquals(2, driver.flowContexts(), "the original flow's and the proxy flow's");
        assertEquals(2, host.engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4));
    }

    @Test
    @DisplayName(
            "S-DDP-2: the answer from the new destination reaches the application from the address and port it used")
    void reversesInbound() {
        host.fromApps(udp(HOST, 5000, INSPECT, P, new byte[] {1}));
        host.fromNet(udp(NEW, Q, HOST, 5000, new byte[] {9, 9}));
        assertEquals(1, host.toApps.size());
        byte[] answer = host.toApps.getFirst();
        assertArrayEquals(SampleHost.address(INSPECT).getAddress(), Arrays.copyOfRange(answer, 12, 16));
        assertEquals(P, u16(answer, 20), "source port");
        assertEquals(5000, u16(answer, 22));
        assertEquals(SamplePackets.ipv4HeaderChecksum(answer, 0), u16(answer, 10), "IPv4 header checksum updated");
        assertEquals(0, host.engine.indications(Layer.ALE_AUTH_RECV_ACCEPT_V4), "the answer belongs to the proxy flow");
        assertEquals(2, driver.injected());
    }

    @Test
    @DisplayName("flowDeleteFn runs once for each context when the flows end")
    void flowContextsDeletedOnce() {
        host.fromApps(udp(HOST, 5000, INSPECT, P, new byte[] {1}));
        host.router.ip().endFlows();
        assertEquals(2, driver.flowsDeleted());
        assertEquals(0, driver.flowContexts());
        host.router.ip().endFlows();
        assertEquals(2, driver.flowsDeleted(), "not again");
    }
}
