package org.nbl4j.io.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.SocketOwner;
import org.nbl4j.stack.ip.SocketOwners;

/**
 * {@link SocketOwners} read from Linux's {@code /proc}: which process owns the socket of a host flow, for the ALE
 * layers' process id, process path and {@code ALE_APP_ID} (docs/wfp.md, "Host mode"). Windows takes them from the
 * endpoint the application opened; nbl4j finds the socket the way {@code ss -p} does:
 *
 * <ol>
 *   <li>the applications' namespace is the one whose {@code /proc/<pid>/net/dev} lists their device (the TUN device
 *       that faces them), as some process inside it shows;
 *   <li>that process's {@code net/tcp}, {@code tcp6}, {@code udp}, {@code udp6} or {@code icmp}, {@code icmp6} (ping
 *       sockets) give the socket's inode: the entry with the flow's four ends, or else one bound to its local port that
 *       is not connected (a listener, an unconnected UDP socket), its address the flow's or a wildcard;
 *   <li>the process holding {@code socket:[inode]} among {@code /proc/<pid>/fd}, and its {@code exe}.
 * </ol>
 *
 * A flow whose socket cannot be found this way (a raw socket, a process that ended, no permission to read another
 * process's descriptors) has no owner: the ALE layers then leave the process fields out. Each lookup reads {@code /proc}
 * across every process, a few milliseconds, once per flow when it is authorized; the data path waits for it, as it
 * would not on Windows.
 */
public final class ProcSocketOwners implements SocketOwners {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;
    private static final int INODE_FIELD = 9;

    private final Path proc;
    private final String device;
    /** A process in the applications' namespace, found last time; 0 before the first lookup. */
    private volatile long insider;

    /** Looks up sockets in the namespace where the network device {@code device} is, through {@code /proc}. */
    public ProcSocketOwners(String device) {
        this(Path.of("/proc"), device);
    }

    /** Looks up sockets through another {@code proc} file system's root (a test's copy of one). */
    ProcSocketOwners(Path proc, String device) {
        this.proc = proc;
        this.device = device;
    }

    @Override
    public @Nullable SocketOwner find(
            int protocol, byte[] localAddress, int localPort, byte[] remoteAddress, int remotePort) {
        try {
            Path net = namespaceNet();
            if (net == null) {
                return null;
            }
            long inode = 0;
            for (String table : tables(protocol, localAddress.length == 4)) {
                inode = inode(net.resolve(table), localAddress, localPort, remoteAddress, remotePort);
                if (inode != 0) {
                    break;
                }
            }
            return inode == 0 ? null : owner(inode);
        } catch (IOException | UncheckedIOException e) {
            return null; // a process ended while its files were read: the owner cannot be told
        }
    }

    /** The socket tables to search; IPv4 flows also in the IPv6 ones, where dual-stack sockets show v4-mapped. */
    private static List<String> tables(int protocol, boolean v4) {
        return switch (protocol) {
            case TCP -> v4 ? List.of("tcp", "tcp6") : List.of("tcp6");
            case UDP -> v4 ? List.of("udp", "udp6") : List.of("udp6");
            case ICMP -> List.of("icmp");
            case ICMPV6 -> List.of("icmp6");
            default -> List.of();
        };
    }

    /** {@code /proc/<pid>/net} of a process in the applications' namespace, or null when none is found. */
    private @Nullable Path namespaceNet() throws IOException {
        long known = insider;
        if (known != 0 && hasDevice(proc.resolve(Long.toString(known)))) {
            return proc.resolve(Long.toString(known)).resolve("net");
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, ProcSocketOwners::isProcess)) {
            for (Path process : processes) {
                if (hasDevice(process)) {
                    insider = Long.parseLong(process.getFileName().toString());
                    return process.resolve("net");
                }
            }
        }
        return null;
    }

    private static boolean isProcess(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /** Whether the process's namespace has the device: a {@code net/dev} line {@code <device>:}. */
    private boolean hasDevice(Path process) {
        try {
            for (String line : Files.readAllLines(process.resolve("net").resolve("dev"))) {
                String trimmed = line.strip();
                if (trimmed.startsWith(device + ":")) {
                    return true;
                }
            }
            return false;
        } catch (IOException | UncheckedIOException e) {
            return false; // ended, or not ours to read
        }
    }

    /**
     * The inode of the socket in {@code table} for the flow: the entry with its four ends, or else one bound to its
     * local port and not connected; 0 if none.
     */
    private static long inode(Path table, byte[] localAddress, int localPort, byte[] remoteAddress, int remotePort)
            throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (NoSuchFileException e) {
            return 0; // a kernel without that protocol's table (IPv6 off, no ping sockets)
        }
        long unconnected = 0;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length <= INODE_FIELD) {
                continue;
            }
            Endpoint local = Endpoint.parse(fields[1]);
            Endpoint remote = Endpoint.parse(fields[2]);
            if (local.port() != localPort) {
                continue;
            }
            long inode = Long.parseLong(fields[INODE_FIELD]);
            if (local.is(localAddress) && remote.is(remoteAddress) && remote.port() == remotePort) {
                return inode;
            }
            // Not connected: no remote port (a listener, an unconnected UDP socket).
            if (unconnected == 0 && remote.port() == 0 && (local.isWildcard() || local.is(localAddress))) {
                unconnected = inode;
            }
        }
        return unconnected;
    }

    /** The process holding the socket {@code inode} open, or null if none is found. */
    private @Nullable SocketOwner owner(long inode) throws IOException {
        String target = "socket:[" + inode + "]";
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, ProcSocketOwners::isProcess)) {
            for (Path process : processes) {
                if (holds(process.resolve("fd"), target)) {
                    return new SocketOwner(Long.parseLong(process.getFileName().toString()), executable(process));
                }
            }
        }
        return null;
    }

    private static boolean holds(Path descriptors, String target) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(descriptors)) {
            for (Path link : links) {
                if (target.equals(readLink(link))) {
                    return true;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // ended, or not ours to read
        }
        return false;
    }

    private static String executable(Path process) {
        String exe = readLink(process.resolve("exe"));
        return exe != null ? exe : "";
    }

    private static @Nullable String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * One end of a {@code /proc/net} socket entry: {@code ADDRESS:PORT} in hexadecimal, the address as the kernel's
     * 32-bit words printed as numbers in the machine's byte order, so on a little-endian machine each word's bytes
     * are reversed.
     */
    private record Endpoint(byte[] address, int port) {
        private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};

        static Endpoint parse(String field) {
            int colon = field.indexOf(':');
            String hex = field.substring(0, colon);
            byte[] address = new byte[hex.length() / 2];
            for (int word = 0; word < address.length / 4; word++) {
                int value = Integer.parseUnsignedInt(hex.substring(word * 8, word * 8 + 8), 16);
                for (int i = 0; i < 4; i++) {
                    address[word * 4 + i] = (byte) (value >>> (LITTLE_ENDIAN ? 8 * i : 24 - 8 * i));
                }
            }
            return new Endpoint(address, Integer.parseInt(field.substring(colon + 1), 16));
        }

        /** Whether this is {@code other}, an IPv4 address also as its v4-mapped IPv6 form. */
        boolean is(byte[] other) {
            if (address.length == other.length) {
                return Arrays.equals(address, other);
            }
            return address.length == 16
                    && other.length == 4
                    && Arrays.equals(address, 0, 12, V4_MAPPED_PREFIX, 0, 12)
                    && Arrays.equals(address, 12, 16, other, 0, 4);
        }

        boolean isWildcard() {
            for (byte b : address) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
