package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.OutboundIpPacketField;

/**
 * Which discard twin a drop is shown at (§5.3), through the real host: a layer's twin is of the dropped packet's own
 * family, also for a packet this host sends, which arrived on no interface.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiscardTwinScenariosTest {
    private static final int ICMPV6 = 58;
    private static final int ECHO_REQUEST_V6 = 128;

    @Test
    void anIpv6PacketThisHostSendsThatIsDroppedOnTheWayOutIsShownAtTheIpv6DiscardLayer() {
        // wire2's MTU is 1280: the echo reply to a 1400-byte request from beyond it is too big, and IPv6 routers do
        // not fragment, so the send path drops the reply (DONT_FRAGMENT_MTU_EXCEEDED) at OUTBOUND_IPPACKET.
        try (ScenarioHost host = new ScenarioHost(1280)) {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            for (Layer twin : List.of(Layer.OUTBOUND_IPPACKET_V4_DISCARD, Layer.OUTBOUND_IPPACKET_V6_DISCARD)) {
                host.callout(
                        twin,
                        host.sublayer(1),
                        1,
                        ActionType.CALLOUT_INSPECTION,
                        (values, metadata, nbl, context, filter, flow, out) -> seen.add(values.layer()
                                + " remote "
                                + address(values.get(OutboundIpPacketField.IP_REMOTE_ADDRESS)
                                        .bytes())
                                + " module "
                                + metadata.discardModule()
                                + " reason "
                                + metadata.discardReason()));
            }
            byte[] request = TestPackets.withIcmpv6Checksum(TestPackets.ipv6(
                    "2001:db8:2::99",
                    "2001:db8:1::1",
                    ICMPV6,
                    64,
                    new byte[0],
                    TestPackets.icmpEcho(ECHO_REQUEST_V6, 0x77, 1, TestPackets.bytes(1400 - 48, 1))));

            host.receiveOn1(request);

            assertEquals(
                    1, host.router.ip().statistics().discards(IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED), "dropped");
            assertEquals(
                    List.of("OUTBOUND_IPPACKET_V6_DISCARD remote /2001:db8:2:0:0:0:0:99 module "
                            + IncomingMetadata.FWPS_DISCARD_MODULE_NETWORK
                            + " reason "
                            + IpDiscardReason.DONT_FRAGMENT_MTU_EXCEEDED.value()),
                    seen);
            assertEquals(0, host.engine.indications(Layer.OUTBOUND_IPPACKET_V4_DISCARD));
            assertEquals(List.of(), host.sentOn2, "nothing left by wire2");
            host.assertInvariants();
        }
    }

    private static String address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).toString();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
