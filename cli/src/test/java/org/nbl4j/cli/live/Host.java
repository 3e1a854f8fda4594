package org.nbl4j.cli.live;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.io.testing.Commands;

/**
 * A Linux host for the live tests: a network namespace the test creates and deletes, whose only interface is one of
 * the router's TUN devices (documentation addresses only).
 *
 * <p>The namespace is set up so that the kernel sends nothing on its own once the test traffic is over, which is what
 * lets the tests match the router's counts exactly: IPv6 stays off on the device until {@link #enableIpv6} (so that a
 * capture started before can see every IPv6 packet the kernel sends), the host sends exactly one router solicitation
 * then (no retransmission timer), and any MLD report retransmissions come within milliseconds of the join instead of
 * up to a second later. A TUN device has no neighbour discovery or duplicate address detection ({@code IFF_NOARP}).
 */
public final class Host implements AutoCloseable {
    /**
     * The device's transmit queue (the TUN ring the router reads): longer than every packet of the tests' bounded
     * transfers, so that the kernel never drops a packet the host sends because the router has not read the ones before.
     */
    private static final int TRANSMIT_QUEUE = 4096;

    private final String namespace;
    private @Nullable String device;

    private Host(String namespace) {
        this.namespace = namespace;
    }

    /** Creates the namespace and the defaults every device moved into it gets. */
    public static Host create(String namespace) throws IOException, InterruptedException {
        Commands.run("ip", "netns", "add", namespace);
        Host host = new Host(namespace);
        try {
            host.exec(
                    "sysctl",
                    "-qw",
                    "net.ipv6.conf.default.disable_ipv6=1",
                    "net.ipv6.conf.default.router_solicitations=1",
                    "net.ipv6.conf.default.mldv1_unsolicited_report_interval=10",
                    "net.ipv6.conf.default.mldv2_unsolicited_report_interval=10");
        } catch (IOException | InterruptedException | RuntimeException e) {
            host.close();
            throw e;
        }
        return host;
    }

    /**
     * Moves the router's TUN device in, gives it an IPv4 address and a default route through the router, and sets it up.
     * IPv6 stays off on it: nothing is sent yet.
     */
    public void adopt(String tunDevice, String v4, String gateway4) throws IOException, InterruptedException {
        Commands.run("ip", "link", "set", tunDevice, "netns", namespace);
        device = tunDevice;
        Commands.run("ip", "-n", namespace, "link", "set", tunDevice, "txqueuelen", String.valueOf(TRANSMIT_QUEUE));
        Commands.run("ip", "-n", namespace, "addr", "add", v4, "dev", tunDevice);
        Commands.run("ip", "-n", namespace, "link", "set", tunDevice, "up");
        Commands.run("ip", "-n", namespace, "route", "add", "default", "via", gateway4);
    }

    /** Turns IPv6 on on the device (the kernel then sends its router solicitation), with an address and a route. */
    public void enableIpv6(String v6, String gateway6) throws IOException, InterruptedException {
        String tunDevice = device();
        exec("sysctl", "-qw", "net.ipv6.conf." + tunDevice + ".disable_ipv6=0");
        Commands.run("ip", "-n", namespace, "addr", "add", v6, "dev", tunDevice, "nodad");
        Commands.run("ip", "-n", namespace, "-6", "route", "add", "default", "via", gateway6);
    }

    /** The TUN device moved in. */
    public String device() {
        if (device == null) {
            throw new IllegalStateException(namespace + " has no device yet");
        }
        return device;
    }

    /**
     * The kernel's counters of the TUN device. For a TUN device the kernel counts a transmitted packet when the
     * reader (the router) takes it, a received one when the router writes it, and a transmit drop when the ring is
     * full.
     */
    public TunCounters counters() throws IOException, InterruptedException {
        String statistics = "/sys/class/net/" + device() + "/statistics/";
        String[] values = exec("cat", statistics + "tx_packets", statistics + "tx_dropped", statistics + "rx_packets")
                .strip()
                .split("\\s+");
        return new TunCounters(Long.parseLong(values[0]), Long.parseLong(values[1]), Long.parseLong(values[2]));
    }

    /** What the kernel counted on the host's TUN device. */
    public record TunCounters(long readByRouter, long transmitDropped, long writtenByRouter) {}

    /** TCP sockets that may still send: every one but those in TIME-WAIT (which answer, but never start, a segment). */
    public List<String> activeTcpSockets() throws IOException, InterruptedException {
        List<String> active = new ArrayList<>();
        for (String line : exec("ss", "-Htan").split("\n")) {
            if (!line.isBlank() && !line.startsWith("TIME-WAIT")) {
                active.add(line.strip());
            }
        }
        return active;
    }

    /** Runs a command inside the namespace to its end; fails unless it exits with 0. */
    public String exec(String... command) throws IOException, InterruptedException {
        return Commands.run(inside(command).toArray(String[]::new));
    }

    /** Starts a command inside the namespace, stderr merged into stdout. */
    public Process start(String... command) throws IOException {
        return Commands.start(inside(command));
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /** Deletes the namespace. */
    @Override
    public void close() throws IOException, InterruptedException {
        Commands.run("ip", "netns", "del", namespace);
    }
}
