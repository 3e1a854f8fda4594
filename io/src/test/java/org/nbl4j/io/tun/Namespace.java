package org.nbl4j.io.tun;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.nbl4j.io.testing.Commands;

/** A network namespace the test creates and deletes, named after the JVM's pid so that runs do not collide. */
final class Namespace implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String name;

    private Namespace(String name) {
        this.name = name;
    }

    static Namespace create() throws IOException, InterruptedException {
        String name = "nbl4j-tun-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        Commands.run("ip", "netns", "add", name);
        return new Namespace(name);
    }

    /** A fresh interface name for this run: {@code nbt<pid>x<n>}, within IFNAMSIZ. */
    static String interfaceName() {
        return "nbt" + ProcessHandle.current().pid() % 10_000_000 + "x" + COUNTER.incrementAndGet() % 100;
    }

    /**
     * Moves a TUN interface into this namespace, optionally turns IPv6 off on it (so no router solicitations or
     * MLD reports reach the device), adds the addresses and sets it up.
     */
    void adopt(String device, boolean ipv6, String... addresses) throws IOException, InterruptedException {
        Commands.run("ip", "link", "set", device, "netns", name);
        if (!ipv6) {
            exec("sysctl", "-qw", "net.ipv6.conf." + device + ".disable_ipv6=1");
        }
        for (String address : addresses) {
            List<String> command = new ArrayList<>(List.of("ip", "-n", name, "addr", "add", address, "dev", device));
            if (address.contains(":")) {
                command.add("nodad");
            }
            Commands.run(command.toArray(String[]::new));
        }
        Commands.run("ip", "-n", name, "link", "set", device, "up");
    }

    /** Runs a command inside the namespace to its end; fails unless it exits with 0. */
    String exec(String... command) throws IOException, InterruptedException {
        return Commands.run(inside(command).toArray(String[]::new));
    }

    /** Starts a command inside the namespace. */
    Process start(String... command) throws IOException {
        return Commands.start(inside(command));
    }

    private List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Commands.run("ip", "netns", "del", name);
    }
}
