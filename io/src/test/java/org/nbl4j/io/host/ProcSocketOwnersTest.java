package org.nbl4j.io.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ip.SocketOwner;

/**
 * Finding a flow's socket and its process through {@code /proc}: first in a copy of the files written by the test (the
 * kernel's formats: {@code net/dev}, {@code net/tcp}'s hexadecimal ends in the machine's word order, {@code fd} links
 * to {@code socket:[inode]}, {@code exe}), then live, in a namespace the test makes, against a real process.
 */
class ProcSocketOwnersTest {
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @TempDir
    Path proc;

    private static byte[] ip(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    /** A socket table line: ends as the kernel prints them on this (little-endian) machine. */
    private static String entry(String local, String remote, int state, long inode) {
        return "   0: " + local + " " + remote + " " + String.format("%02X", state)
                + " 00000000:00000000 00:00000000 00000000     0        0 " + inode
                + " 1 0000000000000000 100 0 0 10 0\n";
    }

    private void process(long pid, String devices, String exe, long... sockets) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.createDirectories(dir.resolve("net"));
        Files.writeString(dir.resolve("net/dev"), "Inter-|   Receive\n face |bytes\n" + devices);
        Path fd = Files.createDirectories(dir.resolve("fd"));
        Files.createSymbolicLink(fd.resolve("0"), Path.of("/dev/null"));
        for (int i = 0; i < sockets.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i + 3)), Path.of("socket:[" + sockets[i] + "]"));
        }
        Files.createSymbolicLink(dir.resolve("exe"), Path.of(exe));
    }

    /** A socket table, as every process sees it (the fake keeps one namespace's tables in each process). */
    private void table(String name, String... entries) throws IOException {
        try (var processes = Files.list(proc)) {
            for (Path process : processes.toList()) {
                Files.writeString(process.resolve("net/" + name), HEADER + String.join("", entries));
            }
        }
    }

    @Test
    void theEntryWithTheFlowsFourEndsWinsOverAListenerOnItsPort() throws IOException {
        process(10, "    lo: 0 0\n", "/usr/sbin/other"); // the root namespace, without the device
        process(20, "    lo: 0 0\n  nbx-apps: 1 2\n", "/usr/bin/server", 7001);
        process(30, "    lo: 0 0\n  nbx-apps: 1 2\n", "/usr/bin/curl", 7002);
        // /proc/self and the like are not processes, whatever they show.
        Files.createDirectories(proc.resolve("self/net"));
        Files.writeString(proc.resolve("self/net/dev"), "  nbx-apps: 1 2\n");
        table(
                "tcp",
                // 192.0.2.2:8080 listening, and 192.0.2.2:8080 connected to 198.51.100.7:40000
                entry("020200C0:1F90", "00000000:0000", 0x0A, 7001),
                entry("020200C0:1F90", "076433C6:9C40", 0x01, 7002));
        ProcSocketOwners owners = new ProcSocketOwners(proc, "nbx-apps");

        assertEquals(
                new SocketOwner(30, "/usr/bin/curl"), owners.find(6, ip("192.0.2.2"), 8080, ip("198.51.100.7"), 40000));
        assertEquals(
                new SocketOwner(20, "/usr/bin/server"),
                owners.find(6, ip("192.0.2.2"), 8080, ip("198.51.100.8"), 40001),
                "a new connection to the port: the listener");
        assertEquals(
                20,
                owners.find(6, ip("192.0.2.2"), 8080, ip("198.51.100.7"), 40001).processId(),
                "the same remote host, another port: the listener");
        assertNull(owners.find(6, ip("192.0.2.2"), 8081, ip("198.51.100.7"), 40000), "no socket on the port");
    }

    @Test
    void unconnectedAndDualStackSocketsAreFoundByTheirPort() throws IOException {
        process(20, "  nbx-apps: 1 2\n", "/usr/bin/python3.11", 8001, 8002);
        table(
                "udp",
                entry("0100007F:14E9", "00000000:0000", 0x07, 8003), // 127.0.0.1:5353, another address
                entry("00000000:14E9", "00000000:0000", 0x07, 8001)); // 0.0.0.0:5353
        // [::ffff:192.0.2.2]:443, connected to [::ffff:203.0.113.5]:50000 (a dual-stack socket)
        table("tcp", "");
        table("tcp6", entry("0000000000000000FFFF0000020200C0:01BB", "0000000000000000FFFF0000057100CB:C350", 1, 8002));
        ProcSocketOwners owners = new ProcSocketOwners(proc, "nbx-apps");

        assertEquals(
                20,
                owners.find(17, ip("192.0.2.2"), 5353, ip("198.51.100.1"), 53).processId());
        assertEquals(
                20,
                owners.find(6, ip("192.0.2.2"), 443, ip("203.0.113.5"), 50000).processId());
        assertNull(owners.find(6, ip("192.0.2.2"), 443, ip("203.0.113.6"), 50000), "connected to another remote");
        assertEquals(
                "/usr/bin/python3.11",
                owners.find(17, ip("192.0.2.2"), 5353, ip("192.0.2.1"), 53).path());
    }

    @Test
    void withoutTheDeviceOrAHolderTheOwnerIsUnknown() throws IOException {
        process(20, "  lo: 1 2\n", "/usr/bin/curl", 9001);
        table("udp", entry("00000000:14E9", "00000000:0000", 0x07, 9001));
        assertNull(new ProcSocketOwners(proc, "nbx-apps").find(17, ip("192.0.2.2"), 5353, ip("192.0.2.1"), 53));

        process(21, "  nbx-apps: 1 2\n", "/usr/bin/curl");
        table("udp", entry("00000000:14E9", "00000000:0000", 0x07, 9002)); // nobody holds 9002
        assertNull(new ProcSocketOwners(proc, "nbx-apps").find(17, ip("192.0.2.2"), 5353, ip("192.0.2.1"), 53));
    }

    /**
     * A real namespace with a veth device standing for the applications' TUN, and python3 in it holding a UDP socket
     * bound to 192.0.2.9:5353: the lookup through the real {@code /proc} names python3's process and executable.
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aRealProcessInANamespaceIsFound() throws Exception {
        TestTools.requireRoot();
        TestTools.require("ip", "python3");
        String namespace = "nbl4j-owners-" + ProcessHandle.current().pid();
        String device = "nbxown" + ProcessHandle.current().pid() % 10_000;
        Commands.run("ip", "netns", "add", namespace);
        Process python = null;
        try {
            Commands.run("ip", "-n", namespace, "link", "add", device, "type", "veth", "peer", "name", device + "p");
            Commands.run("ip", "-n", namespace, "addr", "add", "192.0.2.9/24", "dev", device);
            Commands.run("ip", "-n", namespace, "link", "set", device, "up");
            python = Commands.start(List.of(
                    "ip",
                    "netns",
                    "exec",
                    namespace,
                    "python3",
                    "-c",
                    "import socket,sys,time\n"
                            + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('192.0.2.9',5353))\n"
                            + "print('bound',flush=True); time.sleep(30)"));
            assertEquals("bound", python.inputReader().readLine());
            SocketOwner owner = new ProcSocketOwners(device).find(17, ip("192.0.2.9"), 5353, ip("198.51.100.1"), 53);
            assertNotNull(owner);
            assertEquals(python.pid(), owner.processId(), "ip netns exec execs python3 in its own process");
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc/" + python.pid() + "/exe"))
                            .toString(),
                    owner.path());
        } finally {
            if (python != null) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Commands.run("ip", "netns", "del", namespace);
        }
    }
}
