package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ip.IpStatistics;
import org.nbl4j.stack.router.Router;

/**
 * nbl4j as a real router between two Linux hosts: each host is a network namespace whose only interface is one of
 * the router's TUN devices, with documentation addresses. Pings (v4, v6, and 4000-byte ones that the hosts fragment)
 * and a bounded TCP transfer must succeed through the router's forwarding path, and every pool must be back to 0.
 */
class LiveRouterTest {

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void routesPingsAndTcpBetweenTwoNamespaces() throws Exception {
        TestTools.requireTun();
        TestTools.require("ip", "ping");
        String nameA = Namespace.interfaceName();
        String nameB = Namespace.interfaceName();
        try (Ndis ndis = Ndis.create(VerifierSettings.standard());
                Namespace hostA = Namespace.create();
                Namespace hostB = Namespace.create()) {
            Router router = Router.create(ndis);
            try {
                router.addInterface(1, nameA, new TunMiniport(TunDevice.open(nameA, 1, true), 1500), List.of(), true);
                router.addInterface(2, nameB, new TunMiniport(TunDevice.open(nameB, 1, true), 1500), List.of(), true);
                router.address(1, InetAddress.ofLiteral("192.0.2.1"), 24)
                        .address(1, InetAddress.ofLiteral("2001:db8:1::1"), 64)
                        .address(2, InetAddress.ofLiteral("198.51.100.1"), 24)
                        .address(2, InetAddress.ofLiteral("2001:db8:2::1"), 64);
                hostA.adopt(nameA, true, "192.0.2.2/24", "2001:db8:1::2/64");
                hostB.adopt(nameB, true, "198.51.100.2/24", "2001:db8:2::2/64");
                hostA.exec("ip", "route", "add", "default", "via", "192.0.2.1");
                hostA.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:1::1");
                hostB.exec("ip", "route", "add", "default", "via", "198.51.100.1");
                hostB.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:2::1");
                router.start();

                hostA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.2");
                hostA.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "2001:db8:2::2");
                hostA.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", "198.51.100.2");
                hostA.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", "2001:db8:2::2");
                if (TestTools.usable("iperf3")) {
                    Process server = hostB.start("iperf3", "-s", "-1", "-B", "198.51.100.2");
                    try {
                        Thread.sleep(300);
                        Commands.Result client = Commands.finish(
                                hostA.start("iperf3", "-c", "198.51.100.2", "-n", "4M", "--connect-timeout", "3000"),
                                Duration.ofSeconds(30));
                        assertEquals(0, client.exitCode(), client.output());
                    } finally {
                        server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } finally {
                router.close();
            }
            IpStatistics statistics = router.ip().statistics();
            // 10 echo requests and their replies, 4 of them in 3 fragments each way: at least 2 * (6 + 4 * 3).
            assertTrue(statistics.forwarded() >= 36, () -> "forwarded " + statistics);
            assertTrue(ndis.poolUsage().outstanding().isEmpty(), () -> "outstanding: " + ndis.poolUsage());
            assertTrue(
                    ndis.verifier().violations().isEmpty(),
                    () -> "violations: " + ndis.verifier().violations());
        }
    }
}
