package org.nbl4j.samples.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.samples.host.HostPackets.ACK;
import static org.nbl4j.samples.host.HostPackets.SYN;
import static org.nbl4j.samples.host.HostPackets.tcp;
import static org.nbl4j.samples.host.HostPackets.udp;
import static org.nbl4j.samples.host.SampleHost.HOST;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.samples.host.SampleHost;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * The inspect-shaped driver on a host (wfp-callouts-and-injection §6.1, S-INS-1 to S-INS-3), through the DDIs: each
 * flow to or from the inspected address is pended at ALE and decided by the worker thread; each of its packets is
 * cloned at the transport layer, absorbed and reinjected by the worker; a flow to the blocked address never leaves.
 * After each test every injection has completed, every pool is back at 0 and the verifier saw nothing.
 */
class TransportInspectDriverTest {
    private static final String INSPECTED = "203.0.113.9";
    private static final String BLOCKED = "203.0.113.66";

    private TransportInspectDriver driver;
    private SampleHost host;

    @BeforeEach
    void load() {
        driver = new TransportInspectDriver();
        host = new SampleHost(
                driver,
                "RemoteAddressToInspect = " + SampleHost.dword(INSPECTED) + "\nRemoteAddressToBlock = "
                        + SampleHost.dword(BLOCKED) + "\n");
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

    private void settle() {
        host.settle(() -> driver.idle() && driver.injected() == driver.completed());
    }

    @Test
    @DisplayName(
            "S-INS-1: the first datagram waits for the worker's PERMIT, is sent once; the answer is reinjected once")
    void udpPendedThenPermitted() {
        byte[] datagram = udp(HOST, 5000, INSPECTED, 53, new byte[] {1, 2, 3});
        host.fromApps(datagram);
        settle();
        assertEquals(1, driver.pendedConnections());
        assertEquals(1, host.toNet.size(), "sent once, after the reauthorization permitted it");
        byte[] sent = host.toNet.getFirst();
        assertArrayEquals(Arrays.copyOfRange(datagram, 20, datagram.length), Arrays.copyOfRange(sent, 20, sent.length));
        assertEquals(2, host.engine.indications(Layer.ALE_AUTH_CONNECT_V4), "the connect and its reauthorization");

        byte[] answer = udp(INSPECTED, 53, HOST, 5000, new byte[] {4, 5});
        host.fromNet(answer);
        settle();
        assertEquals(1, host.toApps.size());
        assertArrayEquals(answer, host.toApps.getFirst(), "reinjected unchanged");
        assertEquals(2, driver.injected(), "the datagram and the answer");
        assertEquals(0, host.engine.indications(Layer.ALE_AUTH_RECV_ACCEPT_V4), "the answer belongs to the flow");
    }

    @Test
    @DisplayName("a TCP connect is pended without a packet; once permitted, its segments go through the worker")
    void tcpConnectPendedThenPermitted() {
        byte[] syn = tcp(HOST, 40000, INSPECTED, 80, 1000, 0, SYN, new byte[0]);
        host.fromApps(syn);
        settle();
        assertEquals(1, driver.pendedConnections());
        assertEquals(0, host.toNet.size(), "the SYN that started the pended connect is not sent");
        host.fromApps(syn); // the application's retransmission, now of a permitted flow
        settle();
        assertEquals(1, host.toNet.size());
        host.fromNet(tcp(INSPECTED, 80, HOST, 40000, 5000, 1001, SYN | ACK, new byte[0]));
        settle();
        host.fromApps(tcp(HOST, 40000, INSPECTED, 80, 1001, 5001, ACK, new byte[0]));
        settle();
        assertEquals(2, host.toNet.size());
        assertEquals(1, host.toApps.size());
        assertEquals(3, driver.injected());
        assertEquals(1, host.engine.indications(Layer.ALE_FLOW_ESTABLISHED_V4));
    }

    @Test
    @DisplayName("S-INS-3: the worker blocks the connect to the blocked address; nothing of the flow leaves")
    void blockedConnect() {
        host.fromApps(tcp(HOST, 40001, BLOCKED, 80, 7, 0, SYN, new byte[0]));
        settle();
        host.fromApps(tcp(HOST, 40001, BLOCKED, 80, 7, 0, SYN, new byte[0]));
        settle();
        assertEquals(1, driver.blockedConnections());
        assertEquals(0, host.toNet.size());
        assertEquals(0, driver.injected());
    }

    @Test
    @DisplayName(
            "S-INS-2: an inbound SYN is pended at RECV_ACCEPT; the worker completes it and receive-injects it once")
    void inboundConnectPendedThenPermitted() {
        byte[] syn = tcp(INSPECTED, 51000, HOST, 22, 9, 0, SYN, new byte[0]);
        host.fromNet(syn);
        settle();
        assertEquals(1, driver.pendedConnections());
        assertEquals(1, host.toApps.size(), "delivered once, by the reinjection");
        assertArrayEquals(syn, host.toApps.getFirst());
        assertEquals(2, host.engine.indications(Layer.ALE_AUTH_RECV_ACCEPT_V4), "the pend and the reinjected clone");
    }
}
